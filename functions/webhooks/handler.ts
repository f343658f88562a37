import { createApiHandler, type Operations } from '../../shared/api/api-handler';
import { WEBHOOK_ROUTES } from '../../shared/api/routes/webhooks';
import { requireTenant } from '../../shared/http/request-scope';
import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  getWebhookEndpoint,
  listWebhookDeliveries,
  listWebhookEndpoints,
  updateWebhookEndpoint,
} from '../../shared/webhooks/webhook-service';

const operations: Operations<typeof WEBHOOK_ROUTES> = {
  'webhooks.create': async ({ body }, scope) => ({
    status: 201,
    body: await createWebhookEndpoint(requireTenant(scope), body, scope.receivedAt),
  }),
  'webhooks.list': async (_input, scope) => ({
    status: 200,
    body: await listWebhookEndpoints(requireTenant(scope)),
  }),
  'webhooks.get': async ({ path }, scope) => ({
    status: 200,
    body: await getWebhookEndpoint(requireTenant(scope), path.endpointId),
  }),
  'webhooks.update': async ({ path, body }, scope) => ({
    status: 200,
    body: await updateWebhookEndpoint(requireTenant(scope), path.endpointId, body, scope.receivedAt),
  }),
  'webhooks.delete': async ({ path }, scope) => {
    await deleteWebhookEndpoint(requireTenant(scope), path.endpointId, scope.receivedAt);
    return { status: 204, body: undefined };
  },
  'webhooks.deliveries': async ({ path, query }, scope) => ({
    status: 200,
    body: await listWebhookDeliveries(requireTenant(scope), path.endpointId, query),
  }),
};

export const handler = createApiHandler(WEBHOOK_ROUTES, operations);
