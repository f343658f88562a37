import * as z from 'zod/mini';
import { idSchema } from '../../ids';
import type { RouteDefinition } from '../../http/route';
import { cursorParam, limitParam } from '../../http/validation';
import { emailAddress, pageOf, timestamp } from '../schemas/common';
import { component } from '../schemas/components';
import { PLAN_IDS } from '../../model/plans';
import { TENANT_STATUSES } from '../../model/tenant-status';
import { OPERATOR_FIGURES_EVERY_MINUTES } from '../../model/operator-figures';

const adminPath = z.strictObject({ userId: idSchema('user') });

const platformAdminView = component(
  'PlatformAdmin',
  z.object({
    userId: idSchema('user'),
    email: z.nullable(z.string().check(z.describe('Known for admins granted by email.'))),
    grantedBy: z.string(),
    grantedByEmail: z.nullable(z.string()),
    grantedAt: timestamp,
  }),
);

const platformAuditEventView = component(
  'PlatformAuditEvent',
  z.object({
    id: idSchema('audit'),
    action: z.string(),
    actorId: z.string(),
    actorEmail: z.nullable(z.string()),
    target: z.object({ type: z.string(), id: z.string(), email: z.nullable(z.string()) }),
    sourceIp: z.nullable(z.string()),
    userAgent: z.nullable(z.string()),
    requestId: z.nullable(z.string()),
    occurredAt: timestamp,
  }),
);

const money = z.number().check(z.describe('US dollars.'));
const tenantFigures = z.object({
  tenantId: idSchema('tenant'),
  name: z.string(),
  plan: z.enum(PLAN_IDS),
  status: z.enum(TENANT_STATUSES),
  subscriptionStatus: z.nullable(z.string()),
  revenueUsd: money.check(
    z.describe(
      'The month so far: the plan’s price times the share of the month gone, for a paid subscription.',
    ),
  ),
  costUsd: money.check(
    z.describe('The month so far: the DynamoDB capacity units its requests consumed, at on-demand prices.'),
  ),
  marginUsd: money,
  requests: z.int().check(z.describe('Requests of the traffic window.')),
  serverErrors: z.int(),
  throttled: z.int(),
  lastActiveAt: z
    .nullable(timestamp)
    .check(z.describe('The minute of its last metered request (this month or the last).')),
  attention: z
    .array(z.string())
    .check(
      z.describe(
        'Why it is on the attention list: `suspended`, `payment_failed`, `error_rate`, `throttling`.',
      ),
    ),
});
const countsBy = <const T extends readonly [string, ...string[]]>(keys: T) =>
  z.object(Object.fromEntries(keys.map((key) => [key, z.int()])) as { [K in T[number]]: z.ZodMiniInt });

const platformMetrics = component(
  'PlatformMetrics',
  z.object({
    computedAt: timestamp.check(
      z.describe(
        `When the operator figures job computed these (every ${OPERATOR_FIGURES_EVERY_MINUTES} minutes in AWS, every 15 seconds on the local twin).`,
      ),
    ),
    period: z.string().check(z.describe('The month, `YYYY-MM`.')),
    monthElapsed: z.number().check(z.describe('The share of the month gone (0–1) when computed.')),
    tenants: z.object({
      total: z.int(),
      byPlan: countsBy(PLAN_IDS),
      byStatus: countsBy(TENANT_STATUSES),
    }),
    activeTenants: z
      .object({ days7: z.int(), days30: z.int() })
      .check(z.describe('Tenants with a metered request in the last 7 and 30 days.')),
    revenue: z.object({
      currency: z.literal('usd'),
      mrrUsd: money.check(
        z.describe(
          'Monthly recurring revenue: the list price of every paid (active or past due) subscription; trials, overage and contract plans excluded.',
        ),
      ),
      byPlan: z.object(
        Object.fromEntries(
          PLAN_IDS.map((plan) => [plan, z.object({ subscriptions: z.int(), mrrUsd: money })]),
        ) as Record<
          (typeof PLAN_IDS)[number],
          z.ZodMiniObject<{ subscriptions: z.ZodMiniInt; mrrUsd: typeof money }>
        >,
      ),
      contractTenants: z
        .int()
        .check(z.describe('Tenants on a plan sold by contract, whose revenue is not here.')),
      monthToDateUsd: money,
    }),
    servingCost: z.object({ readUnits: z.number(), writeUnits: z.number(), monthToDateUsd: money }),
    traffic: z
      .object({
        from: timestamp,
        countedUntil: z.nullable(timestamp),
        requests: z.int(),
        serverErrors: z.int(),
        throttled: z.int(),
      })
      .check(z.describe('The requests of the clock hour in progress and the one before, as counted.')),
    lowestMargin: z
      .array(tenantFigures)
      .check(z.describe('The 10 tenants with the lowest margin this month.')),
    noisiest: z
      .array(tenantFigures)
      .check(z.describe('The 10 tenants with the most requests in the traffic window.')),
    attention: z
      .array(tenantFigures)
      .check(
        z.describe('Up to 50 tenants suspended, owing a payment, failing or throttled (see `attention`).'),
      ),
  }),
);

