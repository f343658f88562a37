import { getConfig } from '../config';
import { platformDocumentClient } from '../data/clients';
import { PlatformMetricsEntity } from '../data/entities/platform-metrics';
import { QuotaCounterEntity, type QuotaCounterItem } from '../data/entities/quota-counter';
import { TenantEntity, type TenantItem } from '../data/entities/tenant';
import { PLAN_IDS, PLANS, type PlanId } from '../model/plans';
import { TENANT_STATUSES, type TenantStatus } from '../model/tenant-status';
import { capacityCostUsd } from '../quotas/capacity-ledger';
import { monthPeriod, previousMonthPeriod, startOfNextMonth } from '../quotas/periods';
import type { TenantRouteFigures } from './request-log';
import { trafficSeverities } from './tenant-health';

/** Subscription statuses that are paid for: trials are not revenue yet, ended ones no longer. */
const PAYING = new Set(['active', 'past_due']);
const TOP = 10;
const ATTENTION_MAX = 50;

export interface TenantFigures {
  tenantId: string;
  name: string;
  plan: PlanId;
  status: TenantStatus;
  subscriptionStatus: string | null;
  /** The month so far: the plan's price times the share of the month gone, for a paid subscription. */
  revenueUsd: number;
  /** The month so far: the DynamoDB capacity its requests consumed, at on-demand prices. */
  costUsd: number;
  marginUsd: number;
  /** Requests of the traffic window (the clock hour in progress and the one before). */
  requests: number;
  serverErrors: number;
  throttled: number;
  /** When it last made a metered request (the minute), in this month or the last. */
  lastActiveAt: string | null;
  /** Why it is on the attention list (empty elsewhere). */
  attention: string[];
}

export interface PlatformMetrics {
  computedAt: string;
  period: string;
  /** How much of the month had gone when computed (0–1): what month-to-date revenue is prorated by. */
  monthElapsed: number;
  tenants: {
    total: number;
    byPlan: Record<PlanId, number>;
    byStatus: Record<TenantStatus, number>;
  };
  activeTenants: { days7: number; days30: number };
  revenue: {
    currency: 'usd';
    /** Monthly recurring revenue: the plan price of every paid subscription (overage excluded). */
    mrrUsd: number;
    byPlan: Record<PlanId, { subscriptions: number; mrrUsd: number }>;
    /** Tenants on a plan sold by contract (no list price): their revenue is not in these figures. */
    contractTenants: number;
    monthToDateUsd: number;
  };
  servingCost: { readUnits: number; writeUnits: number; monthToDateUsd: number };
  traffic: {
    from: string;
    countedUntil: string | null;
    requests: number;
    serverErrors: number;
    throttled: number;
  };
  lowestMargin: TenantFigures[];
  noisiest: TenantFigures[];
  attention: TenantFigures[];
}

const round = (value: number, digits = 6) => Number(value.toFixed(digits));

async function everyTenant(): Promise<TenantItem[]> {
  const tenants: TenantItem[] = [];
  for (let shard = 0; shard < getConfig().tenants.platformShards; shard += 1) {
    let cursor: string | null = null;
    do {
      const page: { data: TenantItem[]; cursor: string | null } = await TenantEntity.query
        .platformListing({ shard })
        .go({ client: platformDocumentClient, count: 100, cursor });
      tenants.push(...page.data);
      cursor = page.cursor;
    } while (cursor);
  }
  return tenants;
}

/** The API-call counters of this month and the last for each tenant (units, last minute metered). */
async function callCounters(tenantIds: string[], now: Date): Promise<Map<string, QuotaCounterItem[]>> {
  const periods = [monthPeriod(now), previousMonthPeriod(now)];
  const keys = tenantIds.flatMap((tenantId) =>
    periods.map((period) => ({ tenantId, resource: 'apiCalls' as const, period })),
  );
  const found = new Map<string, QuotaCounterItem[]>();
  for (let i = 0; i < keys.length; i += 100) {
    const result = await QuotaCounterEntity.get(keys.slice(i, i + 100)).go({
      client: platformDocumentClient,
    });
    if (result.unprocessed.length) throw new Error('DynamoDB left API-call counters unread');
    for (const counter of result.data) {
      const list = found.get(counter.tenantId) ?? [];
      list.push(counter);
      found.set(counter.tenantId, list);
    }
  }
  return found;
}

