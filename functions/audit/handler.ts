import { z } from 'zod';
import { exportAuditEvents, listAuditEvents } from '../../shared/audit/audit-log';
import { createApiHandler, type Operation } from '../../shared/http/api-handler';
import { json } from '../../shared/http/response';
import { requireTenant } from '../../shared/http/scope';
import { cursorParam, limitParam, noQueryParams, parsePath, parseQuery } from '../../shared/http/validation';
import { idSchema } from '../../shared/ids';
import { routesOf } from '../routes';

const auditPath = z.object({ tenantId: idSchema('tenant') });
const auditQuery = z.strictObject({
  action: z
    .string()
    .regex(/^[a-z_]+\.[a-z_]+$/, 'an action such as user.invited')
    .optional(),
  actorId: z.string().min(1).max(64).optional(),
  limit: limitParam,
  cursor: cursorParam,
});

const operations: Record<string, Operation> = {
  'audit.list': async (event, scope) => {
    parsePath(event, auditPath);
    const query = parseQuery(event, auditQuery);
    return json(200, await listAuditEvents(requireTenant(scope), query));
  },
  'audit.export': async (event, scope) => {
    parsePath(event, auditPath);
    parseQuery(event, noQueryParams);
    const { ndjson, count, truncated } = await exportAuditEvents(requireTenant(scope));
    return {
      statusCode: 200,
      headers: {
        'content-type': 'application/x-ndjson',
        'x-export-count': String(count),
        'x-export-truncated': String(truncated),
      },
      body: ndjson,
    };
  },
};

export const handler = createApiHandler(routesOf('audit'), operations);
