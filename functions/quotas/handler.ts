import { z } from 'zod';
import { createApiHandler, type Operation } from '../../shared/http/api-handler';
import { json } from '../../shared/http/response';
import { requireTenant } from '../../shared/http/scope';
import { noQueryParams, parsePath, parseQuery } from '../../shared/http/validation';
import { idSchema } from '../../shared/ids';
import { quotaReport, usageReport } from '../../shared/quotas/quota-report';
import { PERIODIC_RESOURCES } from '../../shared/tenants/plans';
import { routesOf } from '../routes';

const tenantPath = z.object({ tenantId: idSchema('tenant') });
const usageQuery = z.strictObject({
  from: z.iso
    .datetime({ offset: true })
    .or(z.iso.date())
    .transform((value) => new Date(value))
    .optional(),
  to: z.iso
    .datetime({ offset: true })
    .or(z.iso.date())
    .transform((value) => new Date(value))
    .optional(),
  granularity: z.enum(['hour', 'day', 'month']).default('day'),
  resource: z.enum(PERIODIC_RESOURCES).optional(),
});

const operations: Record<string, Operation> = {
  'quotas.get': async (event, scope) => {
    parsePath(event, tenantPath);
    parseQuery(event, noQueryParams);
    return json(200, await quotaReport(requireTenant(scope)));
  },
  'usage.get': async (event, scope) => {
    parsePath(event, tenantPath);
    return json(200, await usageReport(requireTenant(scope), parseQuery(event, usageQuery)));
  },
};

export const handler = createApiHandler(routesOf('quotas'), operations);
