import * as z from 'zod';
import type * as core from 'zod/v4/core';
import { PROBLEM_CODES, PROBLEMS, type ProblemCode } from '../problem-catalogue';
import { DEFAULT_MAX_BODY_BYTES } from '../config';
import { isScimPath, PROBLEM_TYPE_BASE } from '../http/problem';
import { isIdempotent, type RouteDefinition } from '../http/route';
import { PLAN_IDS, PLANS } from '../model/plans';
import { RATE_POLICIES } from '../model/rate-policies';
import { ROLE_PERMISSIONS, ROLES } from '../model/roles';
import { ROUTES } from './manifest';
import { COMPONENTS } from './schemas/components';
import { MAX_DEPTH, MAX_MAGNITUDE, MIN_MAGNITUDE } from './schemas/json-value';

type JsonSchema = Record<string, unknown>;
type Document = Record<string, unknown>;

const TAGS: Record<RouteDefinition['function'], string> = {
  tenants: 'Tenants: signup, the tenant record, plans and suspension.',
  users: 'Users: the people of a tenant, their roles and invitations.',
  apiKeys: 'API keys: machine credentials of a tenant, each its own principal with its own scopes.',
  audit: 'Audit: every change in a tenant, who made it and from where.',
  agents:
    'Projects, agents and their memory (counted against `projects`, `agents` and `storageBytes`). An API key limited to a project reaches these routes and the runs’ alone, and only its project in them.',
  runs: 'Runs of agents (monthly `runs` on start, monthly `tokens` on completion).',
  quotas: 'Quotas and usage: every limit, its use, and use over time.',
  billing: 'Billing: the plans for sale, subscriptions with Stripe, usage and overage.',
  platform: 'The platform itself: platform admins and the platform audit log.',
  webhooks: 'Webhooks: a tenant’s endpoints for its events, signed as Standard Webhooks, retried, logged.',
  domains:
    'Custom domains: a tenant’s own hosts, verified by a DNS TXT record, served over TLS, re-checked daily.',
  sso: 'Single sign-on: a tenant’s own identity provider (OIDC or SAML), made into a Cognito identity provider.',
  docs: 'This reference and the OpenAPI document.',
};

const INTRODUCTION = `The multi-tenant core of an AI-agent platform: tenants and their plans, the people in them, the
agents and runs they own, the quotas and rate limits that bound them.

## Authentication
Send a Cognito **ID token** (a person) or a tenant **API key** (\`tntry_…\`, a machine) as
\`Authorization: Bearer <credential>\`. The gateway checks it before any function runs, and answers a missing or invalid token exactly as API Gateway does: \`401\` with
\`{"message":"Unauthorized"}\` (\`application/json\`, not a problem document). A token that is valid but
whose identity has no membership in the tenant is refused by the API with a problem (\`403\`).

## Tenants
A request acts on one tenant, which the deployment's resolution strategies name: the \`{tenantId}\`
in the path (or \`current\`, which leaves it to the others), the \`X-Tenant-ID\` header (its name is configuration), the host (\`<slug>.<base domain>\`
where base domains are configured; an unknown one is \`404 tenant_host_unknown\`), a query parameter
(only where configured), else the credential (an API key's tenant, a person's default) or the
deployment's default tenant. Two of them naming different tenants is \`403 tenant_mismatch\`; each
answer says in \`Tenant-Resolved-By\` which one named its tenant. Resolution only names a tenant:
acting on one another than the caller's own is refused (\`403 tenant_mismatch\`) except for platform
admins, whose every act on a tenant is audited there. Roles: ${ROLES.join(', ')}.

## Errors
Every error the API itself answers is \`application/problem+json\` (RFC 9457) with a stable \`code\`;
its \`type\` is a link to the code's section of the [problem reference](/docs/problems). Bad input is a
\`400\` that changes and consumes nothing. An unknown path answers \`404 route_not_found\`, a known
path with another method \`405 method_not_allowed\` (with \`Allow\`). A body over API Gateway's 10 MB
payload limit never reaches a function: the gateway answers \`413\` with
\`{"message":"Request Entity Too Large"}\` (\`application/json\`).

## Limits
Tenant requests count against the plan's requests per minute and API calls per month; a few
operations (starting runs, sending invitations) also have a rate policy of their own, per plan, said
in their description. Answers carry \`RateLimit-Policy\` and \`RateLimit\` naming each policy that
applies (\`"tenant"\`, and the operation's), \`RateLimit-Limit\`, \`RateLimit-Remaining\` and
\`RateLimit-Reset\` for the one with the least left, and a \`429 rate_limited\` names the policy reached
and carries \`Retry-After\`. \`POST\` requests accept an \`Idempotency-Key\`: a retry with the same key and
body gets the first answer back (\`Idempotent-Replayed: true\`) and counts nothing twice (except where
the answer holds a secret shown once: creating an API key). A key is kept 24 hours (a deployment may
set \`IDEMPOTENCY_TTL_HOURS\`). While its first request runs, a retry is a \`409 idempotency_in_progress\`. The request's change commits in the same
DynamoDB transaction as its key's record, so a first request that failed before it changed anything
leaves the key free, and one that changed something and then failed or died before answering is never
run again: its retries get \`409 idempotency_answer_lost\` (read the resource, use a new key).

## Input the schemas do not show
- **Body size**: a request body over ${DEFAULT_MAX_BODY_BYTES / 1024} KB (UTF-8 bytes; \`MAX_BODY_BYTES\`) is a
  \`413 payload_too_large\`; Stripe's webhook events may be larger. A body must be JSON
  (\`application/json\` or \`+json\`, else \`415 unsupported_media_type\`).
- **Unknown fields and parameters**: every body, path and query schema is strict: a field or a query
  parameter the operation does not name is a \`400 validation_failed\` that names it (it is never
  ignored, so a misspelt filter cannot silently list everything).
- **Text**: names, labels and other one-line fields refuse C0 and C1 control characters (NUL
  included) and the bidirectional-override characters (U+202A–U+202E, U+2066–U+2069); longer text
  (descriptions, instructions, reasons) allows line breaks and tabs, and refuses the rest.
- **Stored JSON** (a run's \`input\` and \`output\`, JSON memory): nested at most ${MAX_DEPTH} levels;
  integers within ±${Number.MAX_SAFE_INTEGER} (kept exactly); other numbers of magnitude from
  ${MIN_MAGNITUDE} to below ${MAX_MAGNITUDE} (what DynamoDB stores).
- **Problems name each bad field**: \`errors\` lists each one's \`path\` (\`settings.mode\`,
  \`(root)\` for the body itself) and what is wrong with it.`;

