import { z } from 'zod';
import { RUN_STATUSES } from '../../shared/data/entities/run';
import { createApiHandler, type Operation } from '../../shared/http/api-handler';
import { json } from '../../shared/http/response';
import { requireTenant } from '../../shared/http/scope';
import { cursorParam, limitParam, parseBody, parsePath, parseQuery } from '../../shared/http/validation';
import { idSchema } from '../../shared/ids';
import { completeRun, getRun, listRuns, startRun } from '../../shared/runs/run-service';
import { routesOf } from '../routes';

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
    const { agentId } = parsePath(event, startPath);
    const body = event.body ? parseBody(event, startBody) : {};
    return json(201, await startRun(requireTenant(scope), agentId, body));
  },
  'runs.complete': async (event, scope) => {
    const { runId } = parsePath(event, runPath);
    return json(200, await completeRun(requireTenant(scope), runId, parseBody(event, completeBody)));
  },
  'runs.list': async (event, scope) => {
    parsePath(event, runsPath);
    return json(200, await listRuns(requireTenant(scope), parseQuery(event, listQuery)));
  },
  'runs.get': async (event, scope) => {
    const { runId } = parsePath(event, runPath);
    return json(200, await getRun(requireTenant(scope), runId));
  },
};

export const handler = createApiHandler(routesOf('runs'), operations);
