import { createApiHandler, type Operations } from '../../shared/api/api-handler';
import { SCIM_ROUTES } from '../../shared/api/routes/scim';
import { SSO_ROUTES } from '../../shared/api/routes/sso';
import {
  createScimGroup,
  deleteScimGroup,
  getScimGroup,
  listScimGroups,
  patchScimGroup,
  replaceScimGroup,
} from '../../shared/scim/scim-groups';
import { serviceProviderConfig } from '../../shared/scim/scim-resources';
import {
  createScimUser,
  deleteScimUser,
  getScimUser,
  listScimUsers,
  patchScimUser,
  replaceScimUser,
} from '../../shared/scim/scim-users';
import { addSsoDomain, checkSsoDomain, listSsoDomains, removeSsoDomain } from '../../shared/sso/sso-domains';
import {
  deleteSsoConnection,
  discoverSignIn,
  getSsoConnection,
  putSsoConnection,
} from '../../shared/sso/sso-service';

const ROUTES = [...SSO_ROUTES, ...SCIM_ROUTES] as const;

const operations: Operations<typeof ROUTES> = {
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

  'scim.config': async ({ path }) => ({ status: 200, body: serviceProviderConfig(path.tenantId) }),
  'scim.users.list': async ({ query }, request) => ({
    status: 200,
    body: await listScimUsers(request.tenant, query),
  }),
  'scim.users.create': async ({ body }, request) => {
    const user = await createScimUser(request.tenant, body, request.receivedAt);
    return { status: 201, body: user, headers: { Location: user.meta.location } };
  },
  'scim.users.get': async ({ path }, request) => ({
    status: 200,
    body: await getScimUser(request.tenant, path.userId),
  }),
  'scim.users.replace': async ({ path, body }, request) => ({
    status: 200,
    body: await replaceScimUser(request.tenant, path.userId, body, request.receivedAt),
  }),
  'scim.users.patch': async ({ path, body }, request) => ({
    status: 200,
    body: await patchScimUser(request.tenant, path.userId, body, request.receivedAt),
  }),
  'scim.users.delete': async ({ path }, request) => {
    await deleteScimUser(request.tenant, path.userId);
    return { status: 204, body: undefined };
  },
  'scim.groups.list': async ({ query }, request) => ({
    status: 200,
    body: await listScimGroups(request.tenant, query),
  }),
  'scim.groups.create': async ({ body }, request) => {
    const group = await createScimGroup(request.tenant, body, request.receivedAt);
    return { status: 201, body: group, headers: { Location: group.meta.location } };
  },
  'scim.groups.get': async ({ path, query }, request) => ({
    status: 200,
    body: await getScimGroup(request.tenant, path.groupId, query.excludedAttributes),
  }),
  'scim.groups.replace': async ({ path, body }, request) => ({
    status: 200,
    body: await replaceScimGroup(request.tenant, path.groupId, body, request.receivedAt),
  }),
  'scim.groups.patch': async ({ path, body }, request) => ({
    status: 200,
    body: await patchScimGroup(request.tenant, path.groupId, body, request.receivedAt),
  }),
  'scim.groups.delete': async ({ path }, request) => {
    await deleteScimGroup(request.tenant, path.groupId, request.receivedAt);
    return { status: 204, body: undefined };
  },
};

export const handler = createApiHandler(ROUTES, operations);
