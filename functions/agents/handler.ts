import {
  createAgent,
  deleteAgent,
  getAgent,
  listAgents,
  updateAgent,
} from '../../shared/agents/agent-service';
import { createApiHandler, type Operations } from '../../shared/api/api-handler';
import { AGENT_ROUTES } from '../../shared/api/routes/agents';
import { requireTenant } from '../../shared/http/request-scope';
import { addMemory, deleteMemory, getMemory, listMemory } from '../../shared/memory/memory-service';

const operations: Operations<typeof AGENT_ROUTES> = {
  'agents.list': async ({ query }, scope) => ({
    status: 200,
    body: await listAgents(requireTenant(scope), query),
  }),
  'agents.create': async ({ body }, scope) => ({
    status: 201,
    body: await createAgent(requireTenant(scope), body, scope.receivedAt),
  }),
  'agents.get': async ({ path }, scope) => ({
    status: 200,
    body: await getAgent(requireTenant(scope), path.agentId),
  }),
  'agents.update': async ({ path, body }, scope) => ({
    status: 200,
    body: await updateAgent(requireTenant(scope), path.agentId, body),
  }),
  'agents.delete': async ({ path }, scope) => {
    await deleteAgent(requireTenant(scope), path.agentId, scope.receivedAt);
    return { status: 204, body: undefined };
  },
  'memory.list': async ({ path, query }, scope) => ({
    status: 200,
    body: await listMemory(requireTenant(scope), path.agentId, query),
  }),
  'memory.create': async ({ path, body }, scope) => ({
    status: 201,
    body: await addMemory(requireTenant(scope), path.agentId, body, scope.receivedAt),
  }),
  'memory.get': async ({ path }, scope) => ({
    status: 200,
    body: await getMemory(requireTenant(scope), path.agentId, path.memoryId),
  }),
  'memory.delete': async ({ path }, scope) => {
    await deleteMemory(requireTenant(scope), path.agentId, path.memoryId, scope.receivedAt);
    return { status: 204, body: undefined };
  },
};

export const handler = createApiHandler(AGENT_ROUTES, operations);
