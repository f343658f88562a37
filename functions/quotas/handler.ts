import { z } from 'zod';
import { createApiHandler, type Operation } from '../../shared/http/api-handler';
import { json } from '../../shared/http/response';
import { requireTenant } from '../../shared/http/scope';
import { noQueryParams, parseWith } from '../../shared/http/validation';
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
    parseWith(tenantPath, event.pathParameters, 'path');
    parseWith(noQueryParams, event.queryStringParameters ?? {}, 'query string');
    return json(200, await quotaReport(requireTenant(scope)));
  },
  'usage.get': async (event, scope) => {
    parseWith(tenantPath, event.pathParameters, 'path');
    return json(
      200,
      await usageReport(
        requireTenant(scope),
        parseWith(usageQuery, event.queryStringParameters ?? {}, 'query string'),
      ),
    );
  },
};

export const handler = createApiHandler(routesOf('quotas'), operations);
