import { requestTime, runAt, type TenantContext } from '../context/tenant-context';
import { platformDocumentClient } from '../data/clients';
import { RouteStatsEntity, type RouteStatsItem } from '../data/entities/route-stats';
import { expiresAfterDays } from '../data/ttl';
import { ValidationError } from '../errors';
import { isConditionalFailure } from '../data/dynamo-errors';
import type { RouteFigures, TenantRouteFigures } from './request-log';

import { ROUTE_REPORT_MAX_DAYS } from '../model/operator-figures';

/** How long a tenant's hourly route figures are kept. */
export const ROUTE_STATS_RETENTION_DAYS = ROUTE_REPORT_MAX_DAYS + 1;

const PUTS_AT_ONCE = 10;

export function hourKey(at: Date): string {
  return at.toISOString().slice(0, 13);
}

/**
 * Writes the hour's figures of each tenant that had requests in it: one item per tenant, replaced
 * whole (a run that counts the hour again writes the same or a later picture, never a sum twice),
 * unless the stored one was counted further.
 * Written by the operator figures job, for every tenant, through the platform client.
 */
export async function writeRouteStats(
  hourStart: Date,
  countedUntil: Date,
  rows: TenantRouteFigures[],
): Promise<number> {
  const byTenant = new Map<string, RouteFigures[]>();
  for (const { tenantId, ...figures } of rows) {
    const routes = byTenant.get(tenantId);
    if (routes) routes.push(figures);
    else byTenant.set(tenantId, [figures]);
  }
  const hour = hourKey(hourStart);
  const items = [...byTenant.entries()].map(([tenantId, routes]) => ({
    tenantId,
    hour,
    routes: routes.sort((a, b) => a.route.localeCompare(b.route)),
    countedUntil: countedUntil.toISOString(),
    expiresAt: expiresAfterDays(hourStart, ROUTE_STATS_RETENTION_DAYS),
  }));
  const until = countedUntil.toISOString();
  await runAt(countedUntil, async () => {
    // Side by side, a few at a time; each only over an older picture of the hour (runs may overlap
    // or finish out of order: the one that counted further wins).
    for (let i = 0; i < items.length; i += PUTS_AT_ONCE) {
      await Promise.all(
        items.slice(i, i + PUTS_AT_ONCE).map(async (item) => {
          try {
            await RouteStatsEntity.put(item)
              .where(
                (attr, op) => `${op.notExists(attr.countedUntil)} OR ${op.lte(attr.countedUntil, until)}`,
              )
              .go({ client: platformDocumentClient, response: 'none' });
          } catch (error) {
            if (!isConditionalFailure(error)) throw error;
          }
        }),
      );
    }
  });
  return items.length;
}

/** A tenant's hourly items between two instants (both hours included). */
export async function routeStatsBetween(
  ctx: Pick<TenantContext, 'tenantId'>,
  from: Date,
  to: Date,
): Promise<RouteStatsItem[]> {
  const result = await RouteStatsEntity.query
    .byTenant({ tenantId: ctx.tenantId })
    .between({ hour: hourKey(from) }, { hour: hourKey(to) })
    .go({ pages: 'all' });
  return result.data;
}

/** Figures added up over routes or hours; over more than one hour, `p99Ms` is the highest hourly p99 (an upper bound). */
export type RouteTotals = Omit<RouteFigures, 'route'>;

const ZERO: RouteTotals = {
  requests: 0,
  clientErrors: 0,
  throttled: 0,
  serverErrors: 0,
  meanMs: 0,
  p99Ms: 0,
  maxMs: 0,
  readUnits: 0,
  writeUnits: 0,
};

/** Adds figures up: counts sum, the mean is weighted by requests, p99 and max are the highest seen. */
export function addFigures(total: RouteTotals, figures: RouteTotals): RouteTotals {
  const requests = total.requests + figures.requests;
  return {
    requests,
    clientErrors: total.clientErrors + figures.clientErrors,
    throttled: total.throttled + figures.throttled,
    serverErrors: total.serverErrors + figures.serverErrors,
    meanMs: requests
      ? Math.round((total.meanMs * total.requests + figures.meanMs * figures.requests) / requests)
      : 0,
    p99Ms: Math.max(total.p99Ms, figures.p99Ms),
    maxMs: Math.max(total.maxMs, figures.maxMs),
    readUnits: total.readUnits + figures.readUnits,
    writeUnits: total.writeUnits + figures.writeUnits,
  };
}

export function totalOf(items: Pick<RouteStatsItem, 'routes'>[]): RouteTotals {
  return items.flatMap((item) => item.routes).reduce(addFigures, ZERO);
}

export interface RouteUsageQuery {
  from?: Date | undefined;
  to?: Date | undefined;
  granularity: 'hour' | 'day';
}

export interface RouteUsageReport {
  from: string;
  to: string;
  granularity: 'hour' | 'day';
  /** Up to when the newest hour's requests were counted: the report is no fresher than this. */
  countedUntil: string | null;
  total: RouteTotals;
  routes: Array<RouteTotals & { route: string; series: Array<RouteTotals & { start: string }> }>;
}

/**
 * The tenant's requests by route over a range (default: the last 24 hours), with a series per route
 * by hour or day: requests, client errors, throttled, server errors and latency. From the hourly
 * items the operator figures job writes, so the newest hour is as fresh as its last run.
 */
export async function routeUsageReport(
  ctx: TenantContext,
  query: RouteUsageQuery,
): Promise<RouteUsageReport> {
  const now = requestTime(ctx);
  const to = query.to ?? now;
  const from = query.from ?? new Date(to.getTime() - 23 * 3_600_000);
  if (from > to) throw new ValidationError('`from` must not be after `to`.', [], 'invalid_range');
  if (to.getTime() - from.getTime() > ROUTE_REPORT_MAX_DAYS * 86_400_000) {
    throw new ValidationError(
      `A route report spans at most ${ROUTE_REPORT_MAX_DAYS} days.`,
      [],
      'range_too_long',
    );
  }
  const items = await routeStatsBetween(ctx, from, to);
  const keyLength = query.granularity === 'hour' ? 13 : 10;
  const byRoute = new Map<string, { total: RouteTotals; buckets: Map<string, RouteTotals> }>();
  let countedUntil: string | null = null;
  for (const item of items) {
    if (!countedUntil || item.countedUntil > countedUntil) countedUntil = item.countedUntil;
    const bucket = item.hour.slice(0, keyLength);
    for (const { route, ...figures } of item.routes) {
      const entry = byRoute.get(route) ?? { total: ZERO, buckets: new Map<string, RouteTotals>() };
      entry.total = addFigures(entry.total, figures);
      entry.buckets.set(bucket, addFigures(entry.buckets.get(bucket) ?? ZERO, figures));
      byRoute.set(route, entry);
    }
  }
  const startOf = (key: string) =>
    query.granularity === 'hour' ? `${key}:00:00.000Z` : `${key}T00:00:00.000Z`;
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    granularity: query.granularity,
    countedUntil,
    total: totalOf(items),
    routes: [...byRoute.entries()]
      .map(([route, { total, buckets }]) => ({
        route,
        ...total,
        series: [...buckets.entries()]
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([key, figures]) => ({ start: startOf(key), ...figures })),
      }))
      .sort((a, b) => b.requests - a.requests || a.route.localeCompare(b.route)),
  };
}
