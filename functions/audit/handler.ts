import { createApiHandler, type Operations } from '../../shared/api/api-handler';
import { AUDIT_ROUTES } from '../../shared/api/routes/audit';
import { exportAuditEvents, listAuditEvents } from '../../shared/audit/audit-log';
import { requireTenant } from '../../shared/http/request-scope';

const operations: Operations<typeof AUDIT_ROUTES> = {
  'audit.list': async ({ query }, scope) => ({
    status: 200,
    body: await listAuditEvents(requireTenant(scope), query),
  }),
  'audit.export': async (_input, scope) => {
    const { ndjson, count, truncated } = await exportAuditEvents(requireTenant(scope));
    return {
      status: 200,
      body: ndjson,
      headers: { 'x-export-count': String(count), 'x-export-truncated': String(truncated) },
    };
  },
};

export const handler = createApiHandler(AUDIT_ROUTES, operations);
