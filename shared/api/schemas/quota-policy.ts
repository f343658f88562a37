import * as z from 'zod/mini';
import { component } from './components';
import { timestamp } from './common';

/** A plan's policy at a monthly resource's limit (`QuotaPolicy` in `shared/model/plans.ts`). */
export const quotaPolicySchema = component(
  'QuotaPolicy',
  z
    .union([
      z.object({ kind: z.literal('refuse') }),
      z.object({
        kind: z.literal('overage'),
        upToPercent: z.number(),
        forHours: z.nullable(z.number()),
      }),
      z.object({ kind: z.literal('suspend'), upToPercent: z.number(), afterHours: z.number() }),
    ])
    .check(
      z.describe(
        'What happens at the limit. `refuse`: nothing past it. `overage`: use past it is admitted up to `upToPercent` of the limit more, billed as overage; with `forHours`, only for that many hours after the month’s use first went past the limit, then refused until the next month. `suspend`: overage is admitted as for `overage`, and a tenant still past the limit `afterHours` after it first went past is suspended (its owners are told when it goes past, with the time) until it moves to a larger plan or the next month begins.',
      ),
    ),
);

/** Where a tenant stands against a monthly resource's policy. */
export const policyStandingFields = {
  policy: quotaPolicySchema,
  overSince: z
    .nullable(timestamp)
    .check(
      z.describe('When this month’s use first went past the limit, where the policy counts time past it.'),
    ),
  overageEndsAt: z
    .nullable(timestamp)
    .check(z.describe('`overage` with hours: from when use past the limit is refused this month.')),
  suspendsAt: z
    .nullable(timestamp)
    .check(z.describe('`suspend`: when the tenant is suspended if it is still past the limit.')),
};

/** How long each class of a tenant's data is kept (`Retention` in `shared/model/plans.ts`). */
export const retentionSchema = component(
  'Retention',
  z
    .object({
      auditEvents: z.int(),
      usageEvents: z.int(),
      runs: z.nullable(z.int()),
      memoryItems: z.nullable(z.int()),
    })
    .check(
      z.describe(
        'Days each class of data is kept from its creation while the tenant is active (null: as long as the tenant exists): audit events, usage records, runs that ended, memory items. Nothing expires while the tenant is suspended; a deleted tenant’s data is kept until its purge at the end of the deletion window.',
      ),
    ),
);
