import {
  effectiveLimits,
  PLANS,
  type Allocation,
  type AllocatableResource,
  type FeatureFlag,
  type LimitOverrides,
  type Limits,
  type PlanId,
  type QuotaResource,
} from './plans';

export interface Entitlements {
  plan: PlanId;
  limits: Limits;
  features: ReadonlySet<FeatureFlag>;
  /** The resources whose limit is a partner's slice: enforced without the plan's grace overage. */
  hardLimits: ReadonlySet<QuotaResource>;
}

/** What a tenant record says of its limits, besides its plan. */
export interface LimitSources {
  plan: PlanId;
  limitOverrides?: unknown;
  /** The slices a partner gave this tenant: its limit for each, whatever its plan's. */
  allocation?: unknown;
  /** What this tenant (a partner) gave its children: taken off its own limits. */
  allocatedToChildren?: unknown;
}

/** A tenant's limits before what it gave its children is taken off: its plan, overrides and slices. */
export function ownLimits(tenant: LimitSources): Limits {
  const limits = effectiveLimits(tenant.plan, tenant.limitOverrides as LimitOverrides | undefined);
  for (const [resource, amount] of Object.entries((tenant.allocation ?? {}) as Allocation)) {
    if (typeof amount === 'number') limits[resource as AllocatableResource] = amount;
  }
  return limits;
}

/**
 * What a tenant may use: its plan's limits with its overrides; for a child, a partner's slice
 * instead of the limit, hard; for a partner, each limit less what it gave its children. Its plan's
 * features.
 */
export function entitlementsOf(tenant: LimitSources): Entitlements {
  const limits = ownLimits(tenant);
  for (const [resource, given] of Object.entries((tenant.allocatedToChildren ?? {}) as Allocation)) {
    const limit = limits[resource as AllocatableResource];
    if (typeof given === 'number' && limit !== null) {
      limits[resource as AllocatableResource] = Math.max(0, limit - given);
    }
  }
  return {
    plan: tenant.plan,
    limits,
    features: new Set(PLANS[tenant.plan].features),
    hardLimits: new Set(Object.keys((tenant.allocation ?? {}) as Allocation) as QuotaResource[]),
  };
}
