import * as z from 'zod/mini';
import { tenantPath } from '../schemas/tenant-path';
import { component } from '../schemas/components';
import { idSchema } from '../../ids';
import type { RouteDefinition } from '../../http/route';
import { cursorParam, limitParam } from '../../http/validation';
import { pageOf, timestamp } from '../schemas/common';
import { multiLineText, singleLineText } from '../../text';

const projectsPath = tenantPath();
const projectPath = tenantPath({ projectId: idSchema('project') });

const projectFields = {
  name: singleLineText(100),
  description: z.optional(multiLineText(1_000)),
};

const projectView = component(
  'Project',
  z.object({
    id: idSchema('project'),
    name: z.string(),
    description: z.nullable(z.string()),
    agentCount: z.int().check(z.gte(0), z.describe('The agents in the project now.')),
    usage: z
      .object({
        period: z.string().check(z.describe('The month (`YYYY-MM`, UTC) the figures are of.')),
        runs: z.int().check(z.gte(0), z.describe('Runs of its agents started this month and completed.')),
        tokens: z.int().check(z.gte(0), z.describe('The tokens those runs reported.')),
      })
      .check(z.describe('What the project’s runs used this month, counted as each run completes.')),
    createdBy: z.string(),
    createdAt: timestamp,
    updatedAt: timestamp,
  }),
);

const oneProject = { description: 'The project.', schema: projectView };

/**
 * Projects group a tenant's agents (and so their memory and runs). Served by the agents function:
 * they are the agents' grouping, and an API key limited to a project reaches these routes and the
 * agents' own.
 */
export const PROJECT_ROUTES = [
  {
    id: 'projects.list',
    method: 'GET',
    path: '/v1/tenants/{tenantId}/projects',
    function: 'agents',
    auth: 'tenant',
    permission: 'projects:read',
    projectScoped: true,
    summary: "List the tenant's projects",
    description:
      'The tenant’s projects, a page at a time, each with the number of agents in it. An API key limited to a project sees that project alone.',
    request: { path: projectsPath, query: z.strictObject({ limit: limitParam, cursor: cursorParam }) },
    responses: { 200: { description: 'A page of projects.', schema: pageOf(projectView) } },
    errors: ['invalid_cursor'],
  },
  {
    id: 'projects.create',
    method: 'POST',
    path: '/v1/tenants/{tenantId}/projects',
    function: 'agents',
    auth: 'tenant',
    permission: 'projects:manage',
    projectScoped: true,
    summary: 'Create a project',
    description:
      'Creates a project. Counts against the plan’s `projects` limit (403 `quota_exceeded` past it).',
    request: {
      path: projectsPath,
      body: z.strictObject(projectFields),
      example: { name: 'Customer support', description: 'The agents that answer the help desk.' },
    },
    responses: { 201: { description: 'The new project.', schema: projectView } },
    errors: ['quota_exceeded'],
  },
  {
    id: 'projects.get',
    method: 'GET',
    path: '/v1/tenants/{tenantId}/projects/{projectId}',
    function: 'agents',
    auth: 'tenant',
    permission: 'projects:read',
    projectScoped: true,
    summary: 'Get a project',
    description: 'One project of the tenant.',
    request: { path: projectPath },
    responses: { 200: oneProject },
    errors: ['project_not_found'],
  },
  {
    id: 'projects.update',
    method: 'PATCH',
    path: '/v1/tenants/{tenantId}/projects/{projectId}',
    function: 'agents',
    auth: 'tenant',
    permission: 'projects:manage',
    projectScoped: true,
    summary: 'Update a project',
    description: 'Changes the fields sent; audited with the fields that changed.',
    request: {
      path: projectPath,
      body: z
        .strictObject({ name: z.optional(projectFields.name), description: projectFields.description })
        .check(z.refine((body) => Object.keys(body).length > 0, 'at least one field is required')),
      example: { name: 'Help desk' },
    },
    responses: { 200: oneProject },
    errors: ['project_not_found', 'concurrent_modification'],
  },
  {
    id: 'projects.delete',
    method: 'DELETE',
    path: '/v1/tenants/{tenantId}/projects/{projectId}',
    function: 'agents',
    auth: 'tenant',
    permission: 'projects:manage',
    projectScoped: true,
    summary: 'Delete a project',
    description:
      'Deletes an empty project and gives its `projects` quota back. A project with agents is refused (409 `project_not_empty`): move or delete them first.',
    request: { path: projectPath },
    responses: { 204: { description: 'Deleted.' } },
    errors: ['project_not_found', 'project_not_empty', 'concurrent_modification'],
  },
] as const satisfies readonly RouteDefinition[];
