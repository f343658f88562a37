import { randomBytes } from 'node:crypto';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { inject } from 'vitest';
import { LOCAL_PASSWORD, setPermanentPassword } from '../../infra/local/seed';
import { TEST_CLOCK_HEADER } from '../../infra/local/start';
import { signIn } from '../../infra/local/sign-in';
import { ROLE_PERMISSIONS } from '../../shared/model/roles';
import { assertDocumented } from './contract';
import { ROUTES } from '../../shared/api/manifest';

export const twin = inject('twin');

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
export const cognito = new CognitoIdentityProviderClient({
  endpoint: twin.cognitoEndpoint,
  region: twin.region,
  credentials,
});
/** Direct table access for assertions only; the API is always called over HTTP. */
export const table = DynamoDBDocumentClient.from(
  new DynamoDBClient({ endpoint: twin.dynamoDbEndpoint, region: twin.region, credentials }),
);

export interface ApiResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface CallOptions {
  token?: string | undefined;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
  /** The time the twin says the request was received (default: now). */
  at?: Date;
  /** The loopback address (127.0.0.0/8) to send from, for controls keyed by the source address. */
  from?: string;
  /** Send no Idempotency-Key where the route requires one (to see it refused). */
  withoutIdempotencyKey?: boolean;
}

/**
 * The routes that require an Idempotency-Key (a usage record), by method and path: a well-behaved
 * client sends one, so every suite's request to them carries a fresh key unless it sends its own
 * or says `withoutIdempotencyKey`.
 */
const KEYED_ROUTES = ROUTES.filter(
  (route) => 'requiresIdempotencyKey' in route && route.requiresIdempotencyKey,
).map((route) => ({
  method: route.method,
  pattern: new RegExp(`^${route.path.replace(/\{\w+\}/g, '[^/]+')}(\\?.*)?$`),
}));

function needsKey(method: string, path: string, headers: Record<string, string>): boolean {
  if (Object.keys(headers).some((name) => name.toLowerCase() === 'idempotency-key')) return false;
  return KEYED_ROUTES.some((route) => route.method === method && route.pattern.test(path));
}

