import { createApiHandler, type Operations } from '../../shared/api/api-handler';
import { PLATFORM_ROUTES } from '../../shared/api/routes/platform';
import { requirePrincipal } from '../../shared/http/request-scope';
import {
  grantPlatformAdmin,
  listPlatformAdmins,
  listPlatformAuditEvents,
  revokePlatformAdmin,
} from '../../shared/platform/platform-admins';

const operations: Operations<typeof PLATFORM_ROUTES> = {
  'platform.admins.list': async () => ({ status: 200, body: await listPlatformAdmins() }),
  'platform.admins.grant': async ({ path }, scope) => ({
    status: 200,
    body: await grantPlatformAdmin(
      { id: requirePrincipal(scope).userId, meta: scope.meta },
      path.userId,
      scope.receivedAt,
    ),
  }),
  'platform.admins.revoke': async ({ path }, scope) => {
    await revokePlatformAdmin(
      { id: requirePrincipal(scope).userId, meta: scope.meta },
      path.userId,
      scope.receivedAt,
    );
    return { status: 204, body: undefined };
  },
  'platform.audit.list': async ({ query }) => ({ status: 200, body: await listPlatformAuditEvents(query) }),
};

export const handler = createApiHandler(PLATFORM_ROUTES, operations);
