import { createApiHandler, type Operations } from '../../shared/api/api-handler';
import { API_KEY_ROUTES } from '../../shared/api/routes/api-keys';
import { createApiKey, getApiKey, listApiKeys, revokeApiKey } from '../../shared/api-keys/api-key-service';

const operations: Operations<typeof API_KEY_ROUTES> = {
  'apiKeys.create': async ({ body }, request) => ({
    status: 201,
    body: await createApiKey(request.tenant, body, request.receivedAt),
  }),
  'apiKeys.list': async ({ query }, request) => ({
    status: 200,
    body: await listApiKeys(request.tenant, query, request.receivedAt),
  }),
  'apiKeys.get': async ({ path }, request) => ({
    status: 200,
    body: await getApiKey(request.tenant, path.keyId),
  }),
  'apiKeys.revoke': async ({ path }, request) => ({
    status: 200,
    body: await revokeApiKey(request.tenant, path.keyId, request.receivedAt),
  }),
};

export const handler = createApiHandler(API_KEY_ROUTES, operations);
