import { createApiHandler, type Operation } from '../../shared/http/api-handler';
import { json, noContent } from '../../shared/http/response';
import { requireTenant } from '../../shared/http/scope';
import { parseBody, parsePath, parseQuery } from '../../shared/http/validation';
import { changeUserRole, getUser, inviteUser, listUsers, removeUser } from '../../shared/users/user-service';
import { routesOf } from '../routes';
import { changeRoleBody, inviteBody, listUsersQuery, userPath, usersPath } from './schemas';

const operations: Record<string, Operation> = {
  'users.list': async (event, scope) => {
    parsePath(event, usersPath);
    const query = parseQuery(event, listUsersQuery);
    return json(200, await listUsers(requireTenant(scope), query));
  },
  'users.get': async (event, scope) => {
    const { userId } = parsePath(event, userPath);
    return json(200, await getUser(requireTenant(scope), userId));
  },
  'users.invite': async (event, scope) => {
    parsePath(event, usersPath);
    return json(201, await inviteUser(requireTenant(scope), parseBody(event, inviteBody)));
  },
  'users.changeRole': async (event, scope) => {
    const { userId } = parsePath(event, userPath);
    const body = parseBody(event, changeRoleBody);
    return json(200, await changeUserRole(requireTenant(scope), userId, body));
  },
  'users.remove': async (event, scope) => {
    const { userId } = parsePath(event, userPath);
    await removeUser(requireTenant(scope), userId);
    return noContent();
  },
};

export const handler = createApiHandler(routesOf('users'), operations);
