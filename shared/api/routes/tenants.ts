import * as z from 'zod/mini';
import { tenantPath } from '../schemas/tenant-path';
import { component } from '../schemas/components';
import { idSchema } from '../../ids';
import { cursorParam, limitParam } from '../../http/validation';
import type { RouteDefinition } from '../../http/route';
import { ALLOCATABLE_RESOURCES, LIMIT_NAMES, PLAN_IDS, POOLABLE_RESOURCES } from '../../model/plans';
import { PAYERS } from '../../model/child-billing';
import { TENANT_STATUSES } from '../../model/tenant-status';
import { emailAddress, pageOf, timestamp } from '../schemas/common';
import { singleLineText } from '../../text';
import { canonicalCidr, isCidr } from '../../tenancy/ip-allowlist';

const slug = z
  .string()
  .check(
    z.minLength(3),
    z.maxLength(40),
    z.regex(/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/, 'lower-case letters, digits and inner hyphens only'),
  );
const name = singleLineText(100);
const owner = z.strictObject({ email: emailAddress, name: z.optional(name) });
const ipAllowlist = z
  .array(
    z.pipe(
      z
        .string()
        .check(
          z.trim(),
          z.maxLength(64),
          z.refine(isCidr, 'must be a CIDR block such as 203.0.113.0/24 or 2001:db8::/32'),
        ),
      z.transform(canonicalCidr),
    ),
  )
  .check(
    z.maxLength(50),
    z.describe('CIDR blocks (IPv4 or IPv6) members may call from; empty allows any address.'),
  );
/** Whether the runtime knows a time zone by this name (IANA names and their aliases, UTC). */
function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}
const localeFields = {
  defaultLocale: z.optional(
    z.string().check(z.regex(/^[a-z]{2}(?:-[A-Z]{2})?$/, 'a locale such as en or en-GB')),
  ),
  timezone: z.optional(
    z.string().check(z.maxLength(64), z.refine(isTimeZone, 'an IANA time zone such as Europe/Paris')),
  ),
};
const settingsFields = { mfaRequired: z.optional(z.boolean()), ...localeFields };
/** What a new tenant may be given at its creation: its locale and time zone. */
const initialSettings = z.optional(
  z.strictObject(localeFields).check(z.describe('The tenant’s locale and time zone, set at its creation.')),
);
const settings = z.strictObject({ ...settingsFields, ipAllowlist: z.optional(ipAllowlist) });
const settingsView = z.object({ ...settingsFields, ipAllowlist: z.optional(z.array(z.string())) });

const oneTenantPath = tenantPath();

const sliceAmount = z.int().check(z.gte(0), z.lte(1e15));
/** A partner's slices for one child, by resource (each optional). */
const allocationInput = z.strictObject(
  Object.fromEntries(ALLOCATABLE_RESOURCES.map((resource) => [resource, z.optional(sliceAmount)])) as Record<
    (typeof ALLOCATABLE_RESOURCES)[number],
    z.ZodMiniOptional<typeof sliceAmount>
  >,
);
const allocationView = z
  .record(z.string(), z.int())
  .check(z.describe('Slices of the partner’s limits, by resource (`runs`, `agents`…); empty when none.'));

const pooledView = z
  .array(z.enum(POOLABLE_RESOURCES))
  .check(z.describe('The monthly resources the child draws from its partner’s pool; empty when none.'));

const limitValue = z.nullable(z.int().check(z.gte(0), z.lte(1e15)));

export const tenantView = component(
  'Tenant',
  z.object({
    id: idSchema('tenant'),
    name: z.string(),
    slug: z.string(),
    plan: z.enum(PLAN_IDS),
    status: z.enum(TENANT_STATUSES),
    statusReason: z.nullable(z.string()),
    trialEndsAt: z
      .nullable(timestamp)
      .check(
        z.describe(
          'When the trial ends, while the tenant is on it; `null` once a plan was bought or set (or it never had one).',
        ),
      ),
    resumablePlan: z.nullable(
      z
        .enum(PLAN_IDS)
        .check(
          z.describe(
            'The paid plan whose subscription a deletion cancelled, offered again after a restore until a plan is bought.',
          ),
        ),
    ),
    deletedAt: z.nullable(timestamp),
    purgeAfter: z.nullable(timestamp),
    settings: settingsView,
    limitOverrides: z.record(z.string(), z.nullable(z.number())),
    createdAt: timestamp,
    updatedAt: timestamp,
    internalNote: z.optional(
      z.nullable(z.string()).check(z.describe('Platform admins only: their note on a suspension.')),
    ),
  }),
);

