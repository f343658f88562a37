import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { runAt, writeTime, type TenantContext } from '../context/tenant-context';
import { tenantDocumentClient } from '../data/clients';
import type { TransactionEntities, TransactionItem } from '../data/service';
import { writeTransaction, type Rejections } from '../data/transactions';
import { auditSourceOf, type AuditSource } from './actor';
import { auditEventItem, type AuditChange } from './audit-log';

export interface AuditedOptions<Items> {
  /** What to answer when a named item's condition failed. */
  rejections?: Rejections<Items>;
  /** The time of the change, for work that is not a request (a job names its run's). */
  now?: Date;
  /** The platform client, for work on a tenant that runs outside its context. */
  client?: DynamoDBDocumentClient;
}

/**
 * A tenant's change and its audit event, committed in one transaction (`writeTransaction`): the
 * items `build` names, and the event of `change` by the context's actor, all at one time: the
 * request's one "now", or `now` where the work names its own (the records' `createdAt` and
 * `updatedAt` too: ElectroDB stamps them with the time the build runs at). Nothing is audited that
 * did not happen, and nothing happens unaudited. Through the tenant-guarded client unless the change
 * names another. Every audited change of the code base is written through here or
 * {@link writeAuditedAs}.
 */
export async function writeAudited<Items extends Record<string, TransactionItem>>(
  ctx: TenantContext,
  change: AuditChange,
  build: (entities: TransactionEntities) => Items,
  options: AuditedOptions<Items> = {},
): Promise<void> {
  const at = options.now ?? ctx.receivedAt ?? writeTime();
  await writeAuditedAs(ctx.tenantId, auditSourceOf(ctx), change, build, { ...options, now: at });
}

/**
 * {@link writeAudited} for a change that has no tenant context to act in, by the actor `source`
 * names: a tenant's provisioning (the tenant does not exist yet), a subscription's sync from
 * Stripe's events (the billing system acts), on the platform client.
 */
export async function writeAuditedAs<Items extends Record<string, TransactionItem>>(
  tenantId: string,
  source: AuditSource,
  change: AuditChange,
  build: (entities: TransactionEntities) => Items,
  options: AuditedOptions<Items> = {},
): Promise<void> {
  const at = options.now ?? source.meta.receivedAt ?? writeTime();
  const audit = auditEventItem(tenantId, source, change, at);
  await runAt(at, () =>
    writeTransaction(
      options.client ?? tenantDocumentClient,
      (entities) => ({ ...build(entities), audit: entities.auditEvent.create(audit).commit() }),
      (options.rejections ?? {}) as Rejections<Items & { audit: TransactionItem }>,
    ),
  );
}

/**
 * The audit event of a change in another tenant's log, for the same transaction: a change that
 * concerns two tenants (a partner creating a tenant below it) is audited in both, or in neither.
 */
export function auditedAlsoIn(
  entities: TransactionEntities,
  tenantId: string,
  source: AuditSource,
  change: AuditChange,
  at: Date,
): TransactionItem {
  return entities.auditEvent.create(auditEventItem(tenantId, source, change, at)).commit();
}
