import { writeAudited } from '../audit/audited-transaction';
import { changedFieldsOf } from '../audit/audit-log';
import { requestTime, type TenantContext } from '../context/tenant-context';
import { forgetTenant } from '../data/cached-records';
import { platformDocumentClient } from '../data/clients';
import { TenantEntity, type TenantItem } from '../data/entities/tenant';
import { ConflictError, NotFoundError } from '../errors';
import { toTenantView, type TenantView } from './tenant-view';
import { childSummaryUpdates, summaryChange } from '../data/hierarchy-copies';
import type { TransactionEntities, TransactionItem } from '../data/service';

/** The tenant record, read strongly consistent: what was just changed is what is seen. */
export async function readTenant(ctx: TenantContext): Promise<TenantItem> {
  const result = await TenantEntity.get({ tenantId: ctx.tenantId }).go({ consistent: true });
  if (!result.data) throw new NotFoundError('No tenant has this id.', 'tenant_not_found');
  return result.data;
}

type MutableField =
  | 'name'
  | 'settings'
  | 'profile'
  | 'plan'
  | 'status'
  | 'statusReason'
  | 'suspendedBy'
  | 'typedSettings'
  | 'internalNote'
  | 'limitOverrides'
  | 'deletedAt'
  | 'deletedBy'
  | 'statusBeforeDeletion'
  | 'planBeforeDeletion'
  | 'purgeAfter';
/** The fields to change; a field given as `undefined` is removed. */
export type TenantChange = Partial<Pick<TenantItem, MutableField>>;

/** Kept out of the tenant's own audit log, which its admins read: the platform's internal note. */
const UNAUDITED = new Set(['internalNote']);

export function viewFor(ctx: TenantContext, item: TenantItem): TenantView {
  return toTenantView(item, { internal: ctx.principal.isPlatformAdmin });
}

/** Actions that may change a deleted tenant: none but its restoration. */
const ALLOWED_WHEN_DELETED = new Set(['tenant.restored']);

/**
 * Applies a change computed from the current record: one transaction updates the tenant, on the
 * condition that nobody changed it since it was read, and writes the audit event with the fields
 * that moved. A lost race is retried from a fresh read, a few times.
 */
export async function mutateTenant(
  ctx: TenantContext,
  action: string,
  compute: (current: TenantItem) => TenantChange,
  /** Items the change brings with it, in its transaction (work for the billing outbox). */
  also?: (
    entities: TransactionEntities,
    current: TenantItem,
    next: TenantItem,
  ) => Record<string, TransactionItem>,
): Promise<TenantView> {
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const current = await readTenant(ctx);
    if (current.status === 'deleted' && !ALLOWED_WHEN_DELETED.has(action)) {
      throw new ConflictError('A deleted tenant cannot be changed; restore it first.', 'tenant_deleted');
    }
    const change = compute(current);
    const now = requestTime(ctx);
    const next: TenantItem = { ...current, ...change, updatedAt: now.toISOString() };
    const set = Object.fromEntries(Object.entries(change).filter(([, value]) => value !== undefined));
    const removed = (Object.keys(change) as MutableField[]).filter((field) => change[field] === undefined);
    const audited = Object.keys(change).filter((field) => !UNAUDITED.has(field));
    const { before, after } = changedFieldsOf(current, next, audited);
    if (Object.keys(after).length === 0) return viewFor(ctx, current);
    try {
      await writeAudited(
        ctx,
        { action, targetType: 'tenant', targetId: ctx.tenantId, before, after },
        (entities) => ({
          tenant: entities.tenant
            .patch({ tenantId: ctx.tenantId })
            .set(set)
            .remove(removed)
            .where((attr, op) => op.eq(attr.updatedAt, current.updatedAt))
            .commit(),
          ...(also ? also(entities, current, next) : {}),
          ...childSummaryUpdates(entities, current, summaryChange(current, next), now.toISOString()),
        }),
        // The tenant's own outbox item is a platform item, and so are its ancestors' summaries of it:
        // the platform client carries those writes.
        { now, ...(also || current.ancestorIds?.length ? { client: platformDocumentClient } : {}) },
      );
      forgetTenant(ctx.tenantId);
      return viewFor(ctx, next);
    } catch (error) {
      if (!(error instanceof ConflictError) || attempt === 2) throw error;
    }
  }
  throw new ConflictError('The tenant is being changed by someone else; retry.', 'concurrent_modification');
}
