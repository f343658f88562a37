import { z } from 'zod';
import { getConfig } from '../../shared/config';
import { RUN_STATUSES } from '../../shared/data/entities/run';
import { createApiHandler, type Operation } from '../../shared/http/api-handler';
import { json } from '../../shared/http/response';
import { requireTenant } from '../../shared/http/scope';
import { cursorParam, limitParam, parseJsonBody, parseWith } from '../../shared/http/validation';
import { idSchema } from '../../shared/ids';
import { completeRun, getRun, listRuns, startRun } from '../../shared/runs/run-service';
import { routesOf } from '../routes';

const { maxBodyBytes } = getConfig().http;

const startPath = z.object({ tenantId: idSchema('tenant'), agentId: idSchema('agent') });
const runsPath = z.object({ tenantId: idSchema('tenant') });
const runPath = z.object({ tenantId: idSchema('tenant'), runId: idSchema('run') });
const startBody = z.strictObject({ input: z.unknown().optional() });
const completeBody = z.strictObject({
  status: z.enum(['succeeded', 'failed']),
  tokensUsed: z.number().int().min(0).max(100_000_000),
  output: z.unknown().optional(),
});
const listQuery = z.strictObject({
  agentId: idSchema('agent').optional(),
  status: z.enum(RUN_STATUSES).optional(),
  limit: limitParam,
  cursor: cursorParam,
});

const operations: Record<string, Operation> = {
  'runs.start': async (event, scope) => {
    const { agentId } = parseWith(startPath, event.pathParameters, 'path');
    const body = event.body ? parseJsonBody(event, startBody, maxBodyBytes) : {};
    return json(201, await startRun(requireTenant(scope), agentId, body));
  },
  'runs.complete': async (event, scope) => {
    const { runId } = parseWith(runPath, event.pathParameters, 'path');
    return json(
      200,
      await completeRun(requireTenant(scope), runId, parseJsonBody(event, completeBody, maxBodyBytes)),
    );
  },
  'runs.list': async (event, scope) => {
    parseWith(runsPath, event.pathParameters, 'path');
    return json(
      200,
      await listRuns(
        requireTenant(scope),
        parseWith(listQuery, event.queryStringParameters ?? {}, 'query string'),
      ),
    );
  },
  'runs.get': async (event, scope) => {
    const { runId } = parseWith(runPath, event.pathParameters, 'path');
    return json(200, await getRun(requireTenant(scope), runId));
  },
};

export const handler = createApiHandler(routesOf('runs'), operations);
