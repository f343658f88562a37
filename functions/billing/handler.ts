import { createApiHandler, type Operations } from '../../shared/api/api-handler';
import { BILLING_ROUTES } from '../../shared/api/routes/billing';
import { billingSummary, openPortal, startCheckout } from '../../shared/billing/billing-service';
import { planCatalog } from '../../shared/billing/plan-catalog';
import { stripeBilling } from '../../shared/billing/stripe-billing';
import { receiveBillingWebhook } from '../../shared/billing/subscription-sync';
import { requireTenant } from '../../shared/http/request-scope';

const operations: Operations<typeof BILLING_ROUTES> = {
  'plans.list': async () => ({
    status: 200,
    body: { items: planCatalog() },
    headers: { 'cache-control': 'public, max-age=300' },
  }),
  'billing.get': async (_input, scope) => ({
    status: 200,
    body: await billingSummary(stripeBilling, requireTenant(scope), scope.receivedAt),
  }),
  'billing.checkout': async ({ body }, scope) => ({
    status: 201,
    body: await startCheckout(stripeBilling, requireTenant(scope), body),
  }),
  'billing.portal': async ({ body }, scope) => ({
    status: 201,
    body: await openPortal(stripeBilling, requireTenant(scope), body),
  }),
  'billing.webhook': async (_input, scope) => ({
    status: 200,
    body: {
      received: true,
      outcome: await receiveBillingWebhook(
        stripeBilling,
        { rawBody: scope.raw?.body ?? '', signature: scope.raw?.headers['stripe-signature'] ?? '' },
        scope.meta,
        scope.receivedAt,
      ),
    },
  }),
};

export const handler = createApiHandler(BILLING_ROUTES, operations);
