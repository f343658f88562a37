import { createApiHandler, type Operations } from '../../shared/api/api-handler';
import { WEBHOOK_ROUTES } from '../../shared/api/routes/webhooks';
import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  getWebhookEndpoint,
  listWebhookDeliveries,
  listWebhookEndpoints,
  retryWebhookDelivery,
  sendTestWebhook,
  updateWebhookEndpoint,
} from '../../shared/webhooks/webhook-service';

const operations: Operations<typeof WEBHOOK_ROUTES> = {
  'webhooks.create': async ({ body }, request) => ({
    status: 201,
    body: await createWebhookEndpoint(request.tenant, body, request.receivedAt),
  }),
  'webhooks.list': async (_input, request) => ({
    status: 200,
    body: await listWebhookEndpoints(request.tenant),
  }),
  'webhooks.get': async ({ path }, request) => ({
    status: 200,
    body: await getWebhookEndpoint(request.tenant, path.endpointId),
  }),
  'webhooks.update': async ({ path, body }, request) => ({
    status: 200,
    body: await updateWebhookEndpoint(request.tenant, path.endpointId, body, request.receivedAt),
  }),
  'webhooks.delete': async ({ path }, request) => {
    await deleteWebhookEndpoint(request.tenant, path.endpointId, request.receivedAt);
    return { status: 204, body: undefined };
  },
  'webhooks.deliveries': async ({ path, query }, request) => ({
    status: 200,
    body: await listWebhookDeliveries(request.tenant, path.endpointId, query),
  }),
  'webhooks.test': async ({ path, body }, request) => ({
    status: 202,
    body: await sendTestWebhook(request.tenant, path.endpointId, body, request.receivedAt),
  }),
  'webhooks.retry': async ({ path }, request) => ({
    status: 202,
    body: await retryWebhookDelivery(request.tenant, path.endpointId, path.deliveryId),
  }),
};

export const handler = createApiHandler(WEBHOOK_ROUTES, operations);
