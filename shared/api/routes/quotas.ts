import * as z from 'zod/mini';
import { tenantPath } from '../schemas/tenant-path';
import { component } from '../schemas/components';
import { idSchema } from '../../ids';
import type { RouteDefinition } from '../../http/route';
import {
  COUNTED_RESOURCES,
  MAX_USAGE_AMOUNT,
  METERED_RESOURCE_NAMES,
  METERED_RESOURCES,
  PERIODIC_RESOURCES,
  PLAN_IDS,
  QUOTA_RESOURCES,
} from '../../model/plans';
import { pageOf, timestamp } from '../schemas/common';
import { policyStandingFields, quotaPolicySchema, retentionSchema } from '../schemas/quota-policy';
import { cursorParam, limitParam } from '../../http/validation';
import { singleLineText } from '../../text';
import {
  HEALTH_REASON_CODES,
  HEALTH_STATUSES,
  HEALTH_THRESHOLDS,
  ROUTE_REPORT_MAX_DAYS,
} from '../../model/operator-figures';

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
        pooledFrom: z
          .nullable(idSchema('tenant'))
          .check(
            z.describe(
              'The partner whose pool the tenant draws this resource from (`runs`, `tokens`): `used` and the limits are then the pool’s, the partner’s use and its pooled children’s together. `null` when the tenant counts its own.',
            ),
          ),
        policy: z
          .nullable(quotaPolicySchema)
          .check(
            z.describe('Monthly resources: the plan’s policy at the limit; `null` for counted resources.'),
          ),
        overSince: policyStandingFields.overSince,
        overageEndsAt: policyStandingFields.overageEndsAt,
        suspendsAt: policyStandingFields.suspendsAt,
      }),
    ),
    rateLimit: z.object({ requestsPerMinute: z.nullable(z.number()) }),
    features: z.array(z.string()),
    retentionDays: z.int().check(z.describe('The audit log’s days (as `retention.auditEvents`).')),
    retention: retentionSchema,
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

const routeTotals = {
  requests: z.int(),
  clientErrors: z.int().check(z.describe('4xx answers other than 429.')),
  throttled: z
    .int()
    .check(z.describe('429 answers: the rate limit, the API-call quota, metering contention.')),
  serverErrors: z.int().check(z.describe('5xx answers.')),
  meanMs: z.number(),
  p99Ms: z.number().check(z.describe('Over more than one hour: the highest hourly p99 (an upper bound).')),
  maxMs: z.number(),
  readUnits: z.number(),
  writeUnits: z.number(),
};

const routeUsageReport = component(
  'RouteUsageReport',
  z.object({
    from: timestamp,
    to: timestamp,
    granularity: z.enum(['hour', 'day']),
    countedUntil: z
      .nullable(timestamp)
      .check(
        z.describe(
          'Up to when the operator figures job had counted the requests (every 15 minutes in AWS, every minute on the local twin): nothing after it is in the report.',
        ),
      ),
    total: z.object(routeTotals),
    routes: z.array(
      z.object({
        route: z.string().check(z.describe('The route id of the manifest (`agents.create`).')),
        ...routeTotals,
        series: z.array(z.object({ start: timestamp, ...routeTotals })),
      }),
    ),
  }),
);

const tenantHealth = component(
  'TenantHealth',
  z.object({
    status: z
      .enum(HEALTH_STATUSES)
      .check(z.describe('The worst of the reasons: `healthy` when there is none.')),
    reasons: z.array(
      z.object({
        code: z.enum(HEALTH_REASON_CODES),
        severity: z.enum(['warning', 'critical']),
        summary: z.string(),
        detail: z.record(z.string(), z.nullable(z.union([z.string(), z.number()]))),
      }),
    ),
    checkedAt: timestamp,
    traffic: z.object({
      from: timestamp,
      requests: z.int(),
      serverErrors: z.int(),
      throttled: z.int(),
      serverErrorRate: z.nullable(z.number()),
      throttledRate: z.nullable(z.number()),
      p99Ms: z.number(),
      countedUntil: z.nullable(timestamp),
    }),
  }),
);

