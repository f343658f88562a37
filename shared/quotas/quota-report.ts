import { settingValue } from '../setting-registry';
import { QuotaCounterEntity, STANDING_PERIOD } from '../data/entities/quota-counter';
import { QuotaEventEntity } from '../data/entities/quota-event';
import { CAPACITY_SERIES, UsageBucketEntity } from '../data/entities/usage-bucket';
import { capacityCostUsd } from './capacity-ledger';
import { ValidationError } from '../errors';
import { requestTime, type TenantContext } from '../context/tenant-context';
import {
  isPeriodic,
  PERIODIC_RESOURCES,
  PLANS,
  QUOTA_RESOURCES,
  type PeriodicResource,
  type PlanId,
  type QuotaPolicy,
  type QuotaResource,
  type Retention,
} from '../model/plans';
import { hourBucket, monthPeriod, startOfNextMonth } from './periods';
import { poolOf } from './pools';
import { periodCounter } from './periodic-quota';
import { ceilingNow, ceilingOf, policyStanding } from './quota-policies';

export interface QuotaLine {
  resource: QuotaResource;
  period: string;
  used: number;
  limit: number | null;
  /** The ceiling actually enforced: the limit plus the plan's grace overage (periodic resources). */
  enforcedLimit: number | null;
  remaining: number | null;
  percent: number | null;
  overage: number;
  resetsAt: string | null;
  /**
   * The partner whose pool the tenant draws this resource from: `used`, the limits and what remains
   * are the pool's (the partner's and its pooled children's use together). `null` for its own.
   */
  pooledFrom: string | null;
  /**
   * Monthly resources: the plan's policy at the limit, when the month's use went past it (where the
   * policy counts time) and when its overage stops being admitted or the tenant is suspended.
   * `null` for counted resources.
   */
  policy: QuotaPolicy | null;
  overSince: string | null;
  overageEndsAt: string | null;
  suspendsAt: string | null;
}

export interface QuotaReport {
  plan: PlanId;
  period: string;
  quotas: QuotaLine[];
  rateLimit: { requestsPerMinute: number | null };
  features: string[];
  /** The audit log's days (as `retention.auditEvents`). */
  retentionDays: number;
  retention: Retention;
  /** The percentages at which a threshold event is recorded and emailed (configuration). */
  thresholds: number[];
  thresholdEvents: Array<{
    resource: string;
    period: string;
    threshold: number;
    used: number;
    limit: number;
    occurredAt: string;
    publishedTo: string | null;
  }>;
}

/** Every limit of the tenant, its use, the percentage and the period, with the threshold events of this period. */
export async function quotaReport(ctx: TenantContext, now: Date = requestTime(ctx)): Promise<QuotaReport> {
  const period = monthPeriod(now);
  const keys = QUOTA_RESOURCES.map((resource) => ({
    tenantId: ctx.tenantId,
    resource,
    period: isPeriodic(resource) ? period : STANDING_PERIOD,
  }));
  // A resource drawn from a partner's pool is counted on the partner's counter.
  const pooled = PERIODIC_RESOURCES.filter((resource) => poolOf(ctx, resource) !== undefined);
  const [counters, poolCounters, monthEvents, standingEvents] = await Promise.all([
    QuotaCounterEntity.get(keys).go({ consistent: true }),
    Promise.all(
      pooled.map(async (resource) => {
        const { key, options } = periodCounter(ctx, resource, period);
        return [
          resource,
          (await QuotaCounterEntity.get(key).go({ consistent: true, ...options })).data,
        ] as const;
      }),
    ),
    QuotaEventEntity.query.byTenant({ tenantId: ctx.tenantId, period }).go({ pages: 'all' }),
    QuotaEventEntity.query.byTenant({ tenantId: ctx.tenantId, period: STANDING_PERIOD }).go({ pages: 'all' }),
  ]);
  const counterOf = new Map<string, { used: number; overSince?: string | undefined }>(
    counters.data.map((counter) => [`${counter.resource}#${counter.period}`, counter]),
  );
  for (const [resource, counter] of poolCounters) {
    counterOf.set(`${resource}#${period}`, { used: counter?.used ?? 0 });
  }
  const resetsAt = startOfNextMonth(now).toISOString();
  const quotas = keys.map(({ resource, period: keyPeriod }): QuotaLine => {
    const counter = counterOf.get(`${resource}#${keyPeriod}`);
    const used = counter?.used ?? 0;
    const limit = ctx.limits[resource];
    return {
      resource,
      period: keyPeriod,
      used,
      limit,
      enforcedLimit: isPeriodic(resource)
        ? ceilingNow(ctx, resource, counter, now)
        : ceilingOf(ctx, resource),
      remaining: limit === null ? null : Math.max(0, limit - used),
      percent: limit === null ? null : limit === 0 ? 100 : Math.round((used / limit) * 1000) / 10,
      overage: limit === null ? 0 : Math.max(0, used - limit),
      resetsAt: isPeriodic(resource) ? resetsAt : null,
      pooledFrom: poolOf(ctx, resource)?.tenantId ?? null,
      ...(isPeriodic(resource)
        ? policyStanding(ctx, resource, counter)
        : { policy: null, overSince: null, overageEndsAt: null, suspendsAt: null }),
    };
  });
  return {
    plan: ctx.plan,
    period,
    quotas,
    rateLimit: { requestsPerMinute: ctx.limits.requestsPerMinute },
    features: [...ctx.features],
    retentionDays: PLANS[ctx.plan].retention.auditEvents,
    retention: PLANS[ctx.plan].retention,
    thresholds: [...(settingValue(ctx.typedSettings, 'quotas.notifyAtPercent') as number[])],
    thresholdEvents: [...standingEvents.data, ...monthEvents.data].map((event) => ({
      resource: event.resource,
      period: event.period,
      threshold: event.threshold,
      used: event.used,
      limit: event.limit,
      occurredAt: event.occurredAt,
      publishedTo: event.publishedTo ?? null,
    })),
  };
}

