import * as z from 'zod/mini';
import { tenantPath } from '../schemas/tenant-path';
import { component } from '../schemas/components';
import { idSchema } from '../../ids';
import type { RouteDefinition } from '../../http/route';
import { cursorParam, limitParam } from '../../http/validation';
import { pageOf, timestamp } from '../schemas/common';
import { storableJsonDocument } from '../schemas/json-value';
import { multiLineText, singleLineText } from '../../text';

const agentsPath = tenantPath();
const agentPath = tenantPath({ agentId: idSchema('agent') });
const memoryPath = tenantPath({ agentId: idSchema('agent'), memoryId: idSchema('memory') });
const pageQuery = z.strictObject({ limit: limitParam, cursor: cursorParam });

const agentFields = {
  name: singleLineText(100),
  model: singleLineText(100),
  description: z.optional(multiLineText(1_000)),
  instructions: z.optional(multiLineText(8_000)),
  projectId: z.optional(idSchema('project')),
};

const agentView = component(
  'Agent',
  z.object({
    id: idSchema('agent'),
    name: z.string(),
    description: z.nullable(z.string()),
    model: z.string(),
    instructions: z.nullable(z.string()),
    projectId: z
      .nullable(idSchema('project'))
      .check(z.describe('The project the agent belongs to; `null` for an agent of the tenant at large.')),
    createdBy: z.string(),
    createdAt: timestamp,
    updatedAt: timestamp,
  }),
);

const memoryView = component(
  'MemoryItem',
  z.object({
    id: idSchema('memory'),
    agentId: idSchema('agent'),
    kind: z.enum(['text', 'json']),
    content: z.unknown().check(z.describe('The text, or the JSON object or array, as stored.')),
    sizeBytes: z.int().check(z.gte(0)),
    createdAt: timestamp,
  }),
);

const oneAgent = { description: 'The agent.', schema: agentView };

