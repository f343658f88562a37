import { createApiHandler, type Operations } from '../../shared/api/api-handler';
import { BILLING_ROUTES } from '../../shared/api/routes/billing';
import { planCatalog } from '../../shared/billing/plan-catalog';

const operations: Operations<typeof BILLING_ROUTES> = {
  'plans.list': async () => ({
    status: 200,
    body: { items: planCatalog() },
    headers: { 'cache-control': 'public, max-age=300' },
  }),
};

export const handler = createApiHandler(BILLING_ROUTES, operations);