/**
 * The platform's figures now, from the tenant records (plan, status, subscription), each tenant's
 * API-call counters (capacity units, last metered minute) and the traffic figures in hand (`rows`,
 * the window's requests by tenant and route). One walk of the tenant listing and one batch read per
 * 50 tenants: at 10,000 tenants, about 300 reads.
 */
export async function computePlatformMetrics(
  now: Date,
  rows: TenantRouteFigures[],
  window: { from: Date; countedUntil: Date | null },
): Promise<PlatformMetrics> {
  const tenants = await everyTenant();
  const counters = await callCounters(
    tenants.filter((tenant) => tenant.status !== 'deleted').map((tenant) => tenant.tenantId),
    now,
  );
  return platformMetricsOf(now, tenants, counters, rows, window);
}

/** The figures from their inputs (no reads): what the job and the unit tests compute. */
export function platformMetricsOf(
  now: Date,
  tenants: TenantItem[],
  counters: Map<string, QuotaCounterItem[]>,
  rows: TenantRouteFigures[],
  window: { from: Date; countedUntil: Date | null },
): PlatformMetrics {
  const live = tenants.filter((tenant) => tenant.status !== 'deleted');
  const period = monthPeriod(now);
  const monthStart = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
  const monthElapsed = round(
    (now.getTime() - monthStart) / (startOfNextMonth(now).getTime() - monthStart),
    4,
  );
  const traffic = new Map<string, { requests: number; serverErrors: number; throttled: number }>();
  for (const row of rows) {
    const total = traffic.get(row.tenantId) ?? { requests: 0, serverErrors: 0, throttled: 0 };
    total.requests += row.requests;
    total.serverErrors += row.serverErrors;
    total.throttled += row.throttled;
    traffic.set(row.tenantId, total);
  }

  const byPlan = Object.fromEntries(PLAN_IDS.map((plan) => [plan, 0])) as Record<PlanId, number>;
  const byStatus = Object.fromEntries(TENANT_STATUSES.map((status) => [status, 0])) as Record<
    TenantStatus,
    number
  >;
  const revenueByPlan = Object.fromEntries(
    PLAN_IDS.map((plan) => [plan, { subscriptions: 0, mrrUsd: 0 }]),
  ) as PlatformMetrics['revenue']['byPlan'];
  for (const tenant of tenants) {
    byPlan[tenant.plan] += 1;
    byStatus[tenant.status] += 1;
  }
  let contractTenants = 0;
  let readUnits = 0;
  let writeUnits = 0;
  let active7 = 0;
  let active30 = 0;
  const figures = live.map((tenant): TenantFigures => {
    const price = PLANS[tenant.plan].monthlyPrice;
    if (!price) contractTenants += 1;
    const paying = PAYING.has(tenant.subscriptionStatus ?? '') && price !== null && price.amount > 0;
    const mrr = paying && price ? price.amount / 100 : 0;
    if (paying) {
      revenueByPlan[tenant.plan].subscriptions += 1;
      revenueByPlan[tenant.plan].mrrUsd += mrr;
    }
    const own = counters.get(tenant.tenantId) ?? [];
    const month = own.find((counter) => counter.period === period);
    const units = { read: month?.readUnits ?? 0, write: month?.writeUnits ?? 0 };
    readUnits += units.read;
    writeUnits += units.write;
    const lastMinute = own
      .map((counter) => counter.windowMinute)
      .filter((minute): minute is string => Boolean(minute))
      .sort()
      .at(-1);
    const lastActiveAt = lastMinute ? `${lastMinute}:00.000Z` : null;
    const idleMs = lastActiveAt ? now.getTime() - Date.parse(lastActiveAt) : Number.POSITIVE_INFINITY;
    if (idleMs <= 7 * 86_400_000) active7 += 1;
    if (idleMs <= 30 * 86_400_000) active30 += 1;
    const revenueUsd = round(mrr * monthElapsed);
    const costUsd = round(capacityCostUsd(units));
    const seen = traffic.get(tenant.tenantId) ?? { requests: 0, serverErrors: 0, throttled: 0 };
    const attention: string[] = [];
    if (tenant.status === 'suspended') attention.push('suspended');
    if (
      tenant.pastDueSince ||
      tenant.subscriptionStatus === 'past_due' ||
      tenant.subscriptionStatus === 'unpaid'
    )
      attention.push('payment_failed');
    const severities = trafficSeverities(seen);
    if (severities.errorRate) attention.push('error_rate');
    if (severities.throttling) attention.push('throttling');
    return {
      tenantId: tenant.tenantId,
      name: tenant.name,
      plan: tenant.plan,
      status: tenant.status,
      subscriptionStatus: tenant.subscriptionStatus ?? null,
      revenueUsd,
      costUsd,
      marginUsd: round(revenueUsd - costUsd),
      ...seen,
      lastActiveAt,
      attention,
    };
  });
  const mrrUsd = round(
    Object.values(revenueByPlan).reduce((sum, plan) => sum + plan.mrrUsd, 0),
    2,
  );
  const windowTotal = [...traffic.values()].reduce(
    (sum, seen) => ({
      requests: sum.requests + seen.requests,
      serverErrors: sum.serverErrors + seen.serverErrors,
      throttled: sum.throttled + seen.throttled,
    }),
    { requests: 0, serverErrors: 0, throttled: 0 },
  );
  const byId = (a: TenantFigures, b: TenantFigures) => a.tenantId.localeCompare(b.tenantId);
  return {
    computedAt: now.toISOString(),
    period,
    monthElapsed,
    tenants: { total: tenants.length, byPlan, byStatus },
    activeTenants: { days7: active7, days30: active30 },
    revenue: {
      currency: 'usd',
      mrrUsd,
      byPlan: revenueByPlan,
      contractTenants,
      monthToDateUsd: round(mrrUsd * monthElapsed, 2),
    },
    servingCost: {
      readUnits,
      writeUnits,
      monthToDateUsd: round(capacityCostUsd({ read: readUnits, write: writeUnits })),
    },
    traffic: {
      from: window.from.toISOString(),
      countedUntil: window.countedUntil?.toISOString() ?? null,
      ...windowTotal,
    },
    lowestMargin: [...figures].sort((a, b) => a.marginUsd - b.marginUsd || byId(a, b)).slice(0, TOP),
    noisiest: figures
      .filter((tenant) => tenant.requests > 0)
      .sort((a, b) => b.requests - a.requests || byId(a, b))
      .slice(0, TOP),
    attention: figures
      .filter((tenant) => tenant.attention.length)
      .sort((a, b) => b.attention.length - a.attention.length || byId(a, b))
      .slice(0, ATTENTION_MAX),
  };
}

export async function storePlatformMetrics(metrics: PlatformMetrics): Promise<void> {
  await PlatformMetricsEntity.put({ computedAt: metrics.computedAt, figures: metrics }).go({
    response: 'none',
  });
}

export async function latestPlatformMetrics(): Promise<PlatformMetrics | null> {
  const item = (await PlatformMetricsEntity.get({}).go({ consistent: true })).data;
  return item ? (item.figures as PlatformMetrics) : null;
}

/**
 * What `GET /v1/platform/metrics` answers: the job's last figures; before its first run, the figures
 * computed now without traffic (not stored: the job's run is the one that writes them).
 */
export async function platformMetrics(now: Date): Promise<PlatformMetrics> {
  const latest = await latestPlatformMetrics();
  if (latest) return latest;
  const from = new Date(now.getTime() - 3_600_000);
  from.setUTCMinutes(0, 0, 0);
  return computePlatformMetrics(now, [], { from, countedUntil: null });
}
