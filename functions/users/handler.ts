import { createApiHandler, type Operations } from '../../shared/api/api-handler';
import { USER_ROUTES } from '../../shared/api/routes/users';
import { requirePrincipal, requireTenant } from '../../shared/http/request-scope';
import { describeMe } from '../../shared/users/me';
import {
  changeUserRole,
  getUser,
  inviteUser,
  listUsers,
  removeUser,
  resendInvitation,
} from '../../shared/users/user-service';

const operations: Operations<typeof USER_ROUTES> = {
  'users.me': async (_input, scope) => ({ status: 200, body: await describeMe(requirePrincipal(scope)) }),
  'users.list': async ({ query }, scope) => ({
    status: 200,
    body: await listUsers(requireTenant(scope), query),
  }),
  'users.get': async ({ path }, scope) => ({
    status: 200,
    body: await getUser(requireTenant(scope), path.userId),
  }),
  'users.invite': async ({ body }, scope) => ({
    status: 201,
    body: await inviteUser(requireTenant(scope), body, scope.receivedAt),
  }),
  'users.changeRole': async ({ path, body }, scope) => ({
    status: 200,
    body: await changeUserRole(requireTenant(scope), path.userId, body),
  }),
  'users.resendInvitation': async ({ path }, scope) => ({
    status: 200,
    body: await resendInvitation(requireTenant(scope), path.userId, scope.receivedAt),
  }),
  'users.remove': async ({ path }, scope) => {
    await removeUser(requireTenant(scope), path.userId);
    return { status: 204, body: undefined };
  },
};

export const handler = createApiHandler(USER_ROUTES, operations);
