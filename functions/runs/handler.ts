import { createApiHandler, type Operations } from '../../shared/api/api-handler';
import { RUN_ROUTES } from '../../shared/api/routes/runs';
import { requireTenant } from '../../shared/http/request-scope';
import { completeRun, getRun, listRuns, startRun } from '../../shared/runs/run-service';

const operations: Operations<typeof RUN_ROUTES> = {
  'runs.start': async ({ path, body }, scope) => ({
    status: 201,
    body: await startRun(requireTenant(scope), path.agentId, body, scope.receivedAt),
  }),
  'runs.complete': async ({ path, body }, scope) => ({
    status: 200,
    body: await completeRun(requireTenant(scope), path.runId, body, scope.receivedAt),
  }),
  'runs.list': async ({ query }, scope) => ({
    status: 200,
    body: await listRuns(requireTenant(scope), query),
  }),
  'runs.get': async ({ path }, scope) => ({
    status: 200,
    body: await getRun(requireTenant(scope), path.runId),
  }),
};

export const handler = createApiHandler(RUN_ROUTES, operations);