async function sendFromDefault(
  method: string,
  path: string,
  headers: Record<string, string>,
  body: string | undefined,
): Promise<{ status: number; headers: Headers; text: string }> {
  const response = await fetch(`${twin.apiUrl}${path}`, {
    method,
    headers,
    ...(body !== undefined ? { body } : {}),
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/** One HTTP exchange from a chosen local address (fetch cannot choose one). */
async function sendFrom(
  localAddress: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body: string | undefined,
): Promise<{ status: number; headers: Headers; text: string }> {
  const { request } = await import('node:http');
  const url = new URL(`${twin.apiUrl}${path}`);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: `${url.pathname}${url.search}`,
        method,
        localAddress,
        headers,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          const responseHeaders = new Headers();
          for (const [name, value] of Object.entries(res.headers)) {
            if (value !== undefined)
              responseHeaders.set(name, Array.isArray(value) ? value.join(', ') : value);
          }
          resolve({ status: res.statusCode ?? 0, headers: responseHeaders, text });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export async function call<T = Record<string, unknown>>(
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.at) headers[TEST_CLOCK_HEADER] = options.at.toISOString();
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (!options.withoutIdempotencyKey && needsKey(method, path, headers)) {
    headers['idempotency-key'] = `test-${randomBytes(12).toString('hex')}`;
  }
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = options.from
    ? await sendFrom(options.from, method, path, headers, body)
    : await sendFromDefault(method, path, headers, body);
  const { text } = response;
  assertDocumented({
    method,
    path,
    status: response.status,
    contentType: response.headers.get('content-type'),
    text,
  });
  let parsed: unknown = {};
  try {
    parsed = text ? JSON.parse(text) : {};
  } catch {
    parsed = { raw: text };
  }
  return { status: response.status, headers: response.headers, body: parsed as T, text };
}

export function unique(prefix: string): string {
  return `${prefix}-${randomBytes(5).toString('hex')}`;
}

const tokens = new Map<string, Promise<string>>();

export function tokenFor(email: string, password = LOCAL_PASSWORD): Promise<string> {
  let token = tokens.get(email);
  if (!token) {
    token = signIn({
      cognitoEndpoint: twin.cognitoEndpoint,
      region: twin.region,
      clientId: twin.clientId,
      email,
      password,
    });
    tokens.set(email, token);
  }
  return token;
}

/** A new sign-in (a new token, a new `auth_time`), not the cached one of {@link tokenFor}. */
export function freshSignIn(email: string, password = LOCAL_PASSWORD): Promise<string> {
  return signIn({
    cognitoEndpoint: twin.cognitoEndpoint,
    region: twin.region,
    clientId: twin.clientId,
    email,
    password,
  });
}

export function adminToken(): Promise<string> {
  return tokenFor(twin.platformAdmin.email, twin.platformAdmin.password);
}

export interface TestUser {
  id: string;
  email: string;
  token: string;
}

export interface TestTenant {
  id: string;
  slug: string;
  name: string;
  owner: TestUser;
}

/** Gives an invited user a known password and signs them in, as they would after the email. */
export async function activate(email: string): Promise<string> {
  await setPermanentPassword(cognito, twin.userPoolId, email, LOCAL_PASSWORD);
  return tokenFor(email);
}

/**
 * A fresh tenant made through the platform-admin API, with its owner signed in and active. On the
 * professional plan unless told otherwise, so that suites about other things stay under its limits.
 */
export async function createTenant(
  options: { plan?: string; limitOverrides?: Record<string, number | null> } = {},
): Promise<TestTenant> {
  const slug = unique('t');
  const email = `${unique('owner')}@example.test`;
  const response = await call<{ tenant: { id: string; slug: string; name: string }; owner: { id: string } }>(
    'POST',
    '/v1/tenants',
    {
      token: await adminToken(),
      body: {
        name: `Tenant ${slug}`,
        slug,
        owner: { email, name: 'Owner' },
        plan: options.plan ?? 'professional',
      },
    },
  );
  if (response.status !== 201) throw new Error(`createTenant failed: ${response.status} ${response.text}`);
  if (options.limitOverrides) {
    const changed = await call('PUT', `/v1/tenants/${response.body.tenant.id}/plan`, {
      token: await adminToken(),
      // Suites set low limits on purpose to reach them: below the plan's, said explicitly.
      body: {
        plan: options.plan ?? 'professional',
        limitOverrides: options.limitOverrides,
        allowBelowPlan: true,
      },
    });
    if (changed.status !== 200) throw new Error(`overrides failed: ${changed.status} ${changed.text}`);
  }
  const token = await activate(email);
  const current = await call('GET', '/v1/tenants/current', { token });
  if (current.status !== 200) throw new Error(`owner cannot read tenant: ${current.status} ${current.text}`);
  return { ...response.body.tenant, owner: { id: response.body.owner.id, email, token } };
}

/** Invites a user with `role` into the tenant and signs them in (which makes them active). */
export async function addUser(tenant: TestTenant, role: string): Promise<TestUser> {
  const email = `${unique(role)}@example.test`;
  const response = await call<{ id: string }>('POST', `/v1/tenants/${tenant.id}/users`, {
    token: tenant.owner.token,
    body: { email, role },
  });
  if (response.status !== 201) throw new Error(`invite failed: ${response.status} ${response.text}`);
  const token = await activate(email);
  const current = await call('GET', '/v1/tenants/current', { token });
  if (current.status !== 200) throw new Error(`user cannot read tenant: ${current.status} ${current.text}`);
  return { id: response.body.id, email, token };
}

export interface StoredAuditEvent {
  action: string;
  actorId: string;
  actorType?: string;
  actorIsPlatformAdmin?: boolean;
  targetId: string;
  before?: Record<string, unknown>;
  after?: Record<string, unknown>;
  requestId?: string;
  occurredAt?: string;
  expiresAt?: number;
}

/** Every audit item stored for a tenant, read straight from the table. */
export async function storedAuditEvents(tenantId: string): Promise<StoredAuditEvent[]> {
  const result = await table.send(
    new QueryCommand({
      TableName: twin.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sk)',
      ExpressionAttributeValues: { ':pk': `TENANT#${tenantId}`, ':sk': 'AUDIT#' },
      ConsistentRead: true,
    }),
  );
  return (result.Items ?? []) as StoredAuditEvent[];
}

/** Every item of a tenant's partition, read strongly. */
export async function partitionItems(tenantId: string): Promise<Array<Record<string, unknown>>> {
  const items: Array<Record<string, unknown>> = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await table.send(
      new QueryCommand({
        TableName: twin.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `TENANT#${tenantId}` },
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/**
 * The times every item of a tenant's partition carries (its attributes named `…At` that hold an ISO
 * time: createdAt, updatedAt, startedAt…), by sort key.
 */
export async function storedRecordTimes(tenantId: string): Promise<Map<string, Record<string, string>>> {
  const times = new Map<string, Record<string, string>>();
  for (const item of await partitionItems(tenantId)) {
    const stamps = Object.entries(item).filter(
      (entry): entry is [string, string] =>
        entry[0].endsWith('At') && typeof entry[1] === 'string' && !Number.isNaN(Date.parse(entry[1])),
    );
    times.set(String(item.sk), Object.fromEntries(stamps));
  }
  return times;
}

/** A POST from a chosen loopback address (127.0.0.0/8), for limits keyed by source IP. */
export async function postFrom(
  localAddress: string,
  path: string,
  body: unknown,
): Promise<{ status: number; body: Record<string, unknown>; retryAfter: string | undefined }> {
  const response = await call('POST', path, { body, from: localAddress });
  return {
    status: response.status,
    body: response.body,
    retryAfter: response.headers.get('retry-after') ?? undefined,
  };
}

/** An agent, a run of it and a memory item in the tenant, made through the API. */
export interface TestApiKey {
  id: string;
  secret: string;
}

/** Makes an API key of the tenant (by its owner, unless another caller is given). */
export async function createApiKey(
  tenant: TestTenant,
  scopes: readonly string[],
  options: { token?: string; expiresAt?: string; name?: string } = {},
): Promise<TestApiKey> {
  const response = await call<{ id: string; secret: string }>('POST', `/v1/tenants/${tenant.id}/api-keys`, {
    token: options.token ?? tenant.owner.token,
    body: {
      name: options.name ?? unique('key'),
      scopes,
      ...(options.expiresAt ? { expiresAt: options.expiresAt } : {}),
    },
  });
  if (response.status !== 201) throw new Error(`api key failed: ${response.status} ${response.text}`);
  return { id: response.body.id, secret: response.body.secret };
}

/** Every permission an owner holds, as API key scopes. */
export const OWNER_SCOPES = [...ROLE_PERMISSIONS.owner];

export async function createResources(
  tenant: TestTenant,
  /** An (empty) project too: plans allow few, so only where a walk needs one. */
  options: { project?: boolean } = {},
): Promise<{
  agentId: string;
  runId: string;
  memoryId: string;
  keyId: string;
  endpointId?: string;
  domain?: string;
  projectId?: string;
}> {
  const token = tenant.owner.token;
  const project = options.project
    ? await call<{ id: string }>('POST', `/v1/tenants/${tenant.id}/projects`, {
        token,
        body: { name: unique('Project') },
      })
    : undefined;
  if (project && project.status !== 201) throw new Error(`project failed: ${project.status} ${project.text}`);
  const agent = await call<{ id: string }>('POST', `/v1/tenants/${tenant.id}/agents`, {
    token,
    body: { name: 'Helper', model: 'claude-sonnet' },
  });
  if (agent.status !== 201) throw new Error(`agent failed: ${agent.status} ${agent.text}`);
  const run = await call<{ id: string }>('POST', `/v1/tenants/${tenant.id}/agents/${agent.body.id}/runs`, {
    token,
    body: {},
  });
  if (run.status !== 201) throw new Error(`run failed: ${run.status} ${run.text}`);
  const memory = await call<{ id: string }>(
    'POST',
    `/v1/tenants/${tenant.id}/agents/${agent.body.id}/memory`,
    {
      token,
      body: { kind: 'json', content: { fact: 'the sky is blue' } },
    },
  );
  if (memory.status !== 201) throw new Error(`memory failed: ${memory.status} ${memory.text}`);
  const key = await createApiKey(tenant, ['agents:read']);
  // A webhook endpoint too, where the plan has webhooks (on a loopback port nothing listens on).
  const webhook = await call<{ id: string }>('POST', `/v1/tenants/${tenant.id}/webhooks`, {
    token,
    body: { url: 'http://127.0.0.1:9/hooks', events: ['tenant.reactivated'] },
  });
  // A custom domain too, where the plan has them (claimed: nothing in DNS proves it).
  const domain = await call<{ domain: string }>('POST', `/v1/tenants/${tenant.id}/domains`, {
    token,
    body: { domain: `${unique('res').toLowerCase()}.resources.example` },
  });
  return {
    agentId: agent.body.id,
    runId: run.body.id,
    memoryId: memory.body.id,
    keyId: key.id,
    ...(webhook.status === 201 ? { endpointId: webhook.body.id } : {}),
    ...(domain.status === 201 ? { domain: domain.body.domain } : {}),
    ...(project ? { projectId: project.body.id } : {}),
  };
}

/** A logged delivery of the endpoint: a test event's attempt (to a port nothing listens on). */
export async function loggedDelivery(
  tenant: TestTenant,
  endpointId: string,
  token = tenant.owner.token,
): Promise<string> {
  const base = `/v1/tenants/${tenant.id}/webhooks/${endpointId}`;
  const sent = await call('POST', `${base}/test`, { token, body: {} });
  if (sent.status !== 202) throw new Error(`test event failed: ${sent.status} ${sent.text}`);
  const deadline = Date.now() + 10_000;
  for (;;) {
    const log = await call<{ items: Array<{ id: string }> }>('GET', `${base}/deliveries`, { token });
    const [logged] = log.body.items ?? [];
    if (logged) return logged.id;
    if (Date.now() > deadline) throw new Error('the test event was not logged within 10 s');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export interface SentEmail {
  from: string;
  to: string[];
  subject: string;
  text: string;
}

/**
 * Every email delivered to `address` in the twin's mail catcher (MailDev), oldest first: sent by the
 * functions (and, for Cognito, by the twin) through SES (the SES stand-in), then relayed over SMTP,
 * as a person reads them. The
 * relay is asynchronous: waits up to `waitMs` for at least `atLeast` of them.
 */
/** The temporary password in an invitation email ('' when it brings none). */
export function temporaryPasswordIn(text: string): string {
  return /Temporary password: (\S+)/.exec(text)?.[1] ?? '';
}

export async function inbox(
  address: string,
  options: { atLeast?: number; waitMs?: number; subject?: string } = {},
): Promise<SentEmail[]> {
  const deadline = Date.now() + (options.waitMs ?? 2_000);
  for (;;) {
    const response = await fetch(`${twin.mailUrl}/api/email`);
    const emails = (await response.json()) as Array<{
      from: Array<{ address: string }>;
      to: Array<{ address: string }>;
      subject: string;
      text?: string;
    }>;
    const mine = emails
      .filter((email) => email.to.some((to) => to.address === address))
      .filter((email) => options.subject === undefined || email.subject.includes(options.subject))
      .map((email) => ({
        from: email.from.map((from) => from.address).join(','),
        to: email.to.map((to) => to.address),
        subject: email.subject,
        text: email.text ?? '',
      }));
    if (mine.length >= (options.atLeast ?? 1) || Date.now() > deadline) return mine;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export interface TestExport {
  id: string;
  status: string;
  itemCount: number | null;
  downloadUrl: string | null;
}

/** Asks for an export of the tenant and follows it until it is written (the worker runs in the twin). */
export async function exportOf(tenant: TestTenant, token = tenant.owner.token): Promise<TestExport> {
  const started = await call<TestExport>('POST', `/v1/tenants/${tenant.id}/exports`, { token });
  if (started.status !== 202) throw new Error(`export failed: ${started.status} ${started.text}`);
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const seen = await call<TestExport>('GET', `/v1/tenants/${tenant.id}/exports/${started.body.id}`, {
      token,
    });
    if (seen.body.status === 'completed' || seen.body.status === 'failed') return seen.body;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`export ${started.body.id} did not finish`);
}

/** How many items of the tenant's partition have a sort key starting with `prefix` (read strongly). */
export async function countItems(tenantId: string, prefix: string): Promise<number> {
  let count = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const page = await table.send(
      new QueryCommand({
        TableName: twin.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sk)',
        ExpressionAttributeValues: { ':pk': `TENANT#${tenantId}`, ':sk': prefix },
        Select: 'COUNT',
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    count += page.Count ?? 0;
    start = page.LastEvaluatedKey;
  } while (start);
  return count;
}

/** What the tenant's quota report says is used of one resource (its owner asking), or -1 if absent. */
export async function quotaUsed(tenant: TestTenant, resource: string): Promise<number> {
  const quotas = await call<{ quotas: Array<{ resource: string; used: number }> }>(
    'GET',
    `/v1/tenants/${tenant.id}/quotas`,
    { token: tenant.owner.token },
  );
  return quotas.body.quotas.find((line) => line.resource === resource)?.used ?? -1;
}

/**
 * A tenant below `partner`, made by its owner, with the new tenant's owner signed in and active
 * (their first request made, so the tenant's emails reach them).
 */
export async function createChild(partner: TestTenant): Promise<TestTenant> {
  const slug = unique('c').toLowerCase();
  const email = `${unique('customer')}@customer.test`;
  const made = await call<{ tenant: { id: string; slug: string; name: string }; owner: { id: string } }>(
    'POST',
    `/v1/tenants/${partner.id}/children`,
    { token: partner.owner.token, body: { name: `Customer ${slug}`, slug, owner: { email } } },
  );
  if (made.status !== 201) throw new Error(`child failed: ${made.status} ${made.text}`);
  const token = await activate(email);
  const first = await call('GET', `/v1/tenants/${made.body.tenant.id}`, { token });
  if (first.status !== 200) throw new Error(`child owner cannot read it: ${first.status} ${first.text}`);
  return { ...made.body.tenant, owner: { id: made.body.owner.id, email, token } };
}
