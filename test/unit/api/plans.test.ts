import { describe, expect, it } from 'vitest';
import { ROUTES } from '../../../shared/api/manifest';
import type { RouteDefinition } from '../../../shared/http/route';
import {
  DATA_CLASSES,
  FEATURE_FLAGS,
  LIMIT_NAMES,
  METERED_RESOURCE_NAMES,
  METERED_RESOURCES,
  PERIODIC_RESOURCES,
  PLAN_IDS,
  PLANS,
  quotaPolicyOf,
  type PlanId,
} from '../../../shared/model/plans';

/** The plans that can be reached from `plan` by following upgrades (the plan itself first). */
function upgradePath(plan: PlanId): PlanId[] {
  const path: PlanId[] = [plan];
  for (let next = PLANS[plan].upgradeTo; next !== null; next = PLANS[next].upgradeTo) {
    if (path.includes(next)) throw new Error(`the upgrades from ${plan} go round in a circle`);
    path.push(next);
  }
  return path;
}

/** `a` allows at least what `b` does (`null` is unlimited). */
const atLeast = (a: number | null, b: number | null) => a === null || (b !== null && a >= b);

describe('the plan catalogue', () => {
  it('sells only features the API checks: each is required by at least one route', () => {
    const required = new Set(
      (ROUTES as readonly RouteDefinition[]).flatMap((route) => (route.feature ? [route.feature] : [])),
    );
    const sold = new Set(PLAN_IDS.flatMap((plan) => PLANS[plan].features));
    expect([...sold].filter((feature) => !required.has(feature))).toEqual([]);
    // Every declared feature is sold by some plan, and every route's feature is a declared one.
    expect(FEATURE_FLAGS.filter((feature) => !sold.has(feature))).toEqual([]);
    expect([...required].filter((feature) => !FEATURE_FLAGS.includes(feature))).toEqual([]);
  });

  it('leads every plan up to one that sells everything, each step allowing no less than the one before', () => {
    for (const plan of PLAN_IDS) {
      const path = upgradePath(plan);
      for (let step = 1; step < path.length; step += 1) {
        const lower = PLANS[path[step - 1] as PlanId];
        const higher = PLANS[path[step] as PlanId];
        for (const limit of LIMIT_NAMES)
          expect(atLeast(higher.limits[limit], lower.limits[limit]), `${higher.id} ${limit}`).toBe(true);
        for (const feature of lower.features) expect(higher.features, higher.id).toContain(feature);
        for (const dataClass of DATA_CLASSES) {
          const kept = atLeast(higher.retention[dataClass], lower.retention[dataClass]);
          expect(kept, `${higher.id} keeps ${dataClass}`).toBe(true);
        }
      }
      const top = PLANS[path.at(-1) as PlanId];
      expect([...top.features].sort()).toEqual([...FEATURE_FLAGS].sort());
    }
  });

  it('prices the self-serve plans in rising order along the upgrades, and bills overage only where a grace allows it', () => {
    const selfServe = upgradePath('free').filter((plan) => PLANS[plan].monthlyPrice !== null);
    const prices = selfServe.map((plan) => PLANS[plan].monthlyPrice?.amount ?? 0);
    expect(prices).toEqual([...prices].sort((a, b) => a - b));
    expect(new Set(prices).size).toBe(prices.length);
    for (const plan of PLAN_IDS) {
      const { graceOveragePercent, overagePrices } = PLANS[plan];
      expect(Object.keys(overagePrices).length > 0, plan).toBe(graceOveragePercent > 0);
    }
  });

  it('declares quota policies only where they are enforced, and overage only where it is priced', () => {
    for (const plan of PLAN_IDS) {
      for (const resource of PERIODIC_RESOURCES) {
        const policy = quotaPolicyOf(plan, resource);
        // API calls are metered in leased blocks: their policy is an amount, never time.
        if (resource === 'apiCalls') {
          expect(
            policy.kind === 'suspend' || (policy.kind === 'overage' && policy.forHours !== null),
            plan,
          ).toBe(false);
        }
        // Overage admitted is overage billed: a policy past the limit needs the plan's price for it.
        if (policy.kind !== 'refuse')
          expect(PLANS[plan].overagePrices[resource], `${plan} ${resource}`).toBeDefined();
      }
    }
  });

  it('declares each metered resource with a limit and, where overage is allowed, a price on every plan', () => {
    for (const resource of METERED_RESOURCE_NAMES) {
      expect(METERED_RESOURCES[resource].stripeMeter).toMatch(/^tenantry_[A-Za-z]+_overage$/);
      for (const plan of PLAN_IDS)
        expect(PLANS[plan].limits[resource], `${plan} ${resource}`).not.toBeUndefined();
    }
  });
});