export const PLATFORM_ROUTES = [
  {
    id: 'platform.admins.list',
    method: 'GET',
    path: '/v1/platform/admins',
    function: 'platform',
    auth: 'platform',
    permission: 'platform:admins:manage',
    summary: 'List platform admins',
    description:
      'The platform-admin records. Platform-admin power needs both a record here and the Cognito `platform-admins` group claim.',
    request: {},
    responses: {
      200: { description: 'Every platform admin.', schema: z.object({ items: z.array(platformAdminView) }) },
    },
    errors: [],
  },
  {
    id: 'platform.admins.grantByEmail',
    method: 'POST',
    path: '/v1/platform/admins',
    function: 'platform',
    auth: 'platform',
    permission: 'platform:admins:manage',
    summary: 'Make a person a platform admin, by email',
    description:
      'Both halves of platform-admin power: the Cognito `platform-admins` group (its claim reaches the person’s next token) and the record the API checks, audited in the platform audit log. The person must already have a sign-in (an invitation into a tenant makes one). Granting an existing admin changes nothing.',
    request: {
      body: z.strictObject({ email: emailAddress }),
      example: { email: 'ops@example.com' },
    },
    responses: { 200: { description: 'The record.', schema: platformAdminView } },
    errors: ['person_not_found', 'concurrent_modification', 'service_unavailable'],
  },
  {
    id: 'platform.admins.grant',
    method: 'PUT',
    path: '/v1/platform/admins/{userId}',
    function: 'platform',
    auth: 'platform',
    permission: 'platform:admins:manage',
    summary: 'Grant platform-admin power',
    description:
      'Records the user as a platform admin (audited in the platform audit log). The user also needs the Cognito `platform-admins` group. Granting an existing admin changes nothing.',
    request: { path: adminPath },
    responses: { 200: { description: 'The record.', schema: platformAdminView } },
    errors: ['concurrent_modification'],
  },
  {
    id: 'platform.admins.revoke',
    method: 'DELETE',
    path: '/v1/platform/admins/{userId}',
    function: 'platform',
    auth: 'platform',
    permission: 'platform:admins:manage',
    summary: 'Revoke platform-admin power',
    description:
      'Deletes the record (audited): the power ends at once in the instance that served this and within 5 seconds everywhere, whatever the user’s tokens still claim; an admin granted by email also leaves the Cognito group. The last platform admin stays.',
    request: { path: adminPath },
    responses: { 204: { description: 'Revoked.' } },
    errors: ['platform_admin_not_found', 'last_platform_admin', 'concurrent_modification'],
  },
  {
    id: 'platform.audit.list',
    method: 'GET',
    path: '/v1/platform/audit-logs',
    function: 'platform',
    auth: 'platform',
    permission: 'platform:admins:manage',
    summary: 'The platform audit log',
    description: 'Grants and revocations of platform admins, newest first.',
    request: { query: z.strictObject({ limit: limitParam, cursor: cursorParam }) },
    responses: {
      200: { description: 'A page of platform audit events.', schema: pageOf(platformAuditEventView) },
    },
    errors: ['invalid_cursor'],
  },
  {
    id: 'platform.metrics',
    method: 'GET',
    path: '/v1/platform/metrics',
    function: 'platform',
    auth: 'platform',
    permission: 'platform:tenants:read',
    summary: 'Platform figures',
    description:
      'Tenants by plan and status, active tenants (7 and 30 days), monthly recurring revenue by plan, what serving the tenants cost in DynamoDB this month against what they pay, the tenants with the lowest margin, the noisiest and those that need a look. As the operator figures job last computed them (`computedAt`); before its first run, computed at the call without traffic (`traffic.countedUntil` is `null`). Revenue is list prices of paid subscriptions prorated to the month so far; cost is DynamoDB capacity only (a floor: Lambda, API Gateway and storage are not in it).',
    request: {},
    responses: { 200: { description: 'The platform’s figures.', schema: platformMetrics } },
    errors: [],
  },
] as const satisfies readonly RouteDefinition[];
