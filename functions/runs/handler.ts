import { createApiHandler, type Operations } from '../../shared/api/api-handler';
import { RUN_ROUTES } from '../../shared/api/routes/runs';
import { completeRun, getRun, listRuns, startRun } from '../../shared/runs/run-service';

const operations: Operations<typeof RUN_ROUTES> = {
  'runs.start': async ({ path, body }, request) => ({
    status: 201,
    body: await startRun(request.tenant, path.agentId, body, request.receivedAt),
  }),
  'runs.complete': async ({ path, body }, request) => ({
    status: 200,
    body: await completeRun(request.tenant, path.runId, body, request.receivedAt),
  }),
  'runs.list': async ({ query }, request) => ({
    status: 200,
    body: await listRuns(request.tenant, query),
  }),
  'runs.get': async ({ path }, request) => ({
    status: 200,
    body: await getRun(request.tenant, path.runId),
  }),
};

export const handler = createApiHandler(RUN_ROUTES, operations);
