import { getConfig } from '../config';
import type { TenantItem } from '../data/entities/tenant';

/** A tenant as the API shows it. */
export interface TenantView {
  id: string;
  name: string;
  slug: string;
  plan: TenantItem['plan'];
  status: TenantItem['status'];
  statusReason: string | null;
  trialEndsAt: string | null;
  /** The paid plan a deletion cancelled, while the tenant is restored and has not bought one again. */
  resumablePlan: TenantItem['plan'] | null;
  /** Set while deleted: when, and when its data is purged (it can be restored until then). */
  deletedAt: string | null;
  purgeAfter: string | null;
  settings: NonNullable<TenantItem['settings']>;
  limitOverrides: Record<string, number | null>;
  createdAt: string;
  updatedAt: string;
  /** Platform admins only: their note on a suspension, apart from the reason the tenant sees. */
  internalNote?: string | null;
}

/**
 * Whether the tenant is on its trial: still on the trial plan, with no plan bought. A plan bought, set
 * by a platform admin, or dropped to at the trial's end ends it, whatever date was set.
 */
export function trialInEffect(item: TenantItem): boolean {
  return Boolean(item.trialEndsAt) && item.plan === getConfig().tenants.trialPlan && !item.subscriptionId;
}

/** The tenant as its caller may see it: `internal` (a platform admin) adds the internal note. */
export function toTenantView(item: TenantItem, options: { internal?: boolean } = {}): TenantView {
  return {
    ...(options.internal ? { internalNote: item.internalNote ?? null } : {}),
    id: item.tenantId,
    name: item.name,
    slug: item.slug,
    plan: item.plan,
    status: item.status,
    statusReason: item.statusReason || null,
    trialEndsAt: trialInEffect(item) ? (item.trialEndsAt ?? null) : null,
    resumablePlan:
      item.planBeforeDeletion &&
      item.status !== 'deleted' &&
      !item.subscriptionId &&
      item.plan !== item.planBeforeDeletion
        ? item.planBeforeDeletion
        : null,
    deletedAt: item.deletedAt ?? null,
    purgeAfter: item.purgeAfter ?? null,
    settings: item.settings ?? {},
    limitOverrides: (item.limitOverrides as Record<string, number | null> | undefined) ?? {},
    createdAt: item.createdAt,
    updatedAt: item.updatedAt,
  };
}
