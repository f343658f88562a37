import { getConfig } from '../../shared/config';
import { createApiHandler, type Operation } from '../../shared/http/api-handler';
import { json, noContent } from '../../shared/http/response';
import { requireTenant } from '../../shared/http/scope';
import { parseJsonBody, parseWith } from '../../shared/http/validation';
import { changeUserRole, getUser, inviteUser, listUsers, removeUser } from '../../shared/users/user-service';
import { routesOf } from '../routes';
import { changeRoleBody, inviteBody, listUsersQuery, userPath, usersPath } from './schemas';

const { maxBodyBytes } = getConfig().http;

const operations: Record<string, Operation> = {
  'users.list': async (event, scope) => {
    parseWith(usersPath, event.pathParameters, 'path');
    const query = parseWith(listUsersQuery, event.queryStringParameters ?? {}, 'query string');
    return json(200, await listUsers(requireTenant(scope), query));
  },
  'users.get': async (event, scope) => {
    const { userId } = parseWith(userPath, event.pathParameters, 'path');
    return json(200, await getUser(requireTenant(scope), userId));
  },
  'users.invite': async (event, scope) => {
    parseWith(usersPath, event.pathParameters, 'path');
    return json(201, await inviteUser(requireTenant(scope), parseJsonBody(event, inviteBody, maxBodyBytes)));
  },
  'users.changeRole': async (event, scope) => {
    const { userId } = parseWith(userPath, event.pathParameters, 'path');
    const body = parseJsonBody(event, changeRoleBody, maxBodyBytes);
    return json(200, await changeUserRole(requireTenant(scope), userId, body));
  },
  'users.remove': async (event, scope) => {
    const { userId } = parseWith(userPath, event.pathParameters, 'path');
    await removeUser(requireTenant(scope), userId);
    return noContent();
  },
};

export const handler = createApiHandler(routesOf('users'), operations);
