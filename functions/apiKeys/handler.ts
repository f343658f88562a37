import { createApiHandler, type Operations } from '../../shared/api/api-handler';
import { API_KEY_ROUTES } from '../../shared/api/routes/api-keys';
import { createApiKey, getApiKey, listApiKeys, revokeApiKey } from '../../shared/api-keys/api-key-service';
import { requireTenant } from '../../shared/http/request-scope';

const operations: Operations<typeof API_KEY_ROUTES> = {
  'apiKeys.create': async ({ body }, scope) => ({
    status: 201,
    body: await createApiKey(requireTenant(scope), body, scope.receivedAt),
  }),
  'apiKeys.list': async ({ query }, scope) => ({
    status: 200,
    body: await listApiKeys(requireTenant(scope), query, scope.receivedAt),
  }),
  'apiKeys.get': async ({ path }, scope) => ({
    status: 200,
    body: await getApiKey(requireTenant(scope), path.keyId),
  }),
  'apiKeys.revoke': async ({ path }, scope) => ({
    status: 200,
    body: await revokeApiKey(requireTenant(scope), path.keyId, scope.receivedAt),
  }),
};

export const handler = createApiHandler(API_KEY_ROUTES, operations);