function monthsBetween(from: Date, to: Date): string[] {
  const months: string[] = [];
  for (
    let at = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), 1));
    at <= to;
    at = startOfNextMonth(at)
  ) {
    months.push(monthPeriod(at));
  }
  return months;
}

/**
 * API calls of each month's current minute window, not yet added to an hourly bucket (that happens
 * when the next minute's first request arrives), as hourly points within the range.
 */
/** What the open minute of the API-call counter holds of a series, not yet in its hour's bucket. */
const OPEN_WINDOW_FIELD = {
  apiCalls: 'windowCount',
  readUnits: 'windowReadUnits',
  writeUnits: 'windowWriteUnits',
} as const;

async function openWindows(
  ctx: TenantContext,
  from: Date,
  to: Date,
  series: keyof typeof OPEN_WINDOW_FIELD,
): Promise<Array<{ hour: string; used: number }>> {
  const field = OPEN_WINDOW_FIELD[series];
  const counters = await QuotaCounterEntity.get(
    monthsBetween(from, to).map((period) => ({
      tenantId: ctx.tenantId,
      resource: 'apiCalls' as const,
      period,
    })),
  ).go({ consistent: true });
  const [fromMinute, toMinute] = [from.toISOString().slice(0, 16), to.toISOString().slice(0, 16)];
  return counters.data
    .filter((counter) => counter.windowMinute && counter[field])
    .filter(
      (counter) => (counter.windowMinute ?? '') >= fromMinute && (counter.windowMinute ?? '') <= toMinute,
    )
    .map((counter) => ({ hour: (counter.windowMinute ?? '').slice(0, 13), used: counter[field] ?? 0 }));
}

export type Granularity = 'hour' | 'day' | 'month';

export interface UsageQuery {
  from?: Date | undefined;
  to?: Date | undefined;
  granularity: Granularity;
  resource?: PeriodicResource | undefined;
}

export interface UsageReport {
  from: string;
  to: string;
  granularity: Granularity;
  resources: Record<string, { total: number; series: Array<{ start: string; used: number }> }>;
  /** What serving the tenant consumed in DynamoDB over the range, and its on-demand price. */
  servingCost?: { readUnits: number; writeUnits: number; dynamoDbUsd: number };
}

const KEY_LENGTH: Record<Granularity, number> = { hour: 13, day: 10, month: 7 };
const MAX_DAYS: Record<Granularity, number> = { hour: 31, day: 366, month: 366 };

function bucketStart(key: string, granularity: Granularity): string {
  if (granularity === 'hour') return `${key}:00:00.000Z`;
  if (granularity === 'day') return `${key}T00:00:00.000Z`;
  return `${key}-01T00:00:00.000Z`;
}

/**
 * Usage per resource from the hourly buckets, summed by hour, day or month. Defaults to the current
 * month by day. Hourly series are limited to 31 days, others to a year.
 */
export async function usageReport(
  ctx: TenantContext,
  query: UsageQuery,
  now: Date = requestTime(ctx),
): Promise<UsageReport> {
  const from = query.from ?? new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const to = query.to ?? now;
  if (from > to) throw new ValidationError('`from` must not be after `to`.', [], 'invalid_range');
  if (to.getTime() - from.getTime() > MAX_DAYS[query.granularity] * 86_400_000) {
    throw new ValidationError(
      `A ${query.granularity} series spans at most ${MAX_DAYS[query.granularity]} days.`,
      [],
      'range_too_long',
    );
  }
  const resources = query.resource ? [query.resource] : [...PERIODIC_RESOURCES, ...CAPACITY_SERIES];
  const report: UsageReport = {
    from: from.toISOString(),
    to: to.toISOString(),
    granularity: query.granularity,
    resources: {},
  };
  await Promise.all(
    resources.map(async (resource) => {
      const buckets = await UsageBucketEntity.query
        .byTenant({ tenantId: ctx.tenantId, resource })
        .between({ hour: hourBucket(from) }, { hour: hourBucket(to) })
        .go({ pages: 'all' });
      const hourly = buckets.data.map((bucket) => ({ hour: bucket.hour, used: bucket.used }));
      if (resource in OPEN_WINDOW_FIELD) {
        hourly.push(...(await openWindows(ctx, from, to, resource as keyof typeof OPEN_WINDOW_FIELD)));
      }
      const sums = new Map<string, number>();
      for (const bucket of hourly) {
        const key = bucket.hour.slice(0, KEY_LENGTH[query.granularity]);
        sums.set(key, (sums.get(key) ?? 0) + bucket.used);
      }
      const series = [...sums.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([key, used]) => ({ start: bucketStart(key, query.granularity), used }));
      report.resources[resource] = { total: series.reduce((sum, point) => sum + point.used, 0), series };
    }),
  );
  const read = report.resources.readUnits?.total;
  const write = report.resources.writeUnits?.total;
  if (read !== undefined && write !== undefined) {
    report.servingCost = {
      readUnits: read,
      writeUnits: write,
      dynamoDbUsd: Number(capacityCostUsd({ read, write }).toFixed(6)),
    };
  }
  return report;
}
