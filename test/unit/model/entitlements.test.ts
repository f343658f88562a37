import { describe, expect, it } from 'vitest';
import { entitlementsOf, ownLimits } from '../../../shared/model/entitlements';
import { enforcedCeiling, PLANS } from '../../../shared/model/plans';
import { totalsAfter } from '../../../shared/partners/allocations';
import { counterOwner } from '../../../shared/quotas/pools';
import { ceilingOf } from '../../../shared/quotas/quota-policies';

describe('entitlements with a partner’s slices', () => {
  it('makes a slice the child’s limit, whatever its plan, and hard (no grace past it)', () => {
    const child = entitlementsOf({ plan: 'business', allocation: { runs: 40, agents: 2 } });
    expect(child.limits.runs).toBe(40);
    expect(child.limits.agents).toBe(2);
    // Untouched resources follow the plan; the plan's grace applies to them only.
    expect(child.limits.tokens).toBe(PLANS.business.limits.tokens);
    expect([...child.hardLimits].sort()).toEqual(['agents', 'runs']);
    expect(PLANS.business.graceOveragePercent).toBeGreaterThan(0);
    expect(enforcedCeiling('business', 'runs', 40, child.hardLimits.has('runs'))).toBe(40);
    expect(enforcedCeiling('business', 'tokens', 1000, child.hardLimits.has('tokens'))).toBeGreaterThan(1000);
  });

  it('takes what a partner gave off its own limits, never below zero, and leaves unlimited ones so', () => {
    const partner = entitlementsOf({
      plan: 'partner',
      limitOverrides: { users: null },
      allocatedToChildren: { agents: 120, users: 10, runs: 1e9 },
    });
    expect(partner.limits.agents).toBe((PLANS.partner.limits.agents ?? 0) - 120);
    expect(partner.limits.users).toBeNull();
    expect(partner.limits.runs).toBe(0);
    expect(partner.hardLimits.size).toBe(0);
    // What it may give in all is its limit before the subtraction.
    expect(ownLimits({ plan: 'partner', allocatedToChildren: { agents: 120 } }).agents).toBe(
      PLANS.partner.limits.agents,
    );
  });

  it('counts a child’s new slices in the partner’s totals in place of its old ones', () => {
    expect(totalsAfter({ agents: 5, runs: 100 }, { agents: 2 }, { agents: 3, tokens: 10 })).toEqual({
      agents: 6,
      runs: 100,
      tokens: 10,
    });
    // A child's slices taken back entirely: the resource leaves the totals at zero.
    expect(totalsAfter({ agents: 2 }, { agents: 2 }, {})).toEqual({});
  });
});

describe('entitlements of a child drawing on its partner’s pool', () => {
  const partner = {
    tenantId: 'ten_partner',
    plan: 'partner' as const,
    limitOverrides: { runs: 1000 },
    allocatedToChildren: { runs: 200 },
    allocation: {},
  };

  it('takes the partner’s own limit, plan grace and counter for each pooled resource', () => {
    const child = entitlementsOf(
      {
        tenantId: 'ten_child',
        parentId: 'ten_partner',
        plan: 'free',
        pooled: ['runs'],
        allocation: { agents: 2 },
      },
      partner,
    );
    expect(child.limits.runs).toBe(800);
    expect(child.pools).toEqual({ runs: { tenantId: 'ten_partner', plan: 'partner', hard: false } });
    const ctx = { ...child, tenantId: 'ten_child' };
    expect(counterOwner(ctx, 'runs')).toBe('ten_partner');
    expect(ceilingOf(ctx, 'runs')).toBe(enforcedCeiling('partner', 'runs', 800));
    // Tokens are not pooled: the child's own plan, counter and ceiling (the positive control).
    expect(counterOwner(ctx, 'tokens')).toBe('ten_child');
    expect(ceilingOf(ctx, 'tokens')).toBe(enforcedCeiling('free', 'tokens', PLANS.free.limits.tokens));
    expect(ceilingOf(ctx, 'agents')).toBe(2);
  });

  it('closes the pool (limit 0) where the partner’s record was not read, and ignores pools of a tenant with no parent', () => {
    const unread = entitlementsOf({
      tenantId: 'ten_child',
      parentId: 'ten_partner',
      plan: 'free',
      pooled: ['runs'],
    });
    expect(unread.limits.runs).toBe(0);
    expect(ceilingOf(unread, 'runs')).toBe(0);
    const orphan = entitlementsOf({ tenantId: 'ten_root', plan: 'free', pooled: ['runs', 'agents'] });
    expect(orphan.pools).toEqual({});
    expect(orphan.limits.runs).toBe(PLANS.free.limits.runs);
  });
});
