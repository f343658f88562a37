import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { runAt, writeTime, type TenantContext } from '../context/tenant-context';
import { tenantDocumentClient } from '../data/clients';
import type { TransactionEntities, TransactionItem } from '../data/service';
import { writeTransaction, type Rejections } from '../data/transactions';
import { auditSourceOf } from './actor';
import { auditEventItem, type AuditChange } from './audit-log';

/**
 * A tenant's change and its audit event, committed in one transaction (`writeTransaction`): the
 * items `build` names, and the event of `change` by the context's actor, all at one time: the
 * request's one "now", or `now` where the work names its own (the records' `createdAt` and
 * `updatedAt` too: ElectroDB stamps them with the time the build runs at). Nothing is audited that did not happen, and nothing
 * happens unaudited. Through the tenant-guarded client unless the change names another (platform
 * work on a tenant: provisioning, a subscription's sync).
 */
export async function writeAudited<Items extends Record<string, TransactionItem>>(
  ctx: TenantContext,
  change: AuditChange,
  build: (entities: TransactionEntities) => Items,
  options: { rejections?: Rejections<Items>; now?: Date; client?: DynamoDBDocumentClient } = {},
): Promise<void> {
  const at = options.now ?? ctx.receivedAt ?? writeTime();
  const audit = auditEventItem(ctx.tenantId, auditSourceOf(ctx), change, at);
  await runAt(at, () =>
    writeTransaction(
      options.client ?? tenantDocumentClient,
      (entities) => ({ ...build(entities), audit: entities.auditEvent.create(audit).commit() }),
      (options.rejections ?? {}) as Rejections<Items & { audit: TransactionItem }>,
    ),
  );
}
