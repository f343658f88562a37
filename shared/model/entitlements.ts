import {
  effectiveLimits,
  isPoolable,
  PLANS,
  type Allocation,
  type AllocatableResource,
  type FeatureFlag,
  type LimitOverrides,
  type Limits,
  type PlanId,
  type PoolableResource,
  type QuotaResource,
} from './plans';

export interface Entitlements {
  plan: PlanId;
  limits: Limits;
  features: ReadonlySet<FeatureFlag>;
  /** The resources whose limit is a partner's slice: enforced without the plan's grace overage. */
  hardLimits: ReadonlySet<QuotaResource>;
  /** The resources it draws from its parent’s pool: whose counter, under whose plan’s ceiling. */
  pools: Partial<Record<PoolableResource, Pool>>;
}

/** A partner’s pool a child draws on: the partner’s own counter of the resource and its limit. */
export interface Pool {
  /** The partner: the counter is in its partition. */
  tenantId: string;
  plan: PlanId;
  /** Whether the partner’s own limit of it is a slice (no grace past it). */
  hard: boolean;
}

/** What a tenant record says of its limits, besides its plan. */
export interface LimitSources {
  plan: PlanId;
  limitOverrides?: unknown;
  /** The slices a partner gave this tenant: its limit for each, whatever its plan's. */
  allocation?: unknown;
  /** What this tenant (a partner) gave its children: taken off its own limits. */
  allocatedToChildren?: unknown;
  /** The resources it draws from its parent’s pool instead of its own limits. */
  pooled?: readonly string[] | undefined;
  tenantId?: string;
  parentId?: string | undefined;
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
export function entitlementsOf(tenant: LimitSources, parent?: LimitSources): Entitlements {
  const limits = ownLimits(tenant);
  for (const [resource, given] of Object.entries((tenant.allocatedToChildren ?? {}) as Allocation)) {
    const limit = limits[resource as AllocatableResource];
    if (typeof given === 'number' && limit !== null) {
      limits[resource as AllocatableResource] = Math.max(0, limit - given);
    }
  }
  const hardLimits = new Set(Object.keys((tenant.allocation ?? {}) as Allocation) as QuotaResource[]);
  const pools: Entitlements['pools'] = {};
  const pooled = poolsDrawn(tenant);
  if (pooled.length > 0) {
    // The parent’s own entitlements (never a pool of a pool: a pooled tenant pools with no child).
    // Without the parent’s record (a context that consumes nothing), the pool is closed: limit 0.
    const known = parent !== undefined && parent.tenantId === tenant.parentId;
    const theirs = known ? entitlementsOf({ ...parent, pooled: [] }) : undefined;
    for (const resource of pooled) {
      if (!theirs) {
        limits[resource] = 0;
        pools[resource] = { tenantId: tenant.parentId as string, plan: tenant.plan, hard: true };
        continue;
      }
      limits[resource] = theirs.limits[resource];
      hardLimits.delete(resource);
      pools[resource] = {
        tenantId: tenant.parentId as string,
        plan: (parent as LimitSources).plan,
        hard: theirs.hardLimits.has(resource),
      };
    }
  }
  return { plan: tenant.plan, limits, features: new Set(PLANS[tenant.plan].features), hardLimits, pools };
}

/** The resources a tenant draws from its parent’s pool (none for a tenant without a parent). */
export function poolsDrawn(tenant: Pick<LimitSources, 'pooled' | 'parentId'>): PoolableResource[] {
  if (!tenant.parentId) return [];
  return (tenant.pooled ?? []).filter((resource): resource is PoolableResource => isPoolable(resource));
}