/** The problem codes the request pipeline itself may answer a route with, besides its own. */
export function pipelineCodes(route: RouteDefinition): ProblemCode[] {
  // Any request may carry a body: one an operation does not take must be empty or `{}`.
  // Any request may meet a dependency that is down or slow: a 503 with Retry-After.
  const codes: ProblemCode[] = ['validation_failed', 'internal_error', 'service_unavailable'];
  codes.push('malformed_json', 'payload_too_large', 'unsupported_media_type');
  if (route.request.body && !route.request.bodyOptional) codes.push('body_required');
  // A person's signed-out sign-in is refused on every authenticated route.
  if (route.auth !== 'public') codes.push('session_revoked');
  if (route.auth === 'user') codes.push('unauthorized', 'person_required');
  if (route.auth === 'platform') codes.push('unauthorized', 'platform_admin_required');
  if (route.auth === 'tenant') {
    codes.push('unauthorized', 'tenant_mismatch', 'no_tenant', 'tenant_not_found', 'tenant_host_unknown');
    codes.push(
      'membership_inactive',
      // A partner's person in a tenant below it whose delegation is not in force.
      'delegation_inactive',
      'ip_not_allowed',
      'mfa_required',
      'sso_required',
      'invitation_expired',
      'rate_limited',
      'quota_exceeded',
      'metering_contention',
    );
    if (!route.projectScoped) codes.push('project_key_not_allowed');
    // Open routes too: an API key is refused on every route while its tenant is suspended.
    codes.push('tenant_suspended');
    // Open routes too: an API key is refused on every route of a deleted tenant.
    codes.push('tenant_deleted');
    if (route.permission) codes.push('permission_denied');
    if (route.feature) codes.push('feature_not_in_plan');
    if (isIdempotent(route)) {
      codes.push(
        'invalid_idempotency_key',
        'idempotency_in_progress',
        'idempotency_answer_lost',
        'idempotency_key_reused',
      );
      if (route.requiresIdempotencyKey) codes.push('idempotency_key_required');
    }
  }
  return codes;
}

/** Every problem code an operation may answer with: its own and the pipeline's. */
export function operationCodes(route: RouteDefinition): ProblemCode[] {
  return [...new Set([...route.errors, ...pipelineCodes(route)])];
}

