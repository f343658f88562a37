import { writeAudited } from '../audit/audited-transaction';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { platformDocumentClient, TABLE_NAME, tenantDocumentClient } from '../data/clients';
import { ChildTenantEntity, type ChildTenantItem } from '../data/entities/child-tenant';
import { QuotaCounterEntity, STANDING_PERIOD } from '../data/entities/quota-counter';
import { tenantPartitionKey } from '../data/table-definition';
import { ConflictError } from '../errors';
import { logger } from '../observability/logger';
import { countQuotaDrift } from '../observability/metrics';
import type { TenantContext } from '../context/tenant-context';
import { METERED_RESOURCE_NAMES, type CountedResource } from '../model/plans';
import { monthPeriod, previousMonthPeriod } from './periods';
import { settleStaleTakes } from './quota-takes';

/** One counter as the reconciliation found it. */
export interface ReconciledCounter {
  resource: CountedResource | 'runs';
  period: string;
  /** What the counter said. */
  counted: number;
  /** What its items add up to. */
  recounted: number;
  /**
   * `matches`; `repaired` (set to the recount, audited); or `busy`: it moved in the last minute, so a
   * request may be between its count and its item, and it is left for the next pass.
   */
  outcome: 'matches' | 'repaired' | 'busy';
}

/** A counter that changed this recently may have requests in flight (10 s at most): left alone. */
const QUIET_MS = 60_000;

interface Recount {
  resource: ReconciledCounter['resource'];
  period: string;
  /** The items' sort key prefix, the attributes read, and what each item adds. */
  prefix: string;
  attributes: string[];
  measure: (item: Record<string, unknown>) => number;
}

/** What each counter counts: the items of the tenant's partition, as their writes keep them. */
function recounts(now: Date): Recount[] {
  const runsOf = (period: string): Recount => ({
    resource: 'runs',
    period,
    prefix: 'RUN#',
    attributes: ['period', 'countedIn'],
    // A run a partner's pool counted is on the partner's counter (`pools.ts`), not this one.
    measure: (item) => (item.period === period && item.countedIn === undefined ? 1 : 0),
  });
  return [
    { resource: 'users', period: STANDING_PERIOD, prefix: 'USER#', attributes: [], measure: () => 1 },
    { resource: 'agents', period: STANDING_PERIOD, prefix: 'AGENT#', attributes: [], measure: () => 1 },
    { resource: 'projects', period: STANDING_PERIOD, prefix: 'PROJECT#', attributes: [], measure: () => 1 },
    {
      // The tenant's own children, not their descendants (listed beside them).
      resource: 'childTenants',
      period: STANDING_PERIOD,
      prefix: 'CHILD#',
      attributes: ['depth'],
      measure: (item) => (item.depth === 1 ? 1 : 0),
    },
    {
      resource: 'apiKeys',
      period: STANDING_PERIOD,
      prefix: 'APIKEY#',
      attributes: ['status'],
      measure: (item) => (item.status === 'revoked' ? 0 : 1),
    },
    {
      resource: 'storageBytes',
      period: STANDING_PERIOD,
      prefix: 'MEMORY#',
      attributes: ['sizeBytes'],
      measure: (item) => (typeof item.sizeBytes === 'number' ? item.sizeBytes : 0),
    },
    runsOf(monthPeriod(now)),
    runsOf(previousMonthPeriod(now)),
  ];
}

/** How long after a child stopped drawing runs from the pool its runs may still be on the pool's counter. */
const POOL_MEMORY_MS = 62 * 86_400_000;

function drewRunsLately(child: ChildTenantItem, now: Date): boolean {
  if (child.depth !== 1) return false;
  if (child.pooled?.includes('runs')) return true;
  return child.poolEndedAt !== undefined && now.getTime() - Date.parse(child.poolEndedAt) < POOL_MEMORY_MS;
}

/**
 * The runs of a month the tenant's children counted on its pool: each child that draws runs from it
 * (or did in the last two months) is recounted in its own partition, for the platform.
 */
async function pooledRuns(tenantId: string, period: string, now: Date): Promise<number> {
  const children = await ChildTenantEntity.query.byTenant({ tenantId }).go({ pages: 'all' });
  let total = 0;
  for (const child of children.data) {
    if (!drewRunsLately(child, now)) continue;
    total += await recount(
      child.childId,
      {
        resource: 'runs',
        period,
        prefix: 'RUN#',
        attributes: ['period', 'countedIn'],
        measure: (item) => (item.period === period && item.countedIn === tenantId ? 1 : 0),
      },
      platformDocumentClient,
    );
  }
  return total;
}

