import { describe, expect, it } from 'vitest';
import { PLAN_IDS, PLANS } from '../../shared/tenants/plans';
import { call } from '../helpers/twin-api';

interface PlanView {
  id: string;
  monthlyPrice: { amount: number; currency: string } | null;
  selfServe: boolean;
  limits: Record<string, number | null>;
  overage: { allowancePercent: number; prices: Record<string, { per: number; price: { amount: number } }> };
}

describe('the plans for sale', () => {
  it('lists every plan with its price, limits and overage prices, to anyone', async () => {
    const response = await call<{ items: PlanView[] }>('GET', '/v1/plans');
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('public, max-age=300');
    expect(response.body.items.map((plan) => plan.id)).toEqual([...PLAN_IDS]);
    const byId = Object.fromEntries(response.body.items.map((plan) => [plan.id, plan]));
    expect(byId.free).toMatchObject({ monthlyPrice: { amount: 0, currency: 'usd' }, selfServe: true });
    expect(byId.starter?.monthlyPrice?.amount).toBe(PLANS.starter.monthlyPrice?.amount);
    expect(byId.professional?.limits.tokens).toBe(PLANS.professional.limits.tokens);
    expect(byId.professional?.overage.allowancePercent).toBe(20);
    expect(byId.professional?.overage.prices.tokens).toMatchObject({ per: 1_000 });
    expect(byId.enterprise).toMatchObject({ monthlyPrice: null, selfServe: false });
    expect(byId.enterprise?.limits.users).toBeNull();
  });
});