function whoMay(route: RouteDefinition): string {
  if (route.auth === 'public') return 'Public: no token.';
  if (route.auth === 'user') return 'Any signed-in person, about themselves.';
  if (route.auth === 'platform' || route.permission?.startsWith('platform:')) return 'Platform admins.';
  const roles = ROLES.filter((role) => route.permission && ROLE_PERMISSIONS[role].has(route.permission));
  return `Roles: ${roles.join(', ')} (permission \`${route.permission}\`); platform admins on any tenant.`;
}

function describe(route: RouteDefinition): string {
  const lines = [route.description, '', `**Who:** ${whoMay(route)}`];
  if (route.consumes) lines.push(`**Consumes:** one of the month’s \`${route.consumes}\`.`);
  if (route.requiresLeft)
    lines.push(
      `**Requires:** some of the month’s \`${route.requiresLeft}\` left (429 \`quota_exceeded\` once used up).`,
    );
  if (route.feature) lines.push(`**Plan feature:** \`${route.feature}\`.`);
  if (route.rateLimit) {
    const policy = RATE_POLICIES[route.rateLimit];
    const perPlan = PLAN_IDS.map((plan) => {
      const limit = policy.perMinute[plan];
      return `${PLANS[plan].name} ${limit === null ? 'no limit of its own' : limit}`;
    });
    lines.push(
      `**Rate limit:** policy \`${route.rateLimit}\` (${policy.description.toLowerCase()}), calls a minute per tenant beside its requests per minute: ${perPlan.join(', ')}. Past it, 429 \`rate_limited\` naming the policy; \`RateLimit-Policy\` and \`RateLimit\` name both.`,
    );
  }
  if (route.auth === 'tenant') {
    const open = [
      route.allowWhenSuspended ? 'while the tenant is suspended (to people; API keys are refused)' : '',
      route.allowWhenDeleted
        ? 'while it is deleted, until `purgeAfter` (to people; API keys are refused)'
        : '',
    ].filter(Boolean);
    if (open.length) lines.push(`**Open:** ${open.join('; ')}.`);
  }
  return lines.join('\n');
}

function isSchema(value: core.$ZodType | undefined): value is core.$ZodType {
  return value !== undefined;
}

/** Drops the generator's `$schema`/`$id`, and regexes that only restate a `format` (dates, emails). */
function stripMeta(schema: JsonSchema): JsonSchema {
  const { $schema: _schema, $id: _id, ...rest } = schema;
  return tidy(rest) as JsonSchema;
}

function tidy(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(tidy);
  if (!value || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>);
  const hasFormat = entries.some(([key]) => key === 'format');
  return Object.fromEntries(
    entries.filter(([key]) => !(hasFormat && key === 'pattern')).map(([key, item]) => [key, tidy(item)]),
  );
}

/**
 * Converts the route schemas and the named components in one pass, so that a component used inside
 * another schema becomes a `$ref`. Returns each schema's JSON Schema, found by the schema itself.
 */
function convertSchemas(
  io: 'input' | 'output',
  schemas: core.$ZodType[],
): (schema: core.$ZodType) => JsonSchema {
  const registry = z.registry<{ id: string }>();
  const ids = new Map<core.$ZodType, string>();
  for (const [id, schema] of COMPONENTS) {
    registry.add(schema, { id });
    ids.set(schema, id);
  }
  for (const schema of schemas) {
    if (ids.has(schema)) continue;
    const id = `s${ids.size}`;
    registry.add(schema, { id });
    ids.set(schema, id);
  }
  const converted = z.toJSONSchema(registry, {
    io,
    target: 'draft-2020-12',
    unrepresentable: 'any',
    uri: (id) => `#/components/schemas/${id}`,
  }).schemas as Record<string, JsonSchema>;
  return (schema) => stripMeta(converted[ids.get(schema) ?? ''] ?? {});
}

const GATEWAY_ERROR = {
  type: 'object',
  description:
    'API Gateway’s own answer, byte for byte: `{"message":"Unauthorized"}` to a missing or refused token (401), `{"message":"Request Entity Too Large"}` to a body over its 10 MB payload limit (413).',
  properties: { message: { type: 'string', enum: ['Unauthorized', 'Request Entity Too Large'] } },
  required: ['message'],
};

