import { createApiHandler, type Operations } from '../../shared/api/api-handler';
import { AUDIT_ROUTES } from '../../shared/api/routes/audit';
import { exportAuditEvents, listAuditEvents } from '../../shared/audit/audit-log';

const operations: Operations<typeof AUDIT_ROUTES> = {
  'audit.list': async ({ query }, request) => ({
    status: 200,
    body: await listAuditEvents(request.tenant, query),
  }),
  'audit.export': async ({ query }, request) => {
    const { body, contentType, count, truncated } = await exportAuditEvents(request.tenant, query.format);
    return {
      status: 200,
      body,
      headers: {
        'content-type': contentType,
        'content-disposition': `attachment; filename="audit-${request.tenant.tenantId}.${query.format ?? 'ndjson'}"`,
        'x-export-count': String(count),
        'x-export-truncated': String(truncated),
      },
    };
  },
};

export const handler = createApiHandler(AUDIT_ROUTES, operations);
