import { isMetered, METERED_RESOURCES, type PeriodicResource, type PlanId } from '../model/plans';

/**
 * The names the plan data gives its Stripe objects, so that setup finds what it made before and
 * checkout finds the prices: by product id and by price lookup key, never by a stored Stripe id.
 */
export const productIdOf = (plan: PlanId) => `tenantry_${plan}`;
export const basePriceKeyOf = (plan: PlanId) => `tenantry_${plan}_monthly`;
export const overagePriceKeyOf = (plan: PlanId, resource: PeriodicResource) =>
  `tenantry_${plan}_${resource}_overage`;
/** A metered resource's meter is the one its declaration names; runs' and API calls' are named so. */
export const meterEventNameOf = (resource: PeriodicResource) =>
  isMetered(resource) ? METERED_RESOURCES[resource].stripeMeter : `tenantry_${resource}_overage`;