const PROBLEM = {
  type: 'object',
  description: 'An RFC 9457 problem document with a stable `code`.',
  properties: {
    type: {
      type: 'string',
      format: 'uri-reference',
      description: 'The code’s section of the problem reference.',
      examples: [`${PROBLEM_TYPE_BASE}agent_not_found`],
    },
    title: { type: 'string' },
    status: { type: 'integer' },
    code: { type: 'string', enum: PROBLEM_CODES },
    detail: { type: 'string' },
    instance: { type: 'string' },
    requestId: { type: 'string' },
    errors: {
      type: 'array',
      description: 'Each bad field, for `validation_failed`.',
      items: {
        type: 'object',
        properties: { path: { type: 'string' }, message: { type: 'string' } },
        required: ['path', 'message'],
      },
    },
  },
  required: ['type', 'title', 'status', 'code', 'detail'],
};

/** SCIM's error (RFC 7644 §3.12), which the SCIM routes answer with; the problem's members beside it. */
const SCIM_ERROR = {
  type: 'object',
  description:
    'A SCIM error (RFC 7644 §3.12): `status` is the HTTP status as a string, `scimType` where SCIM names one. The problem’s `type`, `title`, `code` and `requestId` are beside them.',
  properties: {
    schemas: { type: 'array', items: { const: 'urn:ietf:params:scim:api:messages:2.0:Error' } },
    status: { type: 'string' },
    scimType: { type: 'string' },
    detail: { type: 'string' },
    type: { type: 'string' },
    title: { type: 'string' },
    code: { type: 'string', enum: PROBLEM_CODES },
    requestId: { type: 'string' },
    instance: { type: 'string' },
    errors: PROBLEM.properties.errors,
  },
  required: ['schemas', 'status', 'detail', 'code'],
};

const RATE_LIMIT_HEADERS = {
  'RateLimit-Policy':
    'Each rate policy that applies, named, with its quota and window in seconds (IETF draft structured field): `"tenant";q=300;w=60`, and the route’s own beside it, e.g. `"tenant";q=300;w=60, "run-starts";q=60;w=60`.',
  RateLimit:
    'What is left of each policy and the seconds until it resets: `"tenant";r=287;t=41, "run-starts";r=59;t=41`.',
  'RateLimit-Limit': 'Calls allowed in the current minute by the policy with the least left.',
  'RateLimit-Remaining': 'Calls left in the current minute under that policy.',
  'RateLimit-Reset': 'Seconds until the window resets.',
};

function headerObjects(headers: Readonly<Record<string, string>>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(headers).map(([name, description]) => [name, { description, schema: { type: 'string' } }]),
  );
}

function problemResponses(route: RouteDefinition): Record<string, unknown> {
  const byStatus = new Map<number, ProblemCode[]>();
  for (const code of operationCodes(route)) {
    for (const status of PROBLEMS[code].statuses) {
      if (code === 'tenant_not_found' && status === 404 && route.auth !== 'tenant') continue;
      byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
    }
  }
  const responses: Record<string, unknown> = {};
  for (const status of [...byStatus.keys()].sort((a, b) => a - b)) {
    const codes = byStatus.get(status) ?? [];
    const content: Record<string, unknown> = isScimPath(route.path.replace('{tenantId}', 'ten'))
      ? {
          'application/scim+json': {
            schema: {
              allOf: [
                { $ref: '#/components/schemas/ScimError' },
                { type: 'object', properties: { status: { const: String(status) }, code: { enum: codes } } },
              ],
            },
          },
        }
      : {
          'application/problem+json': {
            schema: {
              allOf: [
                { $ref: '#/components/schemas/Problem' },
                { type: 'object', properties: { status: { const: status }, code: { enum: codes } } },
              ],
            },
          },
        };
    if ((route.auth !== 'public' && status === 401) || status === 413) {
      content['application/json'] = { schema: { $ref: '#/components/schemas/GatewayError' } };
    }
    responses[String(status)] = {
      description: codes.map((code) => `\`${code}\``).join(', '),
      ...(status === 429
        ? { headers: headerObjects({ 'Retry-After': 'Seconds to wait before retrying.' }) }
        : {}),
      content,
    };
  }
  return responses;
}

function parametersOf(
  where: 'path' | 'query',
  schema: JsonSchema | undefined,
): Array<Record<string, unknown>> {
  const properties = (schema?.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema?.required as string[] | undefined) ?? []);
  return Object.entries(properties).map(([name, property]) => {
    const { description, ...rest } = property;
    return {
      name,
      in: where,
      required: where === 'path' || required.has(name),
      ...(description ? { description } : {}),
      schema: rest,
    };
  });
}

/**
 * The OpenAPI 3.1 document of the API, generated from the route manifest alone: every operation with
 * its summary, description, parameters, request body and example, every success answer and every
 * problem it may answer with (its own codes and the pipeline's), tagged by domain.
 */
