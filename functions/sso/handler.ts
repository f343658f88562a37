import { createApiHandler, type Operations } from '../../shared/api/api-handler';
import { SSO_ROUTES } from '../../shared/api/routes/sso';
import { deleteSsoConnection, getSsoConnection, putSsoConnection } from '../../shared/sso/sso-service';

const operations: Operations<typeof SSO_ROUTES> = {
  'sso.get': async (_input, request) => ({ status: 200, body: await getSsoConnection(request.tenant) }),
  'sso.put': async ({ body }, request) => ({
    status: 200,
    body: await putSsoConnection(request.tenant, body, request.receivedAt),
  }),
  'sso.remove': async (_input, request) => {
    await deleteSsoConnection(request.tenant, request.receivedAt);
    return { status: 204, body: undefined };
  },
};

export const handler = createApiHandler(SSO_ROUTES, operations);
