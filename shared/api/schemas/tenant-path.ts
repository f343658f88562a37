import * as z from 'zod/mini';
import type { $ZodType } from 'zod/v4/core';
import { idSchema } from '../../ids';
import { CURRENT_TENANT } from '../../model/resolution-strategies';

/**
 * A tenant route's `{tenantId}`: a tenant id, checked before anything is looked up, or `current`, the
 * tenant the request's other strategies name (its host, the tenant header, the credential; see
 * shared/tenancy/tenant-resolution.ts).
 */
export const tenantIdParam = z.union([idSchema('tenant'), z.literal(CURRENT_TENANT)]);

/**
 * The path parameters of a tenant route: `{tenantId}` (an id or `current`) and the ids of the route's
 * own resources. No other parameter is accepted.
 */
export function tenantPath<const Ids extends Record<string, $ZodType> = Record<never, never>>(
  ids: Ids = {} as Ids,
) {
  return z.strictObject({ tenantId: tenantIdParam, ...ids });
}
