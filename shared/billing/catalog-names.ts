import type { PeriodicResource, PlanId } from '../model/plans';

/**
 * The names the plan data gives its Stripe objects, so that setup finds what it made before and
 * checkout finds the prices: by product id and by price lookup key, never by a stored Stripe id.
 */
export const productIdOf = (plan: PlanId) => `tenantry_${plan}`;
export const basePriceKeyOf = (plan: PlanId) => `tenantry_${plan}_monthly`;
export const overagePriceKeyOf = (plan: PlanId, resource: PeriodicResource) =>
  `tenantry_${plan}_${resource}_overage`;
export const meterEventNameOf = (resource: PeriodicResource) => `tenantry_${resource}_overage`;
