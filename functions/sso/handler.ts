import { createApiHandler, type Operations } from '../../shared/api/api-handler';
import { SSO_ROUTES } from '../../shared/api/routes/sso';
import { addSsoDomain, checkSsoDomain, listSsoDomains, removeSsoDomain } from '../../shared/sso/sso-domains';
import {
  deleteSsoConnection,
  discoverSignIn,
  getSsoConnection,
  putSsoConnection,
} from '../../shared/sso/sso-service';

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
  'sso.domains.add': async ({ body }, request) => ({
    status: 201,
    body: await addSsoDomain(request.tenant, body, request.receivedAt),
  }),
  'sso.domains.list': async (_input, request) => ({
    status: 200,
    body: await listSsoDomains(request.tenant),
  }),
  'sso.domains.check': async ({ path }, request) => ({
    status: 200,
    body: await checkSsoDomain(request.tenant, path.domain, request.receivedAt),
  }),
  'sso.domains.remove': async ({ path }, request) => {
    await removeSsoDomain(request.tenant, path.domain, request.receivedAt);
    return { status: 204, body: undefined };
  },
  'sso.discover': async ({ body }) => ({ status: 200, body: await discoverSignIn(body.email) }),
};

export const handler = createApiHandler(SSO_ROUTES, operations);
