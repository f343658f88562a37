import { describe, expect, it } from 'vitest';
import type { QuotaCounterItem } from '../../../shared/data/entities/quota-counter';
import type { TenantItem } from '../../../shared/data/entities/tenant';
import { platformMetricsOf } from '../../../shared/operations/platform-metrics';

// Half of December gone: 15.5 days of 31.
const now = new Date('2026-12-16T12:00:00.000Z');

function tenant(id: string, fields: Partial<TenantItem>): TenantItem {
  return {
    tenantId: id,
    name: `Tenant ${id}`,
    slug: id.toLowerCase(),
    plan: 'free',
    status: 'active',
    shard: 0,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...fields,
  } as TenantItem;
}

function calls(tenantId: string, period: string, fields: Partial<QuotaCounterItem>): QuotaCounterItem {
  return {
    tenantId,
    resource: 'apiCalls',
    period,
    used: 0,
    updatedAt: now.toISOString(),
    ...fields,
  } as QuotaCounterItem;
}

const tenants = [
  tenant('ten_PAID', { plan: 'professional', subscriptionStatus: 'active' }),
  tenant('ten_LATE', {
    plan: 'starter',
    subscriptionStatus: 'past_due',
    pastDueSince: '2026-12-10T00:00:00.000Z',
  }),
  tenant('ten_TRIAL', { plan: 'starter', subscriptionStatus: 'trialing' }),
  tenant('ten_FREE', { plan: 'free' }),
  tenant('ten_BIG', { plan: 'enterprise', subscriptionStatus: 'active' }),
  tenant('ten_SUSP', { plan: 'free', status: 'suspended' }),
  tenant('ten_GONE', { plan: 'professional', status: 'deleted', subscriptionStatus: 'active' }),
];
const counters = new Map([
  // Read 8 M and wrote 2 M units this month: $1 + $1.25.
  [
    'ten_FREE',
    [
      calls('ten_FREE', '2026-12', {
        readUnits: 8_000_000,
        writeUnits: 2_000_000,
        windowMinute: '2026-12-16T11:59',
      }),
    ],
  ],
  [
    'ten_PAID',
    [calls('ten_PAID', '2026-12', { readUnits: 800, writeUnits: 100, windowMinute: '2026-12-10T08:00' })],
  ],
  // Active last month only, 20 days ago.
  ['ten_TRIAL', [calls('ten_TRIAL', '2026-11', { windowMinute: '2026-11-26T12:00' })]],
]);
const row = (tenantId: string, requests: number, serverErrors: number, throttled: number) => ({
  tenantId,
  route: 'agents.list',
  requests,
  clientErrors: 0,
  throttled,
  serverErrors,
  meanMs: 5,
  p99Ms: 9,
  maxMs: 10,
  readUnits: 0,
  writeUnits: 0,
});
const window = { from: new Date('2026-12-16T11:00:00.000Z'), countedUntil: now };

describe('the platform figures', () => {
  const figures = platformMetricsOf(
    now,
    tenants,
    counters,
    [
      row('ten_FREE', 500, 0, 0),
      row('ten_PAID', 100, 10, 0),
      row('ten_PAID', 50, 0, 0),
      row('ten_TRIAL', 30, 0, 20),
    ],
    window,
  );

  it('count every tenant by plan and status, deleted ones included', () => {
    expect(figures.tenants.total).toBe(7);
    expect(figures.tenants.byStatus).toEqual({ active: 5, suspended: 1, deleted: 1 });
    expect(figures.tenants.byPlan).toEqual({
      free: 2,
      starter: 2,
      professional: 2,
      business: 0,
      enterprise: 1,
      partner: 0,
    });
  });

  it('take as recurring revenue the list price of paid subscriptions only: not trials, contracts or deleted tenants', () => {
    expect(figures.revenue.byPlan.professional).toEqual({ subscriptions: 1, mrrUsd: 299 });
    expect(figures.revenue.byPlan.starter).toEqual({ subscriptions: 1, mrrUsd: 29 });
    expect(figures.revenue.mrrUsd).toBe(328);
    expect(figures.revenue.contractTenants).toBe(1);
    expect(figures.monthElapsed).toBe(0.5);
    expect(figures.revenue.monthToDateUsd).toBe(164);
  });

  it('set each tenant’s month-to-date revenue against what its requests cost in DynamoDB', () => {
    const free = figures.lowestMargin.find((entry) => entry.tenantId === 'ten_FREE');
    expect(free).toMatchObject({ revenueUsd: 0, costUsd: 2.25, marginUsd: -2.25 });
    const paid = figures.lowestMargin.find((entry) => entry.tenantId === 'ten_PAID');
    expect(paid?.revenueUsd).toBe(149.5);
    expect(paid?.marginUsd).toBeCloseTo(149.5 - (800 * 0.125 + 100 * 0.625) / 1_000_000, 6);
    expect(figures.lowestMargin[0]?.tenantId).toBe('ten_FREE');
    const margins = figures.lowestMargin.map((entry) => entry.marginUsd);
    expect(margins).toEqual([...margins].sort((a, b) => a - b));
    expect(figures.servingCost.monthToDateUsd).toBeCloseTo(2.25 + 0.0001625, 5);
  });

  it('count a tenant active by its last metered minute, this month or the last', () => {
    expect(figures.activeTenants).toEqual({ days7: 2, days30: 3 });
  });

  it('rank the noisiest by the window’s requests and list who needs a look, and why', () => {
    expect(figures.noisiest.map((entry) => [entry.tenantId, entry.requests])).toEqual([
      ['ten_FREE', 500],
      ['ten_PAID', 150],
      ['ten_TRIAL', 30],
    ]);
    expect(Object.fromEntries(figures.attention.map((entry) => [entry.tenantId, entry.attention]))).toEqual({
      ten_LATE: ['payment_failed'],
      ten_SUSP: ['suspended'],
      ten_PAID: ['error_rate'],
      ten_TRIAL: ['throttling'],
    });
    expect(figures.traffic).toMatchObject({ requests: 680, serverErrors: 10, throttled: 20 });
  });
});
