import { createApiHandler, type Operations } from '../../shared/api/api-handler';
import { DOMAIN_ROUTES } from '../../shared/api/routes/domains';
import {
  addDomain,
  checkDomainNow,
  getDomain,
  listDomains,
  removeDomain,
} from '../../shared/custom-domains/domain-service';

const operations: Operations<typeof DOMAIN_ROUTES> = {
  'domains.add': async ({ body }, request) => ({
    status: 201,
    body: await addDomain(request.tenant, body, request.receivedAt),
  }),
  'domains.list': async (_input, request) => ({ status: 200, body: await listDomains(request.tenant) }),
  'domains.get': async ({ path }, request) => ({
    status: 200,
    body: await getDomain(request.tenant, path.domain),
  }),
  'domains.check': async ({ path }, request) => ({
    status: 200,
    body: await checkDomainNow(request.tenant, path.domain, request.receivedAt),
  }),
  'domains.remove': async ({ path }, request) => {
    const result = await removeDomain(request.tenant, path.domain, request.receivedAt);
    return result.released ? { status: 204, body: undefined } : { status: 202, body: result.domain };
  },
};

export const handler = createApiHandler(DOMAIN_ROUTES, operations);
