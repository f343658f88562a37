import { z } from 'zod';
import {
  createAgent,
  deleteAgent,
  getAgent,
  listAgents,
  updateAgent,
} from '../../shared/agents/agent-service';
import { createApiHandler, type Operation } from '../../shared/http/api-handler';
import { json, noContent } from '../../shared/http/response';
import { requireTenant } from '../../shared/http/scope';
import { cursorParam, limitParam, parseBody, parsePath, parseQuery } from '../../shared/http/validation';
import { idSchema } from '../../shared/ids';
import { addMemory, deleteMemory, getMemory, listMemory } from '../../shared/memory/memory-service';
import { routesOf } from '../routes';

const agentsPath = z.object({ tenantId: idSchema('tenant') });
const agentPath = z.object({ tenantId: idSchema('tenant'), agentId: idSchema('agent') });
const memoryPath = z.object({
  tenantId: idSchema('tenant'),
  agentId: idSchema('agent'),
  memoryId: idSchema('memory'),
});
const pageQuery = z.strictObject({ limit: limitParam, cursor: cursorParam });

const agentFields = {
  name: z.string().trim().min(1).max(100),
  model: z.string().trim().min(1).max(100),
  description: z.string().max(1_000).optional(),
  instructions: z.string().max(8_000).optional(),
};
const createAgentBody = z.strictObject(agentFields);
const updateAgentBody = z
  .strictObject({
    name: agentFields.name.optional(),
    model: agentFields.model.optional(),
    description: agentFields.description,
    instructions: agentFields.instructions,
  })
  .refine((body) => Object.keys(body).length > 0, 'at least one field is required');
const memoryBody = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('text'), content: z.string().min(1) }),
  z.strictObject({
    kind: z.literal('json'),
    content: z.union([z.record(z.string(), z.unknown()), z.array(z.unknown())]),
  }),
]);

const operations: Record<string, Operation> = {
  'agents.list': async (event, scope) => {
    parsePath(event, agentsPath);
    return json(200, await listAgents(requireTenant(scope), parseQuery(event, pageQuery)));
  },
  'agents.create': async (event, scope) => {
    parsePath(event, agentsPath);
    return json(201, await createAgent(requireTenant(scope), parseBody(event, createAgentBody)));
  },
  'agents.get': async (event, scope) => {
    const { agentId } = parsePath(event, agentPath);
    return json(200, await getAgent(requireTenant(scope), agentId));
  },
  'agents.update': async (event, scope) => {
    const { agentId } = parsePath(event, agentPath);
    return json(200, await updateAgent(requireTenant(scope), agentId, parseBody(event, updateAgentBody)));
  },
  'agents.delete': async (event, scope) => {
    const { agentId } = parsePath(event, agentPath);
    await deleteAgent(requireTenant(scope), agentId);
    return noContent();
  },
  'memory.list': async (event, scope) => {
    const { agentId } = parsePath(event, agentPath);
    const query = parseQuery(event, pageQuery);
    return json(200, await listMemory(requireTenant(scope), agentId, query));
  },
  'memory.create': async (event, scope) => {
    const { agentId } = parsePath(event, agentPath);
    return json(201, await addMemory(requireTenant(scope), agentId, parseBody(event, memoryBody)));
  },
  'memory.get': async (event, scope) => {
    const { agentId, memoryId } = parsePath(event, memoryPath);
    return json(200, await getMemory(requireTenant(scope), agentId, memoryId));
  },
  'memory.delete': async (event, scope) => {
    const { agentId, memoryId } = parsePath(event, memoryPath);
    await deleteMemory(requireTenant(scope), agentId, memoryId);
    return noContent();
  },
};

export const handler = createApiHandler(routesOf('agents'), operations);
