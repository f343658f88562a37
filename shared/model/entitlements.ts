import {
  effectiveLimits,
  PLANS,
  type FeatureFlag,
  type LimitOverrides,
  type Limits,
  type PlanId,
} from './plans';

export interface Entitlements {
  plan: PlanId;
  limits: Limits;
  features: ReadonlySet<FeatureFlag>;
}

/** What a tenant may use: its plan's limits with its overrides, and its plan's features. */
export function entitlementsOf(tenant: { plan: PlanId; limitOverrides?: unknown }): Entitlements {
  return {
    plan: tenant.plan,
    limits: effectiveLimits(tenant.plan, tenant.limitOverrides as LimitOverrides | undefined),
    features: new Set(PLANS[tenant.plan].features),
  };
}
