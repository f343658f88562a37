import * as z from 'zod/mini';
import { tenantPath } from '../schemas/tenant-path';
import { API_KEY_STATUSES } from '../../model/api-key-status';
import { idSchema } from '../../ids';
import type { RouteDefinition } from '../../http/route';
import { cursorParam, limitParam } from '../../http/validation';
import { API_KEY_SCOPES } from '../../model/roles';
import { component } from '../schemas/components';
import { pageOf, timestamp } from '../schemas/common';
import { singleLineText } from '../../text';

const keysPath = tenantPath();
const keyPath = tenantPath({ keyId: idSchema('apiKey') });

const apiKeyFields = {
  id: idSchema('apiKey'),
  name: z.string(),
  hint: z
    .string()
    .check(z.describe('The start of the secret, to recognise the key by; never enough to use it.')),
  scopes: z.array(z.enum(API_KEY_SCOPES)),
  projectId: z
    .nullable(idSchema('project'))
    .check(
      z.describe(
        'The project the key is limited to (its agents, their memory and runs); `null` for the whole tenant.',
      ),
    ),
  status: z.enum(API_KEY_STATUSES),
  createdBy: z.string().check(z.describe('The user (or key) that created it.')),
  createdAt: timestamp,
  expiresAt: z.nullable(timestamp),
  lastUsedAt: z.nullable(timestamp).check(z.describe('Updated at most once a minute.')),
  revokedAt: z.nullable(timestamp),
  revokedBy: z.nullable(z.string()),
};

export const apiKeyView = component('ApiKey', z.object(apiKeyFields));
const createdApiKeyView = component(
  'CreatedApiKey',
  z.object({
    ...apiKeyFields,
    secret: z
      .string()
      .check(
        z.describe(
          'The key itself (`tntry_…`), shown this once: store it now. Send it as `Authorization: Bearer <secret>`.',
        ),
      ),
  }),
);

const oneKey = { description: 'The API key (never its secret).', schema: apiKeyView };

export const API_KEY_ROUTES = [
  {
    id: 'apiKeys.create',
    method: 'POST',
    path: '/v1/tenants/{tenantId}/api-keys',
    function: 'apiKeys',
    auth: 'tenant',
    permission: 'apiKeys:manage',
    answersSecret: true,
    summary: 'Create an API key',
    description:
      'A key for machines to call the API as the tenant: its own principal, with `scopes` chosen among the caller’s own permissions, and an optional expiry. With `projectId` it is limited to that project: its agents, their memory and runs, with the scopes `projects:read`, `agents:read`, `agents:write`, `runs:read` and `runs:write` only; every other route refuses it (403 `project_key_not_allowed`). The secret is in this answer and nowhere else (only its hash is stored), so `Idempotency-Key` is not honoured here. Keys count against the plan’s `apiKeys` limit until revoked.',
    request: {
      path: keysPath,
      body: z.strictObject({
        name: singleLineText(100),
        scopes: z.array(z.enum(API_KEY_SCOPES)).check(
          z.minLength(1),
          z.refine((scopes) => new Set(scopes).size === scopes.length, 'must not repeat a scope'),
        ),
        expiresAt: z.optional(timestamp),
        projectId: z.optional(idSchema('project')),
      }),
      example: {
        name: 'CI deploys',
        scopes: ['agents:read', 'runs:read', 'runs:write'],
        expiresAt: '2027-06-30T00:00:00Z',
      },
    },
    responses: {
      201: { description: 'The new key, with its secret (shown once).', schema: createdApiKeyView },
    },
    errors: ['scope_above_own', 'quota_exceeded', 'concurrent_modification', 'project_not_found'],
  },
  {
    id: 'apiKeys.list',
    method: 'GET',
    path: '/v1/tenants/{tenantId}/api-keys',
    function: 'apiKeys',
    auth: 'tenant',
    permission: 'apiKeys:manage',
    summary: "List the tenant's API keys",
    description:
      'Every key, optionally of one status (what it is now: active, expired or revoked), a page at a time. Never a secret.',
    request: {
      path: keysPath,
      query: z.strictObject({
        status: z.optional(z.enum(API_KEY_STATUSES)),
        limit: limitParam,
        cursor: cursorParam,
      }),
    },
    responses: { 200: { description: 'A page of keys.', schema: pageOf(apiKeyView) } },
    errors: ['invalid_cursor'],
  },
  {
    id: 'apiKeys.get',
    method: 'GET',
    path: '/v1/tenants/{tenantId}/api-keys/{keyId}',
    function: 'apiKeys',
    auth: 'tenant',
    permission: 'apiKeys:manage',
    summary: 'Get an API key',
    description: 'One key: its name, scopes, status and when it was last used. Never its secret.',
    request: { path: keyPath },
    responses: { 200: oneKey },
    errors: ['api_key_not_found'],
  },
  {
    id: 'apiKeys.revoke',
    method: 'DELETE',
    path: '/v1/tenants/{tenantId}/api-keys/{keyId}',
    function: 'apiKeys',
    auth: 'tenant',
    permission: 'apiKeys:manage',
    summary: 'Revoke an API key',
    description:
      'Ends the key’s access: at once on the gateway for new requests, and within seconds for answers the gateway had cached. The key stays listed as `revoked` and gives its place in the `apiKeys` limit back. Revoking a revoked key changes nothing.',
    request: { path: keyPath },
    responses: { 200: oneKey },
    errors: ['api_key_not_found', 'concurrent_modification'],
  },
] as const satisfies readonly RouteDefinition[];
