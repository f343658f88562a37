import { createApiHandler, type Operations } from '../../shared/api/api-handler';
import { QUOTA_ROUTES } from '../../shared/api/routes/quotas';
import { quotaReport, usageReport } from '../../shared/quotas/quota-report';
import { reconcileQuotas } from '../../shared/quotas/reconciliation';
import { checkUsage, listUsageEvents, recordUsage } from '../../shared/quotas/usage-api';
import { routeUsageReport } from '../../shared/operations/route-stats';
import { tenantHealth } from '../../shared/operations/tenant-health';
import { childHealth } from '../../shared/operations/child-health';

const operations: Operations<typeof QUOTA_ROUTES> = {
  'quotas.check': async ({ body }, request) => ({
    status: 200,
    body: await checkUsage(request.tenant, body, request.receivedAt),
  }),
  'usage.record': async ({ body }, request) => ({
    status: 201,
    body: await recordUsage(
      request.tenant,
      body,
      { take: request.take, idempotencyKey: request.idempotencyKey, requestId: request.meta.requestId },
      request.receivedAt,
    ),
  }),
  'usage.events': async ({ query }, request) => ({
    status: 200,
    body: await listUsageEvents(request.tenant, query),
  }),
  'quotas.get': async (_input, request) => ({
    status: 200,
    body: await quotaReport(request.tenant, request.receivedAt),
  }),
  'usage.get': async ({ query }, request) => ({
    status: 200,
    body: await usageReport(request.tenant, query, request.receivedAt),
  }),
  'usage.routes': async ({ query }, request) => ({
    status: 200,
    body: await routeUsageReport(request.tenant, query),
  }),
  'tenants.health': async (_input, request) => ({ status: 200, body: await tenantHealth(request.tenant) }),
  'children.health': async ({ path }, request) => ({
    status: 200,
    body: await childHealth(request.tenant, path.childId),
  }),
  'quotas.reconcile': async (_input, request) => ({
    status: 200,
    body: { counters: await reconcileQuotas(request.tenant, request.receivedAt) },
  }),
};

export const handler = createApiHandler(QUOTA_ROUTES, operations);
