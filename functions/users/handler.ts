import { createApiHandler, type Operations } from '../../shared/api/api-handler';
import { USER_ROUTES } from '../../shared/api/routes/users';
import { describeMe } from '../../shared/users/me';
import { endSession, listSessions, signOutEverywhere, signOutMember } from '../../shared/users/sessions';
import {
  changeUserRole,
  getUser,
  inviteUser,
  listUsers,
  removeUser,
  resendInvitation,
} from '../../shared/users/user-service';

const operations: Operations<typeof USER_ROUTES> = {
  'users.me': async (_input, request) => ({ status: 200, body: await describeMe(request.principal) }),
  'users.list': async ({ query }, request) => ({
    status: 200,
    body: await listUsers(request.tenant, query),
  }),
  'users.get': async ({ path }, request) => ({
    status: 200,
    body: await getUser(request.tenant, path.userId),
  }),
  'users.invite': async ({ body }, request) => ({
    status: 201,
    body: await inviteUser(request.tenant, body, request.receivedAt),
  }),
  'users.changeRole': async ({ path, body }, request) => ({
    status: 200,
    body: await changeUserRole(request.tenant, path.userId, body),
  }),
  'users.resendInvitation': async ({ path }, request) => ({
    status: 200,
    body: await resendInvitation(request.tenant, path.userId, request.receivedAt),
  }),
  'users.sessions.list': async (_input, request) => ({
    status: 200,
    body: await listSessions(request.principal, request.receivedAt),
  }),
  'users.sessions.signOutEverywhere': async (_input, request) => {
    await signOutEverywhere(request.principal, request.receivedAt);
    return { status: 204, body: undefined };
  },
  'users.sessions.end': async ({ path }, request) => {
    await endSession(request.principal, path.sessionId, request.receivedAt);
    return { status: 204, body: undefined };
  },
  'users.signOut': async ({ path }, request) => {
    await signOutMember(request.tenant, path.userId);
    return { status: 204, body: undefined };
  },
  'users.remove': async ({ path }, request) => {
    await removeUser(request.tenant, path.userId);
    return { status: 204, body: undefined };
  },
};

export const handler = createApiHandler(USER_ROUTES, operations);
