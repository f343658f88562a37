import { createApiHandler, type Operations } from '../../shared/api/api-handler';
import { QUOTA_ROUTES } from '../../shared/api/routes/quotas';
import { quotaReport, usageReport } from '../../shared/quotas/quota-report';
import { reconcileQuotas } from '../../shared/quotas/reconciliation';

const operations: Operations<typeof QUOTA_ROUTES> = {
  'quotas.get': async (_input, request) => ({
    status: 200,
    body: await quotaReport(request.tenant, request.receivedAt),
  }),
  'usage.get': async ({ query }, request) => ({
    status: 200,
    body: await usageReport(request.tenant, query, request.receivedAt),
  }),
  'quotas.reconcile': async (_input, request) => ({
    status: 200,
    body: { counters: await reconcileQuotas(request.tenant, request.receivedAt) },
  }),
};

export const handler = createApiHandler(QUOTA_ROUTES, operations);