const meteredResource = z
  .enum(METERED_RESOURCE_NAMES)
  .check(
    z.describe(
      `A metered resource, as the plan data declares them: ${METERED_RESOURCE_NAMES.map((name) => `\`${name}\` (${METERED_RESOURCES[name].description})`).join('; ')}`,
    ),
  );
const usageAmount = z
  .int()
  .check(
    z.minimum(1),
    z.maximum(MAX_USAGE_AMOUNT),
    z.describe(`Whole units, 1 to ${MAX_USAGE_AMOUNT.toLocaleString('en-US')} in one record.`),
  );

const meteredStanding = {
  resource: z.enum(METERED_RESOURCE_NAMES),
  period: z.string().check(z.describe('The month, `YYYY-MM` (UTC).')),
  used: z.number(),
  limit: z.nullable(z.number()).check(z.describe('`null` is unlimited.')),
  enforcedLimit: z
    .nullable(z.number())
    .check(z.describe('The ceiling records are admitted under: the limit and the plan’s overage allowance.')),
  remaining: z
    .nullable(z.number())
    .check(z.describe('What may still be recorded this month, to `enforcedLimit`; `null` is unlimited.')),
  overage: z.number().check(z.describe('Units past `limit` this month, billed at the plan’s overage price.')),
  resetsAt: timestamp,
  pooledFrom: z
    .nullable(idSchema('tenant'))
    .check(z.describe('The partner whose pool the tenant draws the resource from; `null` when its own.')),
  ...policyStandingFields,
};

const usageEventView = component(
  'UsageEvent',
  z.object({
    id: idSchema('usageEvent'),
    resource: z.string(),
    amount: z.int(),
    description: z.string(),
    period: z.string().check(z.describe('The month it counts in, `YYYY-MM`.')),
    overage: z.int().check(z.describe('Of `amount`, the units past the limit (billed as overage).')),
    recordedBy: z.object({ type: z.enum(['user', 'apiKey']), id: z.string() }),
    idempotencyKey: z.string(),
    countedIn: z
      .nullable(idSchema('tenant'))
      .check(z.describe('The partner whose pool counted it; `null` when the tenant’s own counter did.')),
    requestId: z.nullable(z.string()),
    recordedAt: timestamp,
  }),
);

const usageAmountBody = { resource: meteredResource, amount: usageAmount };

export const QUOTA_ROUTES = [
  {
    id: 'quotas.check',
    method: 'POST',
    path: '/v1/tenants/{tenantId}/quotas/check',
    function: 'quotas',
    auth: 'tenant',
    permission: 'usage:write',
    summary: 'Would this usage be admitted? (usage API)',
    description:
      'For the platform’s services before they spend: would recording `amount` units of a metered resource be admitted now, how much remains this month, and what recording it would do (`within_limit`, `overage` past the limit and billed, or `refused`). One consistent read: nothing is taken, and a record made after it is admitted or refused by itself. Callers: API keys with the `usage:write` scope, or owners and admins.',
    request: {
      path: oneTenantPath,
      body: z.strictObject(usageAmountBody),
      example: { resource: 'tokens', amount: 12_000 },
    },
    responses: {
      200: {
        description: 'What recording it would do.',
        schema: component(
          'UsageCheck',
          z.object({
            ...meteredStanding,
            amount: z.int(),
            outcome: z.enum(['within_limit', 'overage', 'refused']),
            wouldBeOverage: z.int().check(z.describe('Of `amount`, the units that would be past the limit.')),
          }),
        ),
      },
    },
    errors: [],
  },
  {
    id: 'usage.record',
    method: 'POST',
    path: '/v1/tenants/{tenantId}/usage',
    function: 'quotas',
    auth: 'tenant',
    permission: 'usage:write',
    consumesBody: true,
    requiresIdempotencyKey: true,
    summary: 'Record usage (usage API)',
    description:
      'For the platform’s services after they spend: records `amount` units of a metered resource with why (`description`). Admitted or refused atomically by one conditional update of the month’s counter (concurrent records never pass the ceiling together; `429 quota_exceeded` with `Retry-After` when it has no room, and nothing is recorded). An `Idempotency-Key` header is required: a retry with the same key and body gets the first answer (`Idempotent-Replayed: true`) and counts nothing again. Callers: API keys with the `usage:write` scope, or owners and admins.',
    request: {
      path: oneTenantPath,
      body: z.strictObject({
        ...usageAmountBody,
        description: singleLineText(500).check(
          z.describe('Why: what was spent, for whom (shown in the usage log). 1 to 500 characters.'),
        ),
      }),
      example: {
        resource: 'tokens',
        amount: 12_000,
        description: 'gpt-large completion for run run_01JF3Z9G7Q',
      },
    },
    responses: {
      201: {
        description: 'The usage recorded, and where the resource stands after it.',
        schema: component(
          'UsageRecorded',
          z.object({ event: usageEventView, quota: z.object(meteredStanding) }),
        ),
      },
    },
    errors: [],
  },
  {
    id: 'usage.events',
    method: 'GET',
    path: '/v1/tenants/{tenantId}/usage/events',
    function: 'quotas',
    auth: 'tenant',
    permission: 'usage:read',
    allowWhenSuspended: true,
    summary: 'The usage log (usage API)',
    description:
      'Every usage record, newest first: who recorded how much of what, when and why; filtered by resource and time. Kept for the plan’s retention. Callers: API keys with the `usage:read` scope, or owners and admins.',
    request: {
      path: oneTenantPath,
      query: z.strictObject({
        resource: z.optional(z.enum(METERED_RESOURCE_NAMES)),
        from: z.optional(
          z.iso.datetime({ offset: true }).check(z.describe('Records at or after this time.')),
        ),
        to: z.optional(z.iso.datetime({ offset: true }).check(z.describe('Records at or before this time.'))),
        limit: limitParam,
        cursor: cursorParam,
      }),
    },
    responses: { 200: { description: 'A page of usage records.', schema: pageOf(usageEventView) } },
    errors: ['invalid_cursor', 'invalid_range'],
  },
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
    id: 'usage.routes',
    method: 'GET',
    path: '/v1/tenants/{tenantId}/usage/routes',
    function: 'quotas',
    auth: 'tenant',
    permission: 'tenant:read',
    allowWhenSuspended: true,
    summary: 'Usage by route',
    description: `The tenant’s requests by route (default: the last 24 hours by hour): requests, client errors, 429s, server errors, latency and DynamoDB capacity, each with its series by hour or day. Counted from each request’s cost line by the operator figures job, so \`countedUntil\` says how fresh it is. Kept ${ROUTE_REPORT_MAX_DAYS + 1} days; a range spans at most ${ROUTE_REPORT_MAX_DAYS}.`,
    request: {
      path: oneTenantPath,
      query: z.strictObject({
        from: z.optional(instant),
        to: z.optional(instant),
        granularity: z._default(z.enum(['hour', 'day']), 'hour'),
      }),
    },
    responses: { 200: { description: 'Requests by route.', schema: routeUsageReport } },
    errors: ['invalid_range', 'range_too_long'],
  },
  {
    id: 'tenants.health',
    method: 'GET',
    path: '/v1/tenants/{tenantId}/health',
    function: 'quotas',
    auth: 'tenant',
    permission: 'tenant:health',
    allowWhenSuspended: true,
    summary: 'Tenant health',
    description: `Healthy, warning or critical, with each reason: suspended or deleted; a failed payment (with the day the grace ends); a quota used up (critical) or past the first notification mark (warning); server errors (warning from ${HEALTH_THRESHOLDS.serverErrorRate.warning * 100} %, critical from ${HEALTH_THRESHOLDS.serverErrorRate.critical * 100} %) and 429s (from ${HEALTH_THRESHOLDS.throttledRate.warning * 100} % and ${HEALTH_THRESHOLDS.throttledRate.critical * 100} %) among the requests of the clock hour in progress and the one before, once there are ${HEALTH_THRESHOLDS.minRequests}; a disabled webhook endpoint. Computed at each call from the stored records; the traffic is as fresh as \`traffic.countedUntil\`. Owners and admins.`,
    request: { path: oneTenantPath },
    responses: { 200: { description: 'The tenant’s health.', schema: tenantHealth } },
    errors: [],
  },
  {
    id: 'children.health',
    method: 'GET',
    path: '/v1/tenants/{tenantId}/children/{childId}/health',
    function: 'quotas',
    auth: 'tenant',
    permission: 'children:read',
    allowWhenSuspended: true,
    summary: 'A child tenant’s health (partner)',
    description:
      'What a partner may know of a tenant below it without a delegation: its health (healthy, warning or critical) and the codes and severities of the reasons (a quota used up, a failed payment, server errors, 429s, a disabled webhook endpoint, a suspension), none of their figures or words; and its use of each quota against its limit (what the partner gives it, pools with it and may pay for). Computed at each call, as the tenant’s own report.',
    request: { path: tenantPath({ childId: idSchema('tenant') }) },
    responses: {
      200: {
        description: 'The child’s health.',
        schema: component(
          'ChildTenantHealth',
          z.object({
            childId: idSchema('tenant'),
            status: z.enum(HEALTH_STATUSES),
            reasons: z.array(
              z.object({ code: z.enum(HEALTH_REASON_CODES), severity: z.enum(['warning', 'critical']) }),
            ),
            usage: z.array(
              z.object({
                resource: z.enum(QUOTA_RESOURCES),
                period: z
                  .string()
                  .check(z.describe('`YYYY-MM` for monthly resources, `ALL` for counted ones.')),
                used: z.number(),
                limit: z.nullable(z.number()),
                pooledFrom: z.nullable(idSchema('tenant')),
              }),
            ),
            checkedAt: timestamp,
          }),
        ),
      },
    },
    errors: ['child_not_found'],
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