const provisionedTenant = component(
  'ProvisionedTenant',
  z.object({
    tenant: tenantView,
    owner: z.object({
      id: idSchema('user'),
      email: z.string(),
      role: z.literal('owner'),
      status: z.enum(['invited', 'active']),
    }),
  }),
);

const created = { description: 'The tenant and its invited owner.', schema: provisionedTenant };
const signupAccepted = component(
  'SignupAccepted',
  z.object({ status: z.literal('accepted'), email: z.string(), message: z.string() }),
);
const oneTenant = { description: 'The tenant.', schema: tenantView };

export const TENANT_ROUTES = [
  {
    id: 'tenants.signup',
    method: 'POST',
    path: '/v1/tenants/signup',
    function: 'tenants',
    auth: 'public',
    summary: 'Sign up a new tenant',
    description:
      'Self-service signup of a tenant on a trial of the Starter plan (`TRIAL_PLAN`, `TRIAL_DAYS` 14), which drops to Free (`TRIAL_END_PLAN`) at its end unless a plan is bought. The answer is the same `202` whether or not the email already has an account, so signup reveals none: a new address gets the tenant and its owner (Cognito emails the temporary password); a person who already has an account gets an email instead, saying how to create the tenant from their account (`POST /v1/me/tenants`). Limited per source IP and hour (`SIGNUP_LIMIT_PER_IP_PER_HOUR`, shared with `POST /v1/me/tenants`).',
    request: {
      body: z.strictObject({ name, slug, owner, settings: initialSettings }),
      example: {
        name: 'Acme Robotics',
        slug: 'acme',
        owner: { email: 'ada@acme.example', name: 'Ada' },
        settings: { defaultLocale: 'de-DE', timezone: 'Europe/Berlin' },
      },
    },
    responses: { 202: { description: 'Accepted: the next step is in an email.', schema: signupAccepted } },
    errors: ['slug_taken', 'invalid_user', 'rate_limited', 'service_unavailable', 'single_tenant_mode'],
  },
  {
    id: 'tenants.createOwn',
    method: 'POST',
    path: '/v1/me/tenants',
    function: 'tenants',
    auth: 'user',
    summary: 'Create a tenant of my own',
    description:
      'A signed-in person (a member of other tenants or not) creates a tenant on a trial of the Starter plan, as signup does, and owns it at once. Limited per source IP like signup.',
    request: {
      body: z.strictObject({ name, slug, settings: initialSettings }),
      example: { name: 'Side Project', slug: 'side-project' },
    },
    responses: { 201: { description: 'The tenant, owned by the caller.', schema: provisionedTenant } },
    errors: ['slug_taken', 'invalid_user', 'rate_limited', 'service_unavailable', 'single_tenant_mode'],
  },
  {
    id: 'tenants.create',
    method: 'POST',
    path: '/v1/tenants',
    function: 'tenants',
    auth: 'platform',
    permission: 'platform:tenants:manage',
    summary: 'Create a tenant (platform admin)',
    description:
      'A platform admin creates a tenant on any plan, with its invited owner; without a plan, on a trial as signup does.',
    request: {
      body: z.strictObject({ name, slug, owner, plan: z.optional(z.enum(PLAN_IDS)) }),
      example: {
        name: 'Globex',
        slug: 'globex',
        plan: 'professional',
        owner: { email: 'hank@globex.example' },
      },
    },
    responses: { 201: created },
    errors: ['slug_taken', 'email_taken', 'invalid_user'],
  },
  {
    id: 'tenants.list',
    method: 'GET',
    path: '/v1/tenants',
    function: 'tenants',
    auth: 'platform',
    permission: 'platform:tenants:read',
    summary: 'List tenants (platform admin)',
    description:
      'Every tenant, filtered by status and plan and searched by name or slug, a page at a time. A page may hold fewer than `limit` tenants while `nextCursor` is not null: follow it.',
    request: {
      query: z.strictObject({
        search: z.optional(
          singleLineText(100).check(
            z.describe(
              'Tenants whose slug contains it (any case), whose name contains it as written, or whose id it is.',
            ),
          ),
        ),
        status: z.optional(z.enum(TENANT_STATUSES)),
        plan: z.optional(z.enum(PLAN_IDS)),
        limit: limitParam,
        cursor: cursorParam,
      }),
    },
    responses: { 200: { description: 'A page of tenants.', schema: pageOf(tenantView) } },
    errors: ['invalid_cursor'],
  },
  {
    id: 'tenants.getCurrent',
    method: 'GET',
    path: '/v1/tenants/current',
    function: 'tenants',
    auth: 'tenant',
    permission: 'tenant:read',
    allowWhenSuspended: true,
    allowWhenDeleted: true,
    summary: "The caller's tenant",
    description:
      'The tenant the request acts on: `X-Tenant-ID` if given (a platform admin may name any), else the caller’s own. Readable while suspended, and while deleted until `purgeAfter`.',
    request: {},
    responses: { 200: oneTenant },
    errors: [],
  },
  {
    id: 'tenants.get',
    method: 'GET',
    path: '/v1/tenants/{tenantId}',
    function: 'tenants',
    auth: 'tenant',
    permission: 'tenant:read',
    allowWhenSuspended: true,
    allowWhenDeleted: true,
    summary: 'Get a tenant',
    description:
      'A tenant by id: the caller’s own, or any for a platform admin (audited). Readable while suspended, and while deleted until `purgeAfter`.',
    request: { path: oneTenantPath },
    responses: { 200: oneTenant },
    errors: [],
  },
  {
    id: 'tenants.update',
    method: 'PATCH',
    path: '/v1/tenants/{tenantId}',
    function: 'tenants',
    auth: 'tenant',
    permission: 'tenant:update',
    summary: 'Update a tenant',
    description:
      'Changes the name and settings (settings merge with the current ones). Audited with the fields that changed.',
    request: {
      path: oneTenantPath,
      body: z
        .strictObject({
          name: z.optional(name),
          settings: z.optional(settings),
          force: z.optional(
            z
              .boolean()
              .check(
                z.describe(
                  'Apply settings that would lock out this caller: an IP allowlist without its address, or MFA required before it has MFA enrolled.',
                ),
              ),
          ),
        })
        .check(
          z.refine(
            (body) => body.name !== undefined || body.settings !== undefined,
            'name or settings is required',
          ),
        ),
      example: {
        name: 'Acme Robotics GmbH',
        settings: { timezone: 'Europe/Berlin', defaultLocale: 'de-DE' },
      },
    },
    responses: { 200: oneTenant },
    errors: ['ip_allowlist_lockout', 'mfa_lockout', 'concurrent_modification'],
  },
  {
    id: 'tenants.changePlan',
    method: 'PUT',
    path: '/v1/tenants/{tenantId}/plan',
    function: 'tenants',
    auth: 'tenant',
    permission: 'platform:tenants:manage',
    summary: "Change a tenant's plan (platform admin)",
    description:
      'Sets the tenant’s plan and its per-tenant limit overrides, as a PUT does: the overrides given replace every stored one, and none given clears them (`null` = unlimited). An override below the plan’s own limit takes limits away the plan sells, so it needs `allowBelowPlan: true` (else `400 override_below_plan`). The answer shows the effective limits.',
    request: {
      path: oneTenantPath,
      body: z.strictObject({
        plan: z.enum(PLAN_IDS),
        limitOverrides: z.optional(
          z.strictObject(Object.fromEntries(LIMIT_NAMES.map((limit) => [limit, z.optional(limitValue)]))),
        ),
        allowBelowPlan: z.optional(z.boolean()),
      }),
      example: { plan: 'professional', limitOverrides: { agents: 500 } },
    },
    responses: {
      200: {
        description: 'The tenant, with the limits that now apply.',
        schema: component(
          'TenantWithLimits',
          z.object({
            ...tenantView.shape,
            limits: z.record(z.enum(LIMIT_NAMES), z.nullable(z.number())),
          }),
        ),
      },
    },
    errors: ['override_below_plan', 'concurrent_modification'],
  },
  {
    id: 'tenants.suspend',
    method: 'POST',
    path: '/v1/tenants/{tenantId}/suspend',
    function: 'tenants',
    auth: 'tenant',
    permission: 'platform:tenants:manage',
    summary: 'Suspend a tenant (platform admin)',
    description:
      'The tenant sees `reason`; `internalNote` is for platform admins only (shown on the tenant to them, never in the tenant’s audit log). From the next request its running runs are cancelled with the reason, its API keys are refused on every route, and its people are refused on every route but those open while suspended (reading the tenant, its audit log and its billing, deleting or restoring it); its active owners are emailed.',
    request: {
      path: oneTenantPath,
      body: z.strictObject({ reason: singleLineText(500), internalNote: z.optional(singleLineText(2000)) }),
      example: { reason: 'Unpaid invoices', internalNote: 'Three reminders sent; ticket 4521.' },
    },
    responses: { 200: oneTenant },
    errors: ['already_suspended', 'tenant_deleted', 'concurrent_modification'],
  },
  {
    id: 'tenants.reactivate',
    method: 'POST',
    path: '/v1/tenants/{tenantId}/reactivate',
    function: 'tenants',
    auth: 'tenant',
    permission: 'platform:tenants:manage',
    summary: 'Reactivate a tenant (platform admin)',
    description: 'Ends a suspension.',
    request: { path: oneTenantPath },
    responses: { 200: oneTenant },
    errors: ['not_suspended', 'concurrent_modification'],
  },
  {
    id: 'tenants.delete',
    method: 'DELETE',
    path: '/v1/tenants/{tenantId}',
    function: 'tenants',
    auth: 'tenant',
    permission: 'tenant:delete',
    allowWhenSuspended: true,
    summary: 'Delete a tenant (owner or platform admin)',
    description:
      'Deletes the tenant, confirmed with its slug as `confirm`. It becomes `deleted` at once: every member’s and API key’s request is refused (`403 tenant_deleted`) but for reading the tenant and restoring it; its Stripe subscription is cancelled. Its data is kept until `purgeAfter` (`TENANT_DELETION_RETENTION_DAYS`, 30 days), when the daily `tenant-purge` job removes every item of it and the sign-ins left with no tenant, keeping a platform record of the deletion. Owners and platform admins only; audited.',
    request: {
      path: oneTenantPath,
      body: z.strictObject({ confirm: z.string().check(z.maxLength(100)) }),
      example: { confirm: 'acme' },
    },
    responses: { 200: { description: 'The tenant, deleted, with its `purgeAfter`.', schema: tenantView } },
    errors: ['confirmation_mismatch', 'tenant_has_children', 'concurrent_modification'],
  },
  {
    id: 'tenants.restore',
    method: 'POST',
    path: '/v1/tenants/{tenantId}/restore',
    function: 'tenants',
    auth: 'tenant',
    permission: 'tenant:delete',
    allowWhenSuspended: true,
    allowWhenDeleted: true,
    summary: 'Restore a deleted tenant (owner or platform admin)',
    description:
      'Brings a deleted tenant back before its `purgeAfter`, with the status it had (a suspension stays). Its subscription was cancelled with the deletion, so it is on Free until a plan is bought again. Owners and platform admins only; audited.',
    request: { path: oneTenantPath },
    responses: { 200: oneTenant },
    errors: ['not_deleted', 'retention_ended', 'concurrent_modification'],
  },
  {
    id: 'children.create',
    method: 'POST',
    path: '/v1/tenants/{tenantId}/children',
    function: 'tenants',
    auth: 'tenant',
    permission: 'children:manage',
    feature: 'partners',
    summary: 'Create a child tenant (partner)',
    description:
      'A partner creates a tenant for a customer, below itself (at most 4 levels below its root partner: 409 `hierarchy_too_deep`): the customer’s owner is invited by email and owns it, on the Free plan. Counts against the plan’s `childTenants`. The partner sees the child’s name, plan and status in its subtree, and nothing of its data.',
    request: {
      path: oneTenantPath,
      body: z.strictObject({ name, slug, owner }),
      example: { name: 'Initech', slug: 'initech', owner: { email: 'bill@initech.example' } },
    },
    responses: { 201: { description: 'The child tenant and its invited owner.', schema: provisionedTenant } },
    errors: ['slug_taken', 'email_taken', 'hierarchy_too_deep', 'quota_exceeded'],
  },
  {
    id: 'children.list',
    method: 'GET',
    path: '/v1/tenants/{tenantId}/children',
    function: 'tenants',
    auth: 'tenant',
    permission: 'children:read',
    summary: 'List the tenants below (partner)',
    description:
      'The tenants below the caller’s, children and their descendants, from the caller’s own partition: each with its name, slug, plan, status, parent and depth (1 for a child), a page at a time.',
    request: { path: oneTenantPath, query: z.strictObject({ limit: limitParam, cursor: cursorParam }) },
    responses: {
      200: {
        description: 'A page of the tenants below.',
        schema: pageOf(
          component(
            'ChildTenant',
            z.object({
              id: idSchema('tenant'),
              name: z.string(),
              slug: z.string(),
              plan: z.enum(PLAN_IDS),
              status: z.enum(TENANT_STATUSES),
              parentId: idSchema('tenant'),
              depth: z.int().check(z.gte(1), z.lte(4)),
              allocation: allocationView,
              pooled: pooledView,
              paidBy: z
                .enum(PAYERS)
                .check(
                  z.describe('Who pays for the child (its parent’s copy): `partner` or the `child` itself.'),
                ),
              createdAt: timestamp,
            }),
          ),
        ),
      },
    },
    errors: ['invalid_cursor'],
  },
  {
    id: 'children.allocate',
    method: 'PUT',
    path: '/v1/tenants/{tenantId}/children/{childId}/allocation',
    function: 'tenants',
    auth: 'tenant',
    permission: 'children:manage',
    feature: 'partners',
    summary: 'Give a child slices of the limits (partner)',
    description:
      'A partner gives one of its own children slices of its limits, as a PUT: the child’s limit for each resource named is its slice, hard (no grace overage past it), whatever its plan; a resource left out follows the child’s plan. The partner’s own limits are what it has less what it gave; the sum of what it gave never passes its own limit, however many allocations race (409 `allocation_exceeds_limit`). Audited in both tenants.',
    request: {
      path: tenantPath({ childId: idSchema('tenant') }),
      body: z.strictObject({
        limits: allocationInput,
        pooled: z.optional(
          z
            .array(z.enum(POOLABLE_RESOURCES))
            .check(
              z.maxLength(POOLABLE_RESOURCES.length),
              z.describe(
                'The monthly resources (`runs`, `tokens`) the child draws from the partner’s pool instead: its use of each is counted on the partner’s own counter, under the partner’s limit, together with the partner’s and its other pooled children’s. A resource is pooled or sliced, not both. Left out: none.',
              ),
            ),
        ),
      }),
      example: { limits: { agents: 10, runs: 5000 }, pooled: ['tokens'] },
    },
    responses: {
      200: {
        description: 'The child’s slices and what the partner has given in all.',
        schema: component(
          'ChildAllocation',
          z.object({
            childId: idSchema('tenant'),
            allocation: allocationView,
            pooled: pooledView,
            partnerAllocated: allocationView.check(
              z.describe('What the partner has given all its children, by resource, now.'),
            ),
          }),
        ),
      },
    },
    errors: [
      'child_not_found',
      'tenant_deleted',
      'allocation_exceeds_limit',
      'pool_nested',
      'concurrent_modification',
    ],
  },
  {
    id: 'children.billing',
    method: 'PUT',
    path: '/v1/tenants/{tenantId}/children/{childId}/billing',
    function: 'tenants',
    auth: 'tenant',
    permission: 'children:manage',
    feature: 'partners',
    summary: 'Pay for a child, or let it pay its own way (partner)',
    description:
      'Who pays for one of the partner’s own children. `partner` with a `plan` (one with a list price): the child is on that plan, and after each month’s close its plan and its overage are invoice items on the partner’s Stripe customer — lines of the partner’s next invoice, each naming the child, the plan or resource and the month, each sent once. The child then checks out no subscription of its own (`409 billed_by_partner`); one that pays for a subscription of its own ends it first (`409 child_has_subscription`). `child`: it pays its own way again, from the free plan. Audited in both tenants.',
    request: {
      path: tenantPath({ childId: idSchema('tenant') }),
      body: z.strictObject({
        paidBy: z.enum(PAYERS),
        plan: z.optional(
          z
            .enum(PLAN_IDS)
            .check(
              z.describe(
                'With `paidBy: partner`: the child’s plan (Free, Starter, Professional, Business or Partner).',
              ),
            ),
        ),
      }),
      example: { paidBy: 'partner', plan: 'starter' },
    },
    responses: {
      200: {
        description: 'Who pays for the child now, and its plan.',
        schema: component(
          'ChildBilling',
          z.object({ childId: idSchema('tenant'), paidBy: z.enum(PAYERS), plan: z.enum(PLAN_IDS) }),
        ),
      },
    },
    errors: ['child_not_found', 'tenant_deleted', 'child_has_subscription', 'concurrent_modification'],
  },
] as const satisfies readonly RouteDefinition[];
