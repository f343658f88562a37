import { z } from 'zod';
import { idSchema } from '../../shared/ids';
import { LIMIT_NAMES, PLAN_IDS } from '../../shared/tenants/plans';
import { TENANT_STATUSES } from '../../shared/tenants/tenant-status';
import { cursorParam, limitParam } from '../../shared/http/validation';

const slug = z
  .string()
  .min(3)
  .max(40)
  .regex(/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/, 'lower-case letters, digits and inner hyphens only');
const name = z.string().trim().min(1).max(100);
const email = z
  .email()
  .max(254)
  .transform((value) => value.toLowerCase());
const owner = z.strictObject({ email, name: name.optional() });

export const signupBody = z.strictObject({ name, slug, owner });
export const createTenantBody = z.strictObject({ name, slug, owner, plan: z.enum(PLAN_IDS).optional() });

export const tenantPath = z.object({ tenantId: idSchema('tenant') });

export const updateTenantBody = z
  .strictObject({
    name: name.optional(),
    settings: z
      .strictObject({
        mfaRequired: z.boolean().optional(),
        defaultLocale: z
          .string()
          .regex(/^[a-z]{2}(?:-[A-Z]{2})?$/, 'a locale such as en or en-GB')
          .optional(),
        timezone: z.string().min(1).max(64).optional(),
      })
      .optional(),
  })
  .refine((body) => body.name !== undefined || body.settings !== undefined, 'name or settings is required');

const limitValue = z.number().int().min(0).max(1e15).nullable();
export const changePlanBody = z.strictObject({
  plan: z.enum(PLAN_IDS),
  /** Per-tenant limits that replace the plan's (`null` = unlimited); omitted keeps the current ones. */
  limitOverrides: z
    .strictObject(Object.fromEntries(LIMIT_NAMES.map((name) => [name, limitValue.optional()])))
    .optional(),
});
export const suspendBody = z.strictObject({ reason: z.string().trim().min(1).max(500) });

export const listTenantsQuery = z.strictObject({
  status: z.enum(TENANT_STATUSES).optional(),
  plan: z.enum(PLAN_IDS).optional(),
  limit: limitParam,
  cursor: cursorParam,
});
