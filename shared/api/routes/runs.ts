import * as z from 'zod/mini';
import { tenantPath } from '../schemas/tenant-path';
import { component } from '../schemas/components';
import { RUN_STATUSES } from '../../model/run-status';
import { idSchema } from '../../ids';
import type { RouteDefinition } from '../../http/route';
import { cursorParam, limitParam } from '../../http/validation';
import { pageOf, timestamp } from '../schemas/common';
import { storableJson } from '../schemas/json-value';

const runsPath = tenantPath();
const runPath = tenantPath({ runId: idSchema('run') });

const runView = component(
  'Run',
  z.object({
    id: idSchema('run'),
    agentId: idSchema('agent'),
    projectId: z
      .nullable(idSchema('project'))
      .check(z.describe('The agent’s project when the run started; `null` for none.')),
    status: z.enum(RUN_STATUSES),
    input: z.unknown(),
    output: z.unknown(),
    tokensUsed: z.nullable(z.int().check(z.gte(0))),
    startedBy: z.string(),
    startedAt: timestamp,
    completedAt: z.nullable(timestamp),
    statusReason: z.nullable(z.string()),
  }),
);

const oneRun = { description: 'The run.', schema: runView };

export const RUN_ROUTES = [
  {
    id: 'runs.start',
    method: 'POST',
    path: '/v1/tenants/{tenantId}/agents/{agentId}/runs',
    function: 'runs',
    auth: 'tenant',
    projectScoped: true,
    permission: 'runs:write',
    consumes: 'runs',
    requiresLeft: 'tokens',
    rateLimit: 'run-starts',
    summary: 'Start a run',
    description:
      'Starts a run of an agent, recording the agent’s project. Consumes one of the month’s `runs` (429 `quota_exceeded` with `Retry-After` past the limit), given back if the start fails. A run cannot start once the month’s tokens are used up.',
    request: {
      path: tenantPath({ agentId: idSchema('agent') }),
      body: z.strictObject({ input: z.optional(storableJson()) }),
      bodyOptional: true,
      example: { input: { prompt: 'Summarise the open tickets.' } },
    },
    responses: { 201: { description: 'The running run.', schema: runView } },
    errors: ['agent_not_found', 'concurrent_modification'],
  },
  {
    id: 'runs.complete',
    method: 'POST',
    path: '/v1/tenants/{tenantId}/runs/{runId}/complete',
    function: 'runs',
    auth: 'tenant',
    projectScoped: true,
    permission: 'runs:write',
    summary: 'Complete a run',
    description:
      'Completes a running run with its outcome and the tokens it used, which count against the month’s `tokens` (429 `quota_exceeded` past the limit).',
    request: {
      path: runPath,
      body: z.strictObject({
        status: z.enum(['succeeded', 'failed']),
        tokensUsed: z.int().check(z.gte(0), z.lte(100_000_000)),
        output: z.optional(storableJson()),
      }),
      example: { status: 'succeeded', tokensUsed: 1234, output: { summary: '3 urgent tickets' } },
    },
    responses: { 200: oneRun },
    errors: ['run_not_found', 'run_completed'],
  },
  {
    id: 'runs.list',
    method: 'GET',
    path: '/v1/tenants/{tenantId}/runs',
    function: 'runs',
    auth: 'tenant',
    projectScoped: true,
    permission: 'runs:read',
    summary: "List the tenant's runs",
    description:
      'Newest first, optionally of one agent, project or status, a page at a time. An API key limited to a project lists that project’s runs only.',
    request: {
      path: runsPath,
      query: z.strictObject({
        agentId: z.optional(idSchema('agent')),
        status: z.optional(z.enum(RUN_STATUSES)),
        projectId: z.optional(idSchema('project')),
        limit: limitParam,
        cursor: cursorParam,
      }),
    },
    responses: { 200: { description: 'A page of runs.', schema: pageOf(runView) } },
    errors: ['invalid_cursor', 'project_not_found'],
  },
  {
    id: 'runs.get',
    method: 'GET',
    path: '/v1/tenants/{tenantId}/runs/{runId}',
    function: 'runs',
    auth: 'tenant',
    projectScoped: true,
    permission: 'runs:read',
    summary: 'Get a run',
    description: 'One run of the tenant.',
    request: { path: runPath },
    responses: { 200: oneRun },
    errors: ['run_not_found'],
  },
] as const satisfies readonly RouteDefinition[];
