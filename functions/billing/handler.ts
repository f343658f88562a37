import { createApiHandler, type Operations } from '../../shared/api/api-handler';
import { BILLING_ROUTES } from '../../shared/api/routes/billing';
import { billingSummary, openPortal, startCheckout } from '../../shared/billing/billing-service';
import { planCatalog } from '../../shared/billing/plan-catalog';
import { stripeBilling } from '../../shared/billing/stripe-billing';
import { receiveBillingWebhook } from '../../shared/billing/subscription-sync';

const operations: Operations<typeof BILLING_ROUTES> = {
  'plans.list': async () => ({
    status: 200,
    body: { items: planCatalog() },
    headers: { 'cache-control': 'public, max-age=300' },
  }),
  'billing.get': async (_input, request) => ({
    status: 200,
    body: await billingSummary(stripeBilling, request.tenant, request.receivedAt),
  }),
  'billing.checkout': async ({ body }, request) => ({
    status: 201,
    body: await startCheckout(stripeBilling, request.tenant, body),
  }),
  'billing.portal': async ({ body }, request) => ({
    status: 201,
    body: await openPortal(stripeBilling, request.tenant, body),
  }),
  'billing.webhook': async (_input, request) => ({
    status: 200,
    body: {
      received: true,
      outcome: await receiveBillingWebhook(
        stripeBilling,
        { rawBody: request.raw?.body ?? '', signature: request.raw?.headers['stripe-signature'] ?? '' },
        request.meta,
        request.receivedAt,
      ),
    },
  }),
};

export const handler = createApiHandler(BILLING_ROUTES, operations);
