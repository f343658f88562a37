import { getConfig } from '../config';
import { inWords } from '../events/catalogue';
import { requestTime, type TenantContext } from '../context/tenant-context';
import { loadTenant } from '../data/cached-records';
import type { TenantItem } from '../data/entities/tenant';
import { NotFoundError } from '../errors';
import { quotaReport, type QuotaLine } from '../quotas/quota-report';
import { listWebhookEndpoints } from '../webhooks/webhook-service';
import { routeStatsBetween, totalOf } from './route-stats';
import { HEALTH_THRESHOLDS, type HealthReasonCode, type HealthStatus } from '../model/operator-figures';

export { HEALTH_REASON_CODES, HEALTH_STATUSES, HEALTH_THRESHOLDS } from '../model/operator-figures';

export interface HealthReason {
  code: HealthReasonCode;
  severity: 'warning' | 'critical';
  summary: string;
  /** What the reason was computed from (the quota line, the traffic figures, the endpoint). */
  detail: Record<string, string | number | null>;
}

export interface TenantHealth {
  status: HealthStatus;
  reasons: HealthReason[];
  checkedAt: string;
  traffic: {
    /** The clock hour in progress and the one before. */
    from: string;
    requests: number;
    serverErrors: number;
    throttled: number;
    serverErrorRate: number | null;
    throttledRate: number | null;
    p99Ms: number;
    /** Up to when the operator figures job had counted the requests (`null`: none counted). */
    countedUntil: string | null;
  };
}

const percent = (rate: number) => `${Math.round(rate * 1000) / 10} %`;

/** A resource as a summary names it: "Runs", "API keys", "Storage". */
const named = (resource: string) => {
  const words = inWords.resource(resource);
  return words.charAt(0).toUpperCase() + words.slice(1);
};

function quotaReasons(lines: QuotaLine[], firstMark: number): HealthReason[] {
  return lines.flatMap((line): HealthReason[] => {
    // A zero limit is a resource the plan does not include, not one used up.
    if (line.limit === null || line.limit === 0 || line.percent === null) return [];
    const detail = { resource: line.resource, period: line.period, used: line.used, limit: line.limit };
    if (line.percent >= 100)
      return [
        {
          code: 'quota_exhausted',
          severity: 'critical',
          summary: `${named(line.resource)}: ${inWords.amount(line.resource, line.used)} of ${inWords.amount(line.resource, line.limit)} used; more is refused${line.resetsAt ? ` until ${inWords.date(line.resetsAt)}` : ''}.`,
          detail,
        },
      ];
    if (line.percent >= firstMark)
      return [
        {
          code: 'quota_nearing',
          severity: 'warning',
          summary: `${named(line.resource)}: ${line.percent} % of the limit used (${inWords.amount(line.resource, line.used)} of ${inWords.amount(line.resource, line.limit)}).`,
          detail,
        },
      ];
    return [];
  });
}

function paymentReason(tenant: TenantItem): HealthReason[] {
  const status = tenant.subscriptionStatus;
  if (!tenant.pastDueSince && status !== 'past_due' && status !== 'unpaid') return [];
  const since = tenant.pastDueSince ?? null;
  const suspendsAt = since
    ? new Date(Date.parse(since) + getConfig().stripe.graceDays * 86_400_000).toISOString()
    : null;
  const suspendedForIt = tenant.status === 'suspended';
  return [
    {
      code: 'payment_failed',
      severity: status === 'unpaid' || suspendedForIt ? 'critical' : 'warning',
      summary: suspendedForIt
        ? 'A payment failed and the grace ended: the tenant is suspended until it is paid.'
        : `A payment failed${since ? ` on ${since.slice(0, 10)}` : ''}; unless it is paid the tenant is suspended${suspendsAt ? ` on ${suspendsAt.slice(0, 10)}` : ''}.`,
      detail: { subscriptionStatus: status ?? null, pastDueSince: since, suspendsAt },
    },
  ];
}

/**
 * What a tenant's traffic says, by the thresholds (`HEALTH_THRESHOLDS`): a severity for its server
 * errors and for its 429s, each `undefined` when below them or when the requests are too few.
 */
export function trafficSeverities(traffic: { requests: number; serverErrors: number; throttled: number }): {
  errorRate: HealthReason['severity'] | undefined;
  throttling: HealthReason['severity'] | undefined;
} {
  if (traffic.requests < HEALTH_THRESHOLDS.minRequests)
    return { errorRate: undefined, throttling: undefined };
  const level = (rate: number, marks: { warning: number; critical: number }) =>
    rate >= marks.critical ? ('critical' as const) : rate >= marks.warning ? ('warning' as const) : undefined;
  return {
    errorRate: level(traffic.serverErrors / traffic.requests, HEALTH_THRESHOLDS.serverErrorRate),
    throttling: level(traffic.throttled / traffic.requests, HEALTH_THRESHOLDS.throttledRate),
  };
}

