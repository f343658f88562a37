import type { PlanId } from '../model/plans';
import type { TenantStatus } from '../model/tenant-status';
import type { TransactionEntities, TransactionItem } from './service';

/** What each ancestor keeps of a tenant below it (`childTenant`): its name, plan and status. */
export interface ChildSummary {
  name?: string | undefined;
  plan?: PlanId | undefined;
  status?: TenantStatus | undefined;
}

/** What moved of the summary a partner keeps of the tenant (name, plan, status) from `current` to `next`. */
export function summaryChange(current: ChildSummary, next: ChildSummary): ChildSummary {
  return {
    ...(next.name !== current.name ? { name: next.name } : {}),
    ...(next.plan !== current.plan ? { plan: next.plan } : {}),
    ...(next.status !== current.status ? { status: next.status } : {}),
  };
}

/**
 * The updates of a tenant's summary in each ancestor's partition, for the same transaction as the
 * tenant's own change: so a partner's list of its subtree never says other than the tenants do. None
 * for a tenant without ancestors, or a change that moves none of the three. Writes outside the
 * tenant's partition: the transaction goes through the platform client.
 */
export function childSummaryUpdates(
  entities: TransactionEntities,
  tenant: { tenantId: string; ancestorIds?: string[] | undefined },
  change: ChildSummary,
  now: string,
): Record<string, TransactionItem> {
  const set = Object.fromEntries(Object.entries(change).filter(([, value]) => value !== undefined));
  if (!tenant.ancestorIds?.length || Object.keys(set).length === 0) return {};
  return Object.fromEntries(
    tenant.ancestorIds.map((ancestorId, index) => [
      `ancestor${index}`,
      entities.childTenant
        .patch({ tenantId: ancestorId, childId: tenant.tenantId })
        .set({ ...set, updatedAt: now })
        .commit(),
    ]),
  );
}