export function buildOpenApiDocument(routes: readonly RouteDefinition[] = ROUTES): Document {
  const componentIds = new Map([...COMPONENTS.entries()].map(([id, schema]) => [schema, id]));
  const input = convertSchemas(
    'input',
    routes.flatMap((route) => [route.request.path, route.request.query, route.request.body]).filter(isSchema),
  );
  const output = convertSchemas(
    'output',
    routes
      .flatMap((route) => Object.values(route.responses).map((response) => response.schema))
      .filter(isSchema),
  );
  const responseSchema = (schema: core.$ZodType): JsonSchema => {
    const id = componentIds.get(schema);
    return id ? { $ref: `#/components/schemas/${id}` } : output(schema);
  };

  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const parameters = [
      ...parametersOf('path', route.request.path && input(route.request.path)),
      ...parametersOf('query', route.request.query && input(route.request.query)),
    ];
    if (route.auth === 'tenant' && !route.path.includes('{tenantId}')) {
      parameters.push({
        name: 'X-Tenant-ID',
        in: 'header',
        required: false,
        description: 'The tenant to act on (default: the caller’s own; another only for platform admins).',
        schema: { type: 'string' },
      });
    }
    if (isIdempotent(route)) {
      parameters.push({
        name: 'Idempotency-Key',
        in: 'header',
        required: false,
        description:
          'Makes a retry safe: the same key and body get the first answer back, and the change is never made twice.',
        schema: { type: 'string', pattern: '^[\\x21-\\x7e]{1,255}$' },
      });
    }
    const responses: Record<string, unknown> = {};
    for (const [status, response] of Object.entries(route.responses)) {
      const headers = {
        ...(response.headers ?? {}),
        ...(route.auth === 'tenant' ? RATE_LIMIT_HEADERS : {}),
        ...(route.auth === 'tenant' && route.method === 'POST'
          ? {
              'Idempotent-Replayed':
                '`true` when this is the stored answer of an earlier request with the same key.',
            }
          : {}),
      };
      responses[status] = {
        description: response.description,
        ...(Object.keys(headers).length ? { headers: headerObjects(headers) } : {}),
        ...(response.schema
          ? {
              content: Object.fromEntries(
                [response.contentType ?? 'application/json']
                  .flat()
                  .map((type) => [type, { schema: responseSchema(response.schema as core.$ZodType) }]),
              ),
            }
          : {}),
      };
    }
    Object.assign(responses, problemResponses(route));
    const body = route.request.body;
    paths[route.path] ??= {};
    (paths[route.path] as Record<string, unknown>)[route.method.toLowerCase()] = {
      operationId: route.id,
      ...(route.allowWhenSuspended ? { 'x-open-while-suspended': true } : {}),
      ...(route.allowWhenDeleted ? { 'x-open-while-deleted': true } : {}),
      ...(route.rateLimit
        ? {
            'x-rate-limit-policy': {
              name: route.rateLimit,
              description: RATE_POLICIES[route.rateLimit].description,
              windowSeconds: 60,
              perMinute: RATE_POLICIES[route.rateLimit].perMinute,
            },
          }
        : {}),
      tags: [route.function],
      summary: route.summary,
      description: describe(route),
      ...(route.auth === 'public' ? { security: [] } : {}),
      ...(parameters.length ? { parameters } : {}),
      ...(body
        ? {
            requestBody: {
              required: !route.request.bodyOptional,
              content: {
                'application/json': {
                  schema: input(body),
                  ...(route.request.example !== undefined ? { example: route.request.example } : {}),
                },
              },
            },
          }
        : {}),
      responses,
    };
  }

  const components: Record<string, JsonSchema> = {};
  for (const schema of COMPONENTS.values()) components[componentIds.get(schema) ?? ''] = output(schema);
  return {
    openapi: '3.1.0',
    info: {
      title: 'Tenantry API',
      version: '1.0.0',
      description: INTRODUCTION,
      license: { name: 'Proprietary', identifier: 'LicenseRef-Proprietary' },
    },
    servers: [{ url: '/', description: 'The API this document is served by.' }],
    security: [{ cognitoIdToken: [] }],
    tags: Object.entries(TAGS)
      .filter(([name]) => routes.some((route) => route.function === name))
      .map(([name, description]) => ({ name, description })),
    paths,
    components: {
      securitySchemes: {
        cognitoIdToken: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'A Cognito ID token of the tenant’s user pool (it carries `custom:userId`).',
        },
      },
      schemas: { Problem: PROBLEM, ScimError: SCIM_ERROR, GatewayError: GATEWAY_ERROR, ...components },
    },
  };
}
