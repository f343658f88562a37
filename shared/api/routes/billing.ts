import { idSchema } from '../../ids';
import * as z from 'zod/mini';
import { tenantPath } from '../schemas/tenant-path';
import { getConfig } from '../../config';
import type { RouteDefinition } from '../../http/route';
import {
  FEATURE_FLAGS,
  LIMIT_NAMES,
  PERIODIC_RESOURCES,
  PLAN_IDS,
  PLANS,
  quotaPolicyOf,
} from '../../model/plans';
import { RATE_POLICY_NAMES } from '../../model/rate-policies';
import { component } from '../schemas/components';
import { timestamp } from '../schemas/common';
import { quotaPolicySchema, retentionSchema } from '../schemas/quota-policy';

const money = component(
  'Money',
  z.object({
    amount: z.int().check(z.describe('In the currency’s minor unit (cents).')),
    currency: z.literal('usd'),
  }),
);

const planView = component(
  'Plan',
  z.object({
    id: z.enum(PLAN_IDS),
    name: z.string(),
    monthlyPrice: z.nullable(money).check(z.describe('Null for a plan sold by contract.')),
    selfServe: z.boolean(),
    limits: z.object(
      Object.fromEntries(LIMIT_NAMES.map((name) => [name, z.nullable(z.number())])) as Record<
        (typeof LIMIT_NAMES)[number],
        z.ZodMiniNullable<z.ZodMiniNumber>
      >,
    ),
    features: z.array(z.enum(FEATURE_FLAGS)),
    auditRetentionDays: z.int(),
    retention: retentionSchema,
    overage: z.object({
      allowancePercent: z.number(),
      prices: z.partialRecord(z.enum(PERIODIC_RESOURCES), z.object({ per: z.int(), price: money })),
    }),
    quotaPolicies: z
      .record(z.enum(PERIODIC_RESOURCES), quotaPolicySchema)
      .check(z.describe('The policy at each monthly resource’s limit.')),
    ratePolicies: z
      .record(z.enum(RATE_POLICY_NAMES), z.nullable(z.int()))
      .check(
        z.describe(
          'Each route rate policy’s calls a minute per tenant (null: none beyond `requestsPerMinute`); the operations naming each say so.',
        ),
      ),
  }),
);

/** Each plan's policy at each monthly resource's limit, in words, from the plan data. */
function policiesInWords(): string {
  return PLAN_IDS.map((plan) => {
    const lines = PERIODIC_RESOURCES.map((resource) => {
      const policy = quotaPolicyOf(plan, resource);
      const words =
        PLANS[plan].limits[resource] === null
          ? 'unlimited'
          : policy.kind === 'refuse'
            ? 'refuse'
            : policy.kind === 'overage'
              ? `overage to ${policy.upToPercent} %${policy.forHours === null ? '' : ` for ${policy.forHours} h`}`
              : `overage to ${policy.upToPercent} %, suspend after ${policy.afterHours} h`;
      return `\`${resource}\` ${words}`;
    });
    return `**${PLANS[plan].name}**: ${lines.join(', ')}`;
  }).join('; ');
}

const billingPath = tenantPath();

/**
 * A page of the console to come back to: only the console's own origin (no open redirect). zod runs
 * every check even after the URL format failed, so the origin check parses safely on its own.
 */
const consoleReturnUrl = z
  .url()
  .check(
    z.refine(
      (value: string) =>
        URL.canParse(value) && new URL(value).origin === new URL(getConfig().email.consoleUrl).origin,
      { message: 'must be a page of the console (CONSOLE_URL)' },
    ),
  );

const usageLine = z.object({
  resource: z.enum(PERIODIC_RESOURCES),
  used: z.number(),
  limit: z.nullable(z.number()),
  overage: z.number(),
  projected: z.nullable(
    z
      .number()
      .check(
        z.describe(
          'Use at the month’s end at this month’s pace, never past what the plan lets through; `null` in the month’s first days.',
        ),
      ),
  ),
  projectedOverage: z.nullable(z.number()),
  projectedOverageCost: z.nullable(money),
});

const billingView = component(
  'Billing',
  z.object({
    plan: z.enum(PLAN_IDS),
    status: z.string().check(z.describe('The subscription’s status at Stripe, or `none`.')),
    subscriptionId: z.nullable(z.string()),
    currentPeriodEnd: z.nullable(timestamp),
    pastDueSince: z.nullable(timestamp),
    period: z.string(),
    usage: z.array(usageLine),
    projectedOverageTotal: money,
    projection: z.object({
      basis: z.enum(['pace', 'too_early', 'not_billed']),
      elapsedDays: z.number(),
      periodDays: z.int(),
      explanation: z.string().check(z.describe('How the projection was made, in words.')),
    }),
    invoices: z.nullable(
      z.array(
        z.object({
          id: z.string(),
          number: z.nullable(z.string()),
          status: z.nullable(z.string()),
          amountDue: z.number(),
          amountPaid: z.number(),
          currency: z.string(),
          createdAt: timestamp,
          hostedInvoiceUrl: z.nullable(z.string()),
        }),
      ),
    ),
    paidByPartner: z
      .nullable(idSchema('tenant'))
      .check(
        z.describe(
          'The partner that pays for this tenant: its plan and overage are lines on the partner’s invoice, and it checks out no subscription of its own.',
        ),
      ),
    paidForChildren: z
      .array(
        z.object({
          childId: idSchema('tenant'),
          name: z.string(),
          plan: z.enum(PLAN_IDS),
          monthlyPrice: z.nullable(money),
        }),
      )
      .check(
        z.describe(
          'A partner’s children it pays for: after each month’s close, each child’s plan and its overage are lines of the partner’s next invoice, named by the child.',
        ),
      ),
  }),
);

