import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { TenantContext } from '../context/tenant-context';
import { deleteKeys, type TableKey } from '../data/batch-delete';
import { TABLE_NAME, tenantDocumentClient } from '../data/clients';
import { TABLE_DEFINITION, tenantPartitionKey } from '../data/table-definition';
import { idBoundAt, type IdKind } from '../ids';
import { expireMemory } from '../memory/memory-service';
import { DATA_CLASSES, PLANS, type DataClass } from '../model/plans';
import { logger } from '../observability/logger';

const DAY_MS = 86_400_000;
const PK = TABLE_DEFINITION.partitionKey;
const SK = TABLE_DEFINITION.sortKey;

/** Where each class kept by key lives in the tenant's partition: its sort-key prefix and id kind. */
const KEYED: Record<Exclude<DataClass, 'memoryItems'>, { prefix: string; kind: IdKind; ended?: true }> = {
  auditEvents: { prefix: 'AUDIT#', kind: 'audit' },
  usageEvents: { prefix: 'USEVT#', kind: 'usageEvent' },
  // A run still running is never deleted, however old.
  runs: { prefix: 'RUN#', kind: 'run', ended: true },
};

export interface RetentionOutcome {
  /** `kept`: the tenant is not active (suspended: its data is kept whole; deleted: until the purge). */
  outcome: 'applied' | 'kept';
  deleted: Record<DataClass, number>;
}

/**
 * The daily data-retention job for one tenant: each class of its data past its plan's days
 * (`Plan.retention`, counted from each item's creation) is deleted, while the tenant is active.
 * Nothing is deleted while it is suspended, and a deleted tenant is left to the purge, which removes
 * everything at the end of its deletion window. Audit events, usage records and runs are found by
 * their key (ids sort by the time they were made: one query reads only what is past its days) and
 * deleted 25 at a time; memory items each with their bytes given back to the storage quota. A run
 * that failed part-way deletes the rest the next day. What was deleted is logged by class.
 */
export async function applyRetention(ctx: TenantContext, now: Date): Promise<RetentionOutcome> {
  const deleted = Object.fromEntries(DATA_CLASSES.map((name) => [name, 0])) as Record<DataClass, number>;
  if (ctx.tenantStatus !== 'active') return { outcome: 'kept', deleted };
  const retention = PLANS[ctx.plan].retention;
  for (const dataClass of DATA_CLASSES) {
    const days = retention[dataClass];
    if (days === null) continue;
    const before = new Date(now.getTime() - days * DAY_MS);
    deleted[dataClass] =
      dataClass === 'memoryItems'
        ? await expireMemory(ctx, before, now)
        : await expireKeyed(ctx, KEYED[dataClass], before);
  }
  if (DATA_CLASSES.some((name) => deleted[name] > 0)) {
    logger.info('Data past its retention deleted', { tenantId: ctx.tenantId, plan: ctx.plan, deleted });
  }
  return { outcome: 'applied', deleted };
}

/** Deletes the items of one class whose id was made before `before`, a page at a time. */
async function expireKeyed(
  ctx: TenantContext,
  keyed: { prefix: string; kind: IdKind; ended?: true },
  before: Date,
): Promise<number> {
  let deleted = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const page = await tenantDocumentClient.send(
      new QueryCommand({
        TableName: TABLE_NAME,
        KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :low AND :high',
        ExpressionAttributeNames: { '#pk': PK, '#sk': SK, ...(keyed.ended ? { '#status': 'status' } : {}) },
        ExpressionAttributeValues: {
          ':pk': tenantPartitionKey(ctx.tenantId),
          ':low': keyed.prefix,
          // The highest id that could have been made just before `before`.
          ':high': `${keyed.prefix}${idBoundAt(keyed.kind, before.getTime() - 1, 'high')}`,
          ...(keyed.ended ? { ':running': 'running' } : {}),
        },
        ...(keyed.ended ? { FilterExpression: '#status <> :running' } : {}),
        ProjectionExpression: '#pk, #sk',
        ConsistentRead: true,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    const keys = (page.Items ?? []) as TableKey[];
    await deleteKeys(keys);
    deleted += keys.length;
    start = page.LastEvaluatedKey;
  } while (start);
  return deleted;
}
