import { createApiHandler, type Operations } from '../../shared/api/api-handler';
import { DOMAIN_ROUTES } from '../../shared/api/routes/domains';
import {
  addDomain,
  checkDomain,
  getDomain,
  listDomains,
  removeDomain,
} from '../../shared/custom-domains/domain-service';
import { NotFoundError } from '../../shared/errors';

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
  'domains.check': async ({ path }, request) => {
    const domain = await checkDomain(request.tenant, path.domain, request.receivedAt);
    // Released by this very check (its grace ran out): gone, as a later read would say.
    if (!domain) throw new NotFoundError('No custom domain of this name in the tenant.', 'domain_not_found');
    return { status: 200, body: domain };
  },
  'domains.remove': async ({ path }, request) => {
    const result = await removeDomain(request.tenant, path.domain, request.receivedAt);
    return result.released ? { status: 204, body: undefined } : { status: 202, body: result.domain };
  },
};

export const handler = createApiHandler(DOMAIN_ROUTES, operations);