export const AGENT_ROUTES = [
  {
    id: 'agents.list',
    method: 'GET',
    path: '/v1/tenants/{tenantId}/agents',
    function: 'agents',
    auth: 'tenant',
    projectScoped: true,
    permission: 'agents:read',
    summary: "List the tenant's agents",
    description:
      'The tenant’s agents, a page at a time; with `search`, those whose name contains it (case-insensitive); with `projectId`, those of that project. A filtered page may hold fewer items than `limit` and still have a next one. An API key limited to a project lists that project’s agents only.',
    request: {
      path: agentsPath,
      query: z.strictObject({
        limit: limitParam,
        cursor: cursorParam,
        search: z.optional(singleLineText(100)),
        projectId: z.optional(idSchema('project')),
      }),
    },
    responses: { 200: { description: 'A page of agents.', schema: pageOf(agentView) } },
    errors: ['invalid_cursor', 'project_not_found'],
  },
  {
    id: 'agents.create',
    method: 'POST',
    path: '/v1/tenants/{tenantId}/agents',
    function: 'agents',
    auth: 'tenant',
    projectScoped: true,
    permission: 'agents:write',
    summary: 'Create an agent',
    description:
      'Creates an agent, in the project `projectId` names if any (an API key limited to a project puts it in its own), with `model` or, where it names none, the tenant’s `agents.defaultModel` setting (a `400` when neither is). Counts against the plan’s `agents` limit (403 `quota_exceeded` past it).',
    request: {
      path: agentsPath,
      body: z.strictObject({ ...agentFields, model: z.optional(agentFields.model) }),
      example: { name: 'Support triage', model: 'claude-sonnet', instructions: 'Sort tickets by urgency.' },
    },
    responses: { 201: { description: 'The new agent.', schema: agentView } },
    errors: ['quota_exceeded', 'project_not_found'],
  },
  {
    id: 'agents.get',
    method: 'GET',
    path: '/v1/tenants/{tenantId}/agents/{agentId}',
    function: 'agents',
    auth: 'tenant',
    projectScoped: true,
    permission: 'agents:read',
    summary: 'Get an agent',
    description: 'One agent of the tenant.',
    request: { path: agentPath },
    responses: { 200: oneAgent },
    errors: ['agent_not_found'],
  },
  {
    id: 'agents.update',
    method: 'PATCH',
    path: '/v1/tenants/{tenantId}/agents/{agentId}',
    function: 'agents',
    auth: 'tenant',
    projectScoped: true,
    permission: 'agents:write',
    summary: 'Update an agent',
    description:
      'Changes the fields sent; audited with the fields that changed. `projectId` moves the agent to another project, or (`null`) out of any.',
    request: {
      path: agentPath,
      body: z
        .strictObject({
          name: z.optional(agentFields.name),
          model: z.optional(agentFields.model),
          description: agentFields.description,
          instructions: agentFields.instructions,
          projectId: z.optional(
            z
              .nullable(idSchema('project'))
              .check(z.describe('Moves the agent to this project, or (`null`) out of any.')),
          ),
        })
        .check(z.refine((body) => Object.keys(body).length > 0, 'at least one field is required')),
      example: { instructions: 'Be brief.' },
    },
    responses: { 200: oneAgent },
    errors: ['agent_not_found', 'concurrent_modification', 'project_not_found'],
  },
  {
    id: 'agents.delete',
    method: 'DELETE',
    path: '/v1/tenants/{tenantId}/agents/{agentId}',
    function: 'agents',
    auth: 'tenant',
    projectScoped: true,
    permission: 'agents:write',
    summary: 'Delete an agent',
    description: 'Deletes the agent and gives its `agents` quota back.',
    request: { path: agentPath },
    responses: { 204: { description: 'Deleted.' } },
    errors: ['agent_not_found', 'concurrent_modification'],
  },
  {
    id: 'memory.list',
    method: 'GET',
    path: '/v1/tenants/{tenantId}/agents/{agentId}/memory',
    function: 'agents',
    auth: 'tenant',
    projectScoped: true,
    permission: 'agents:read',
    summary: "List an agent's memory",
    description: 'The agent’s memory items, a page at a time.',
    request: { path: agentPath, query: pageQuery },
    responses: { 200: { description: 'A page of memory items.', schema: pageOf(memoryView) } },
    errors: ['agent_not_found', 'invalid_cursor'],
  },
  {
    id: 'memory.create',
    method: 'POST',
    path: '/v1/tenants/{tenantId}/agents/{agentId}/memory',
    function: 'agents',
    auth: 'tenant',
    projectScoped: true,
    permission: 'agents:write',
    summary: 'Store a memory item',
    description:
      'Stores text or a JSON document for the agent. Its size in bytes counts against the plan’s `storageBytes` (403 `quota_exceeded` past it). JSON must be storable as sent: at most 31 levels deep, exact numbers, no empty or `__proto__` keys.',
    request: {
      path: agentPath,
      body: z.discriminatedUnion('kind', [
        z.strictObject({ kind: z.literal('text'), content: z.string().check(z.minLength(1)) }),
        z.strictObject({ kind: z.literal('json'), content: storableJsonDocument() }),
      ]),
      example: { kind: 'json', content: { customer: 'Globex', prefers: 'email' } },
    },
    responses: { 201: { description: 'The stored item.', schema: memoryView } },
    errors: ['agent_not_found', 'quota_exceeded'],
  },
  {
    id: 'memory.get',
    method: 'GET',
    path: '/v1/tenants/{tenantId}/agents/{agentId}/memory/{memoryId}',
    function: 'agents',
    auth: 'tenant',
    projectScoped: true,
    permission: 'agents:read',
    summary: 'Get a memory item',
    description: 'One memory item of the agent.',
    request: { path: memoryPath },
    responses: { 200: { description: 'The memory item.', schema: memoryView } },
    errors: ['memory_not_found'],
  },
  {
    id: 'memory.delete',
    method: 'DELETE',
    path: '/v1/tenants/{tenantId}/agents/{agentId}/memory/{memoryId}',
    function: 'agents',
    auth: 'tenant',
    projectScoped: true,
    permission: 'agents:write',
    summary: 'Delete a memory item',
    description: 'Deletes the item and gives its bytes back to the storage quota.',
    request: { path: memoryPath },
    responses: { 204: { description: 'Deleted.' } },
    errors: ['memory_not_found'],
  },
] as const satisfies readonly RouteDefinition[];