/** Adds up the items under a prefix of the tenant's partition (a Query; no tenant code Scans). */
async function recount(tenantId: string, spec: Recount, client = tenantDocumentClient): Promise<number> {
  let total = 0;
  let start: Record<string, unknown> | undefined;
  const names = Object.fromEntries(spec.attributes.map((name, index) => [`#a${index}`, name]));
  do {
    const page = await client.send(
      new QueryCommand({
        TableName: TABLE_NAME,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': tenantPartitionKey(tenantId), ':prefix': spec.prefix },
        ExpressionAttributeNames: { '#sk': 'sk', ...names },
        ProjectionExpression: ['#sk', ...Object.keys(names)].join(', '),
        ConsistentRead: true,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    for (const item of page.Items ?? []) total += spec.measure(item);
    start = page.LastEvaluatedKey;
  } while (start);
  return total;
}

/** Sets a drifted counter to its recount, on the condition that nobody moved it meanwhile, audited. */
async function repair(
  ctx: TenantContext,
  spec: Recount,
  counter: { used: number; updatedAt: string } | null,
  recounted: number,
  now: Date,
): Promise<void> {
  const key = { tenantId: ctx.tenantId, resource: spec.resource, period: spec.period };
  await writeAudited(
    ctx,
    {
      action: 'quota.reconciled',
      targetType: 'quota',
      targetId: `${spec.resource}#${spec.period}`,
      before: { used: counter?.used ?? 0 },
      after: { used: recounted },
    },
    ({ quotaCounter }) => ({
      counter: counter
        ? quotaCounter
            .patch(key)
            .set({ used: recounted, updatedAt: now.toISOString() })
            // The recount settles every take too: none can be given back after it.
            .remove(['pending'])
            .where((attr, op) => op.eq(attr.updatedAt, counter.updatedAt))
            .commit()
        : quotaCounter.create({ ...key, used: recounted, updatedAt: now.toISOString() }).commit(),
    }),
    {
      rejections: {
        counter: () => new ConflictError('The counter moved meanwhile.', 'concurrent_modification'),
      },
      now,
    },
  );
}

/**
 * Recounts every counted resource of a tenant (users, agents, API keys, storage) and its runs of
 * this month and the last against their items, and repairs a counter that drifted: a request that
 * died between a count and its item (a run's count is taken before the run is written), or any
 * bug. A counter that moved in the last minute is left for the next pass (a request may be in
 * flight), and a repair is conditional on the counter not moving meanwhile. Each repair is audited
 * (`quota.reconciled`, before and after) and the drift found is published as a metric.
 */
export async function reconcileQuotas(
  ctx: TenantContext,
  now: Date,
  /** `quiet: false`: repair even a counter that just moved (an import, which nothing else writes to). */
  options: { quiet?: boolean } = {},
): Promise<ReconciledCounter[]> {
  const found: ReconciledCounter[] = [];
  await settleTakes(ctx, now);
  for (const spec of recounts(now)) {
    const stored = (
      await QuotaCounterEntity.get({
        tenantId: ctx.tenantId,
        resource: spec.resource,
        period: spec.period,
      }).go({
        consistent: true,
      })
    ).data;
    const counter = stored ? { used: stored.used, updatedAt: stored.updatedAt } : null;
    const recounted =
      (await recount(ctx.tenantId, spec)) +
      (spec.resource === 'runs' ? await pooledRuns(ctx.tenantId, spec.period, now) : 0);
    const counted = counter?.used ?? 0;
    const line = { resource: spec.resource, period: spec.period, counted, recounted };
    if (counted === recounted) {
      found.push({ ...line, outcome: 'matches' });
      continue;
    }
    const moved =
      options.quiet !== false && counter ? now.getTime() - Date.parse(counter.updatedAt) < QUIET_MS : false;
    if (moved) {
      found.push({ ...line, outcome: 'busy' });
      continue;
    }
    try {
      await repair(ctx, spec, counter, recounted, now);
      countQuotaDrift(spec.resource, Math.abs(recounted - counted));
      logger.warn('A quota counter had drifted from its items and was repaired', { ...line });
      found.push({ ...line, outcome: 'repaired' });
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      found.push({ ...line, outcome: 'busy' });
    }
  }
  return found;
}

/**
 * Takes left pending by requests that died, this month's and the last's, settled against their
 * receipts before anything is recounted: runs (then recounted from their items) and the metered
 * resources (not recounted: usage records expire with the plan's retention, before the months they
 * count in are closed).
 */
async function settleTakes(ctx: TenantContext, now: Date): Promise<void> {
  for (const resource of ['runs', ...METERED_RESOURCE_NAMES] as const) {
    for (const period of [monthPeriod(now), previousMonthPeriod(now)]) {
      const stored = (
        await QuotaCounterEntity.get({ tenantId: ctx.tenantId, resource, period }).go({ consistent: true })
      ).data;
      if (stored?.pending) await settleStaleTakes(ctx, { resource, period, pending: stored.pending }, now);
    }
  }
}
