import { createApiHandler, type Operations } from '../../shared/api/api-handler';
import { AUDIT_ROUTES } from '../../shared/api/routes/audit';
import { exportAuditEvents, listAuditEvents } from '../../shared/audit/audit-log';

const operations: Operations<typeof AUDIT_ROUTES> = {
  'audit.list': async ({ query }, request) => ({
    status: 200,
    body: await listAuditEvents(request.tenant, query),
  }),
  'audit.export': async (_input, request) => {
    const { ndjson, count, truncated } = await exportAuditEvents(request.tenant);
    return {
      status: 200,
      body: ndjson,
      headers: { 'x-export-count': String(count), 'x-export-truncated': String(truncated) },
    };
  },
};

export const handler = createApiHandler(AUDIT_ROUTES, operations);
