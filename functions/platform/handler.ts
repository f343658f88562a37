import { createApiHandler, type Operations } from '../../shared/api/api-handler';
import { PLATFORM_ROUTES } from '../../shared/api/routes/platform';
import {
  grantPlatformAdmin,
  listPlatformAdmins,
  listPlatformAuditEvents,
  revokePlatformAdmin,
} from '../../shared/platform/platform-admins';
import { platformMetrics } from '../../shared/operations/platform-metrics';

const operations: Operations<typeof PLATFORM_ROUTES> = {
  'platform.admins.list': async () => ({ status: 200, body: await listPlatformAdmins() }),
  'platform.admins.grant': async ({ path }, request) => ({
    status: 200,
    body: await grantPlatformAdmin(
      { id: request.principal.userId, meta: request.meta },
      path.userId,
      request.receivedAt,
    ),
  }),
  'platform.admins.revoke': async ({ path }, request) => {
    await revokePlatformAdmin(
      { id: request.principal.userId, meta: request.meta },
      path.userId,
      request.receivedAt,
    );
    return { status: 204, body: undefined };
  },
  'platform.audit.list': async ({ query }) => ({ status: 200, body: await listPlatformAuditEvents(query) }),
  'platform.metrics': async (_input, request) => ({
    status: 200,
    body: await platformMetrics(request.receivedAt),
  }),
};

export const handler = createApiHandler(PLATFORM_ROUTES, operations);