const redirect = z.object({ url: z.string() });

export const BILLING_ROUTES = [
  {
    id: 'plans.list',
    method: 'GET',
    path: '/v1/plans',
    function: 'billing',
    auth: 'public',
    summary: 'The plans for sale',
    description: `Every plan with its monthly price, limits (\`null\` is unlimited), features, audit retention, overage prices (use of a monthly resource past its limit, up to the allowance, is billed per block) and the policy at each monthly resource's limit (\`QuotaPolicy\`). The policies: ${policiesInWords()}.`,
    request: {},
    responses: { 200: { description: 'The plans.', schema: z.object({ items: z.array(planView) }) } },
    errors: [],
  },
  {
    id: 'billing.get',
    method: 'GET',
    path: '/v1/tenants/{tenantId}/billing',
    function: 'billing',
    auth: 'tenant',
    permission: 'billing:manage',
    allowWhenSuspended: true,
    summary: "The tenant's billing",
    description:
      'The plan and its subscription (status, period end, since when a payment is owed), this month’s use of each monthly resource with its overage, the use projected to the month’s end at this pace (from the fourth day on, never past what the plan lets through) and what its overage would cost when a subscription bills it, with how the projection was made (`projection`), and recent invoices (`null` when Stripe cannot be reached).',
    request: { path: billingPath },
    responses: { 200: { description: 'The billing state.', schema: billingView } },
    errors: [],
  },
  {
    id: 'billing.checkout',
    method: 'POST',
    path: '/v1/tenants/{tenantId}/billing/checkout',
    function: 'billing',
    auth: 'tenant',
    permission: 'billing:manage',
    allowWhenSuspended: true,
    summary: 'Buy a plan (Stripe Checkout)',
    description:
      'A Stripe Checkout page for a self-serve paid plan. Once paid, Stripe’s webhook moves the tenant to the plan. A tenant with a subscription changes it in the portal instead (`409 subscription_exists`). The return URLs must be pages of the console.',
    request: {
      path: billingPath,
      body: z.strictObject({
        plan: z.enum(PLAN_IDS),
        successUrl: z.optional(consoleReturnUrl),
        cancelUrl: z.optional(consoleReturnUrl),
      }),
      example: { plan: 'starter' },
    },
    responses: {
      201: {
        description: 'The Checkout page to send the owner to.',
        schema: z.object({ url: z.string(), sessionId: z.string() }),
      },
    },
    errors: ['subscription_exists', 'billed_by_partner', 'service_unavailable', 'concurrent_modification'],
  },
  {
    id: 'billing.portal',
    method: 'POST',
    path: '/v1/tenants/{tenantId}/billing/portal',
    function: 'billing',
    auth: 'tenant',
    permission: 'billing:manage',
    allowWhenSuspended: true,
    summary: 'Manage the subscription (Stripe customer portal)',
    description:
      'A Stripe customer-portal page: change or cancel the plan, update the card, see invoices. Changes come back through the webhook.',
    request: {
      path: billingPath,
      body: z.strictObject({ returnUrl: z.optional(consoleReturnUrl) }),
      bodyOptional: true,
    },
    responses: { 201: { description: 'The portal page to send the owner to.', schema: redirect } },
    errors: ['service_unavailable', 'concurrent_modification'],
  },
  {
    id: 'billing.webhook',
    method: 'POST',
    path: '/v1/stripe/webhook',
    function: 'billing',
    auth: 'public',
    summary: 'Stripe webhook',
    description:
      'Stripe’s events, verified by their `Stripe-Signature` (300 s tolerance) and each applied exactly once: the subscription an event concerns is re-read from Stripe, so events may arrive in any order. Checkout completed, subscription created, updated and deleted, invoice paid and payment failed move the tenant’s plan and dunning state; every other event is acknowledged and ignored.',
    request: {
      body: z.looseObject({ id: z.string(), type: z.string() }),
      raw: true,
      maxBodyBytes: 512 * 1024,
    },
    responses: {
      200: {
        description: 'Received (applied, a duplicate, or ignored).',
        schema: z.object({ received: z.literal(true), outcome: z.enum(['applied', 'duplicate', 'ignored']) }),
      },
    },
    errors: [
      'invalid_webhook_signature',
      'invalid_webhook_event',
      'service_unavailable',
      'concurrent_modification',
    ],
  },
] as const satisfies readonly RouteDefinition[];
