import * as z from 'zod/mini';
import type { RouteDefinition } from '../../http/route';
import { FEATURE_FLAGS, LIMIT_NAMES, PERIODIC_RESOURCES, PLAN_IDS } from '../../tenants/plans';
import { component } from '../schemas/components';

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
    overage: z.object({
      allowancePercent: z.number(),
      prices: z.partialRecord(z.enum(PERIODIC_RESOURCES), z.object({ per: z.int(), price: money })),
    }),
  }),
);

export const BILLING_ROUTES = [
  {
    id: 'plans.list',
    method: 'GET',
    path: '/v1/plans',
    function: 'billing',
    auth: 'public',
    summary: 'The plans for sale',
    description:
      'Every plan with its monthly price, limits (`null` is unlimited), features, audit retention and overage prices: use of a monthly resource past its limit, up to the allowance, is billed per block.',
    request: {},
    responses: { 200: { description: 'The plans.', schema: z.object({ items: z.array(planView) }) } },
    errors: [],
  },
] as const satisfies readonly RouteDefinition[];
