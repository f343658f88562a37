import { createApiHandler, type Operations } from '../../shared/api/api-handler';
import { PLATFORM_ROUTES } from '../../shared/api/routes/platform';
import {
  grantPlatformAdmin,
  grantPlatformAdminByEmail,
  listPlatformAdmins,
  listPlatformAuditEvents,
  revokePlatformAdmin,
} from '../../shared/platform/platform-admins';
import { platformMetrics } from '../../shared/operations/platform-metrics';
import type { RequestMeta } from '../../shared/context/tenant-context';

/** The acting platform admin, as the platform audit log names them. */
const actorOf = (request: {
  principal: { userId: string; email: string | undefined };
  meta: RequestMeta;
}) => ({
  id: request.principal.userId,
  email: request.principal.email,
  meta: request.meta,
});

const operations: Operations<typeof PLATFORM_ROUTES> = {
  'platform.admins.list': async () => ({ status: 200, body: await listPlatformAdmins() }),
  'platform.admins.grantByEmail': async ({ body }, request) => ({
    status: 200,
    body: await grantPlatformAdminByEmail(actorOf(request), body, request.receivedAt),
  }),
  'platform.admins.grant': async ({ path }, request) => ({
    status: 200,
    body: await grantPlatformAdmin(actorOf(request), path.userId, { now: request.receivedAt }),
  }),
  'platform.admins.revoke': async ({ path }, request) => {
    await revokePlatformAdmin(actorOf(request), path.userId, request.receivedAt);
    return { status: 204, body: undefined };
  },
  'platform.audit.list': async ({ query }) => ({ status: 200, body: await listPlatformAuditEvents(query) }),
  'platform.metrics': async (_input, request) => ({
    status: 200,
    body: await platformMetrics(request.receivedAt),
  }),
};

export const handler = createApiHandler(PLATFORM_ROUTES, operations);
