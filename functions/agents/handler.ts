import {
  createAgent,
  deleteAgent,
  getAgent,
  listAgents,
  updateAgent,
} from '../../shared/agents/agent-service';
import { createApiHandler, type Operations } from '../../shared/api/api-handler';
import { AGENT_ROUTES } from '../../shared/api/routes/agents';
import { PROJECT_ROUTES } from '../../shared/api/routes/projects';
import { addMemory, deleteMemory, getMemory, listMemory } from '../../shared/memory/memory-service';
import {
  createProject,
  deleteProject,
  getProject,
  listProjects,
  updateProject,
} from '../../shared/projects/project-service';

/** The agents function serves the agents, their memory, and the projects that group them. */
const ROUTES = [...PROJECT_ROUTES, ...AGENT_ROUTES] as const;

const operations: Operations<typeof ROUTES> = {
  'projects.list': async ({ query }, request) => ({
    status: 200,
    body: await listProjects(request.tenant, query),
  }),
  'projects.create': async ({ body }, request) => ({
    status: 201,
    body: await createProject(request.tenant, body, request.receivedAt),
  }),
  'projects.get': async ({ path }, request) => ({
    status: 200,
    body: await getProject(request.tenant, path.projectId),
  }),
  'projects.update': async ({ path, body }, request) => ({
    status: 200,
    body: await updateProject(request.tenant, path.projectId, body),
  }),
  'projects.delete': async ({ path }, request) => {
    await deleteProject(request.tenant, path.projectId, request.receivedAt);
    return { status: 204, body: undefined };
  },
  'agents.list': async ({ query }, request) => ({
    status: 200,
    body: await listAgents(request.tenant, query),
  }),
  'agents.create': async ({ body }, request) => ({
    status: 201,
    body: await createAgent(request.tenant, body, request.receivedAt),
  }),
  'agents.get': async ({ path }, request) => ({
    status: 200,
    body: await getAgent(request.tenant, path.agentId),
  }),
  'agents.update': async ({ path, body }, request) => ({
    status: 200,
    body: await updateAgent(request.tenant, path.agentId, body),
  }),
  'agents.delete': async ({ path }, request) => {
    await deleteAgent(request.tenant, path.agentId, request.receivedAt);
    return { status: 204, body: undefined };
  },
  'memory.list': async ({ path, query }, request) => ({
    status: 200,
    body: await listMemory(request.tenant, path.agentId, query),
  }),
  'memory.create': async ({ path, body }, request) => ({
    status: 201,
    body: await addMemory(request.tenant, path.agentId, body, request.receivedAt),
  }),
  'memory.get': async ({ path }, request) => ({
    status: 200,
    body: await getMemory(request.tenant, path.agentId, path.memoryId),
  }),
  'memory.delete': async ({ path }, request) => {
    await deleteMemory(request.tenant, path.agentId, path.memoryId, request.receivedAt);
    return { status: 204, body: undefined };
  },
};

export const handler = createApiHandler(ROUTES, operations);