function trafficReasons(traffic: TenantHealth['traffic']): HealthReason[] {
  const reasons: HealthReason[] = [];
  const severities = trafficSeverities(traffic);
  const detail = {
    requests: traffic.requests,
    serverErrors: traffic.serverErrors,
    throttled: traffic.throttled,
    from: traffic.from,
    countedUntil: traffic.countedUntil,
  };
  if (severities.errorRate)
    reasons.push({
      code: 'error_rate',
      severity: severities.errorRate,
      summary: `${percent(traffic.serverErrorRate ?? 0)} of the tenant’s requests failed on our side (${traffic.serverErrors} of ${traffic.requests}).`,
      detail,
    });
  if (severities.throttling)
    reasons.push({
      code: 'throttling',
      severity: severities.throttling,
      summary: `${percent(traffic.throttledRate ?? 0)} of the tenant’s requests were refused with 429 (rate limit or API-call quota).`,
      detail,
    });
  return reasons;
}

/**
 * The tenant's health, computed from what is stored now: its status, its billing, its quotas, its
 * webhook endpoints and its traffic of the last clock hours (from the operator figures job). The
 * worst reason decides: critical, warning, else healthy.
 */
export async function healthAndQuotas(
  ctx: TenantContext,
): Promise<{ health: TenantHealth; quotas: QuotaLine[] }> {
  const now = requestTime(ctx);
  const from = new Date(now.getTime() - 3_600_000);
  from.setUTCMinutes(0, 0, 0);
  const [tenant, quotas, endpoints, stats] = await Promise.all([
    loadTenant(ctx.tenantId),
    quotaReport(ctx, now),
    listWebhookEndpoints(ctx),
    routeStatsBetween(ctx, from, now),
  ]);
  if (!tenant) throw new NotFoundError('The tenant was not found.', 'tenant_not_found');
  const total = totalOf(stats);
  const traffic: TenantHealth['traffic'] = {
    from: from.toISOString(),
    requests: total.requests,
    serverErrors: total.serverErrors,
    throttled: total.throttled,
    serverErrorRate: total.requests ? total.serverErrors / total.requests : null,
    throttledRate: total.requests ? total.throttled / total.requests : null,
    p99Ms: total.p99Ms,
    countedUntil: stats.reduce<string | null>(
      (latest, item) => (!latest || item.countedUntil > latest ? item.countedUntil : latest),
      null,
    ),
  };
  const reasons: HealthReason[] = [];
  if (tenant.status === 'suspended')
    reasons.push({
      code: 'suspended',
      severity: 'critical',
      summary: `The tenant is suspended${tenant.statusReason ? ` (${tenant.statusReason})` : ''}: its people and keys can read, not write.`,
      detail: { reason: tenant.statusReason ?? null },
    });
  if (tenant.status === 'deleted')
    reasons.push({
      code: 'deleted',
      severity: 'critical',
      summary: `The tenant was deleted; its data is erased after ${tenant.purgeAfter?.slice(0, 10) ?? 'its retention'}.`,
      detail: { deletedAt: tenant.deletedAt ?? null, purgeAfter: tenant.purgeAfter ?? null },
    });
  reasons.push(...paymentReason(tenant));
  reasons.push(...quotaReasons(quotas.quotas, quotas.thresholds[0] ?? 80));
  reasons.push(...trafficReasons(traffic));
  for (const endpoint of endpoints.items.filter((item) => item.status === 'disabled'))
    reasons.push({
      code: 'webhook_endpoint_disabled',
      severity: 'warning',
      summary: `Webhook endpoint ${endpoint.url} is disabled${endpoint.disabledReason ? `: ${endpoint.disabledReason}` : ''}; its events are not delivered.`,
      detail: {
        endpointId: endpoint.id,
        url: endpoint.url,
        consecutiveFailures: endpoint.consecutiveFailures,
      },
    });
  const status: HealthStatus = reasons.some((reason) => reason.severity === 'critical')
    ? 'critical'
    : reasons.length
      ? 'warning'
      : 'healthy';
  return { health: { status, reasons, checkedAt: now.toISOString(), traffic }, quotas: quotas.quotas };
}

/** The tenant's health (`healthAndQuotas` without the quota lines). */
export async function tenantHealth(ctx: TenantContext): Promise<TenantHealth> {
  return (await healthAndQuotas(ctx)).health;
}
