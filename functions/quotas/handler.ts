import { createApiHandler, type Operations } from '../../shared/api/api-handler';
import { QUOTA_ROUTES } from '../../shared/api/routes/quotas';
import { requireTenant } from '../../shared/http/request-scope';
import { quotaReport, usageReport } from '../../shared/quotas/quota-report';
import { reconcileQuotas } from '../../shared/quotas/reconciliation';

const operations: Operations<typeof QUOTA_ROUTES> = {
  'quotas.get': async (_input, scope) => ({
    status: 200,
    body: await quotaReport(requireTenant(scope), scope.receivedAt),
  }),
  'usage.get': async ({ query }, scope) => ({
    status: 200,
    body: await usageReport(requireTenant(scope), query, scope.receivedAt),
  }),
  'quotas.reconcile': async (_input, scope) => ({
    status: 200,
    body: { counters: await reconcileQuotas(requireTenant(scope), scope.receivedAt) },
  }),
};

export const handler = createApiHandler(QUOTA_ROUTES, operations);
