import {
  LIMIT_NAMES,
  PERIODIC_RESOURCES,
  PLAN_IDS,
  PLANS,
  quotaPolicyOf,
  type QuotaPolicy,
  type FeatureFlag,
  type Limits,
  type Money,
  type OveragePrice,
  type PeriodicResource,
  type PlanId,
  type Retention,
} from '../model/plans';
import { RATE_POLICIES, RATE_POLICY_NAMES, type RatePolicyName } from '../model/rate-policies';

export interface PlanView {
  id: PlanId;
  name: string;
  monthlyPrice: Money | null;
  /** Bought through checkout; the others (enterprise) by contract. */
  selfServe: boolean;
  limits: Limits;
  features: FeatureFlag[];
  auditRetentionDays: number;
  /** Days each class of data is kept while the tenant is active (`null`: as long as the tenant). */
  retention: Retention;
  overage: {
    /** How far past a monthly limit use may go, billed as overage (percent of the limit). */
    allowancePercent: number;
    prices: Partial<Record<PeriodicResource, OveragePrice>>;
  };
  /** The policy at each monthly resource's limit. */
  quotaPolicies: Record<PeriodicResource, QuotaPolicy>;
  /** Each route rate policy's calls a minute (`null`: none beyond `limits.requestsPerMinute`). */
  ratePolicies: Record<RatePolicyName, number | null>;
}

/** Every plan as sold, from the plan data: what `GET /v1/plans` shows and the Stripe setup creates. */
export function planCatalog(): PlanView[] {
  return PLAN_IDS.map((id) => {
    const plan = PLANS[id];
    return {
      id,
      name: plan.name,
      monthlyPrice: plan.monthlyPrice,
      selfServe: plan.monthlyPrice !== null,
      limits: Object.fromEntries(LIMIT_NAMES.map((name) => [name, plan.limits[name]])) as Limits,
      features: [...plan.features],
      auditRetentionDays: plan.retention.auditEvents,
      retention: plan.retention,
      overage: { allowancePercent: plan.graceOveragePercent, prices: plan.overagePrices },
      quotaPolicies: Object.fromEntries(
        PERIODIC_RESOURCES.map((resource) => [resource, quotaPolicyOf(id, resource)]),
      ) as Record<PeriodicResource, QuotaPolicy>,
      ratePolicies: Object.fromEntries(
        RATE_POLICY_NAMES.map((name) => [name, RATE_POLICIES[name].perMinute[id]]),
      ) as Record<RatePolicyName, number | null>,
    };
  });
}
