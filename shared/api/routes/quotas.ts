import * as z from 'zod/mini';
import { tenantPath } from '../schemas/tenant-path';
import { component } from '../schemas/components';
import type { RouteDefinition } from '../../http/route';
import { COUNTED_RESOURCES, PERIODIC_RESOURCES, PLAN_IDS, QUOTA_RESOURCES } from '../../model/plans';
import { timestamp } from '../schemas/common';

const oneTenantPath = tenantPath();
const instant = z.pipe(
  z.union([z.iso.datetime({ offset: true }), z.iso.date()]),
  z.transform((value: string) => new Date(value)),
);

const quotaReport = component(
  'QuotaReport',
  z.object({
    plan: z.enum(PLAN_IDS),
    period: z.string().check(z.describe('The current month, `YYYY-MM` (UTC).')),
    quotas: z.array(
      z.object({
        resource: z.enum(QUOTA_RESOURCES),
        period: z.string().check(z.describe('`YYYY-MM` for monthly resources, `ALL` for counted ones.')),
        used: z.number(),
        limit: z.nullable(z.number()).check(z.describe('`null` is unlimited.')),
        enforcedLimit: z.nullable(z.number()).check(z.describe('The limit plus the plan’s grace overage.')),
        remaining: z.nullable(z.number()),
        percent: z.nullable(z.number()),
        overage: z.number(),
        resetsAt: z.nullable(timestamp),
      }),
    ),
    rateLimit: z.object({ requestsPerMinute: z.nullable(z.number()) }),
    features: z.array(z.string()),
    retentionDays: z.int(),
    thresholds: z
      .array(z.number())
      .check(z.describe('The percentages at which the tenant is notified (80, 90 and 95 by default).')),
    thresholdEvents: z.array(
      z.object({
        resource: z.string(),
        period: z.string(),
        threshold: z.number(),
        used: z.number(),
        limit: z.number(),
        occurredAt: timestamp,
        publishedTo: z.nullable(z.string()),
      }),
    ),
  }),
);

const usageReport = component(
  'UsageReport',
  z.object({
    from: timestamp,
    to: timestamp,
    granularity: z.enum(['hour', 'day', 'month']),
    resources: z.record(
      z.string(),
      z.object({ total: z.number(), series: z.array(z.object({ start: timestamp, used: z.number() })) }),
    ),
    servingCost: z.optional(
      z
        .object({ readUnits: z.number(), writeUnits: z.number(), dynamoDbUsd: z.number() })
        .check(
          z.describe(
            'What serving the tenant consumed in DynamoDB over the range (also the `readUnits` and `writeUnits` series), at on-demand prices. Short by at most one request per tenant and function instance.',
          ),
        ),
    ),
  }),
);

const reconciliation = component(
  'QuotaReconciliation',
  z.object({
    counters: z.array(
      z.object({
        resource: z.enum([...COUNTED_RESOURCES, 'runs']),
        period: z.string().check(z.describe('`ALL` for counted resources, `YYYY-MM` for runs.')),
        counted: z.number().check(z.describe('What the counter said.')),
        recounted: z.number().check(z.describe('What its items add up to.')),
        outcome: z
          .enum(['matches', 'repaired', 'busy'])
          .check(
            z.describe(
              '`repaired`: set to the recount, audited as `quota.reconciled`. `busy`: it moved in the last minute (a request may be in flight) and is left for the next pass.',
            ),
          ),
      }),
    ),
  }),
);

export const QUOTA_ROUTES = [
  {
    id: 'quotas.get',
    method: 'GET',
    path: '/v1/tenants/{tenantId}/quotas',
    function: 'quotas',
    auth: 'tenant',
    permission: 'tenant:read',
    // A suspended tenant's people still see what they used (what a suspension over a bill is about).
    allowWhenSuspended: true,
    summary: 'Quotas and their use',
    description:
      'Every limit of the tenant’s plan (with its overrides), its use, the percentage, the period and when it resets, with the threshold events (80/90/95 %) of this period.',
    request: { path: oneTenantPath },
    responses: { 200: { description: 'The quota report.', schema: quotaReport } },
    errors: [],
  },
  {
    id: 'usage.get',
    method: 'GET',
    path: '/v1/tenants/{tenantId}/usage',
    function: 'quotas',
    auth: 'tenant',
    permission: 'tenant:read',
    allowWhenSuspended: true,
    summary: 'Usage over time',
    description:
      'Use of the monthly resources summed by hour, day or month (default: this month by day). Hourly series span at most 31 days, others a year.',
    request: {
      path: oneTenantPath,
      query: z.strictObject({
        from: z.optional(instant),
        to: z.optional(instant),
        granularity: z._default(z.enum(['hour', 'day', 'month']), 'day'),
        resource: z.optional(z.enum(PERIODIC_RESOURCES)),
      }),
    },
    responses: { 200: { description: 'The usage series.', schema: usageReport } },
    errors: ['invalid_range', 'range_too_long'],
  },
  {
    id: 'quotas.reconcile',
    method: 'POST',
    path: '/v1/tenants/{tenantId}/quotas/reconcile',
    function: 'quotas',
    auth: 'tenant',
    permission: 'platform:tenants:manage',
    summary: 'Reconcile the quota counters (platform admins)',
    description:
      'Recounts the tenant’s counted resources (users, agents, API keys, storage) and its runs of this month and the last against their items, now rather than at the daily `quota-reconcile` job, and repairs a counter that drifted (audited, with before and after). A counter that moved in the last minute is left as `busy`.',
    request: { path: oneTenantPath },
    responses: {
      200: {
        description: 'What each counter said, what its items add up to, and what was done.',
        schema: reconciliation,
      },
    },
    errors: [],
  },
] as const satisfies readonly RouteDefinition[];
