import * as z from 'zod/mini';
import type { $ZodType } from 'zod/v4/core';
import { idSchema } from '../../ids';

/**
 * The path parameters of a tenant route: `{tenantId}`, checked as a tenant id before anything is
 * looked up, and the ids of the route's own resources. No other parameter is accepted.
 */
export function tenantPath<const Ids extends Record<string, $ZodType> = Record<never, never>>(
  ids: Ids = {} as Ids,
) {
  return z.strictObject({ tenantId: idSchema('tenant'), ...ids });
}
