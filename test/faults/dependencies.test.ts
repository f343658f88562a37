import { afterEach, describe, expect, it } from 'vitest';
import { AdminGetUserCommand } from '@aws-sdk/client-cognito-identity-provider';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import {
  adminToken,
  call,
  cognito,
  createChild,
  createTenant,
  inbox,
  loggedDelivery,
  quotaUsed,
  storedAuditEvents,
  table,
  temporaryPasswordIn,
  twin,
  unique,
  type ApiResponse,
  type TestTenant,
} from '../helpers/twin-api';
import { Receiver } from '../helpers/webhook-receiver';
import { addRecord } from '../../infra/local/dns-local';
import { ssoTenant } from '../helpers/sso-sign-in';
import { createServer } from 'node:http';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { DescribeUserPoolClientCommand } from '@aws-sdk/client-cognito-identity-provider';
import { handler as reconcileHandler } from '../../functions/jobs/sso-reconcile';
import { ssoProviderName } from '../../shared/model/sso';
import { enforcedCeiling } from '../../shared/model/plans';
import { processTenantJob } from '../../shared/jobs/tenant-job-worker';
import { setClientSupportsProvider } from '../../shared/sso/cognito-federation';

/** The gateway's integration timeout: every answer must come before it, as problem+json. */
const GATEWAY_TIMEOUT_MS = 30_000;

type Child = 'dynamodb' | 'cognito' | 'maildev' | 'ses' | 'dns';

async function fault(child: Child, action: 'pause' | 'resume' | 'crash' | 'ready') {
  const response = await fetch(`${twin.faultControlUrl}/faults/${child}/${action}`, { method: 'POST' });
  if (response.status !== 200) throw new Error(`fault ${child} ${action}: ${response.status}`);
  return (await response.json()) as Record<Child, { restarts: number; paused: boolean }>;
}

async function stripeOutage(body: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${twin.stripeUrl}/_stand-in/outage`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (response.status !== 200) throw new Error(`stripe outage: ${response.status}`);
}

interface Answer {
  status: number;
  ms: number;
  response: ApiResponse;
}

/** Each answer is a success, or problem+json; a 503 says when to retry; all within the gateway's time. */
function expectWellFormed(answers: Answer[]): void {
  for (const { status, ms, response } of answers) {
    expect(ms, `${status} after ${ms} ms`).toBeLessThan(GATEWAY_TIMEOUT_MS);
    expect(status, response.text).not.toBe(500);
    if (status >= 400) {
      expect(response.headers.get('content-type'), response.text).toContain('application/problem+json');
    }
    if (status === 503) {
      expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(response.body).toMatchObject({ code: 'service_unavailable' });
    }
  }
}

/**
 * Creates agents and reads them from `workers` loops until `stop()`; every answer is kept, and the
 * ids of the agents whose creation was acknowledged (201). Every other agent goes into the project,
 * when one is given (its count moves in the agent's own transaction).
 */
function agentLoad(tenant: TestTenant, workers: number, projectId?: string) {
  const answers: Answer[] = [];
  const acknowledged: string[] = [];
  let running = true;
  const loop = async (worker: number) => {
    for (let i = 0; running; i += 1) {
      const started = Date.now();
      const response =
        i % 2 === 0
          ? await call<{ id: string }>('POST', `/v1/tenants/${tenant.id}/agents`, {
              token: tenant.owner.token,
              body: {
                name: `Load ${worker}-${i}`,
                model: 'claude-sonnet',
                ...(projectId && i % 4 === 0 ? { projectId } : {}),
              },
            })
          : await call('GET', `/v1/tenants/${tenant.id}/agents?limit=5`, { token: tenant.owner.token });
      answers.push({ status: response.status, ms: Date.now() - started, response });
      if (response.status === 201) acknowledged.push((response.body as { id: string }).id);
      if (response.status >= 500) await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };
  const loops = Array.from({ length: workers }, (_, worker) => loop(worker));
  return {
    answers,
    acknowledged,
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}

/**
 * Every acknowledged agent is there, the agents counter equals the agents, and the project's count
 * equals the agents in it.
 */
async function expectNothingLost(
  tenant: TestTenant,
  acknowledged: string[],
  projectId?: string,
): Promise<void> {
  const ids: string[] = [];
  const inProject: string[] = [];
  let cursor: string | null = null;
  do {
    const page: ApiResponse<{ items: Array<{ id: string }>; nextCursor: string | null }> = await call(
      'GET',
      `/v1/tenants/${tenant.id}/agents?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      { token: tenant.owner.token },
    );
    expect(page.status, page.text).toBe(200);
    ids.push(...page.body.items.map((item) => item.id));
    inProject.push(
      ...(page.body.items as Array<{ id: string; projectId?: string | null }>)
        .filter((item) => projectId !== undefined && item.projectId === projectId)
        .map((item) => item.id),
    );
    cursor = page.body.nextCursor;
  } while (cursor);
  if (projectId) {
    const project = await call<{ agentCount: number }>(
      'GET',
      `/v1/tenants/${tenant.id}/projects/${projectId}`,
      {
        token: tenant.owner.token,
      },
    );
    expect(project.body.agentCount).toBe(inProject.length);
    // The positive control of the count: the load put agents in it.
    expect(inProject.length).toBeGreaterThan(0);
  }
  for (const id of acknowledged) expect(ids).toContain(id);
  const quotas = await call<{ quotas: Array<{ resource: string; used: number }> }>(
    'GET',
    `/v1/tenants/${tenant.id}/quotas`,
    { token: tenant.owner.token },
  );
  expect(quotas.body.quotas.find((line) => line.resource === 'agents')?.used).toBe(ids.length);
}

async function newProject(tenant: TestTenant): Promise<string> {
  const made = await call<{ id: string }>('POST', `/v1/tenants/${tenant.id}/projects`, {
    token: tenant.owner.token,
    body: { name: unique('Load') },
  });
  expect(made.status, made.text).toBe(201);
  return made.body.id;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * What the write-path fault tests put a running load through: a second of normal service, DynamoDB
 * paused for 12 s (past a request's 10 s budget), resumed, then killed and restarted by the
 * supervisor, and two seconds of service after.
 */
async function pauseThenCrashDynamoDb(): Promise<void> {
  await pause(1_000);
  await fault('dynamodb', 'pause');
  await pause(12_000);
  await fault('dynamodb', 'resume');
  await pause(1_500);
  const before = (await fault('dynamodb', 'ready')).dynamodb.restarts;
  await fault('dynamodb', 'crash');
  await pause(1_500);
  expect((await fault('dynamodb', 'ready')).dynamodb.restarts).toBe(before + 1);
  await pause(2_000);
}

/**
 * Waits until what `snapshot` reads has stayed the same for 5 s (at most 60 s): the writes a
 * restarted DynamoDB Local still had queued, of requests their callers gave up on, have landed. The
 * reconciliation's premise is that the takes it settles belong to requests that are over.
 */
async function untilQuiet(snapshot: () => Promise<string>): Promise<void> {
  const deadline = Date.now() + 60_000;
  let last = await snapshot();
  let since = Date.now();
  while (Date.now() - since < 5_000 && Date.now() < deadline) {
    await pause(500);
    const now = await snapshot();
    if (now !== last) {
      last = now;
      since = Date.now();
    }
  }
}

/** A tenant's partition as its counters and items of one kind stand (for {@link untilQuiet}). */
async function partitionState(tenantId: string, prefixes: readonly string[]): Promise<string> {
  const parts: string[] = [];
  for (const prefix of prefixes) {
    const items = await table.send(
      new QueryCommand({
        TableName: twin.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': `TENANT#${tenantId}`, ':prefix': prefix },
        ConsistentRead: true,
      }),
    );
    for (const item of items.Items ?? []) {
      parts.push(
        `${String(item.sk)}:${String(item.used ?? '')}:${[...((item.pending as Set<string>) ?? [])].sort().join(',')}`,
      );
    }
  }
  return parts.join('|');
}

describe('dependencies taken away under load', () => {
  afterEach(async () => {
    // Whatever a test did, the next one starts with every dependency up.
    for (const child of ['dynamodb', 'cognito', 'maildev', 'dns'] as const) {
      await fault(child, 'resume').catch(() => undefined);
      await fault(child, 'ready');
    }
    await stripeOutage({ down: false });
  });

  it('delivers every email sent while the mail server is paused or crashed, once it is back', async () => {
    const tenant = await createTenant();
    const invite = async () => {
      const email = `${unique('mail-fault')}@example.test`;
      const invited = await call('POST', `/v1/tenants/${tenant.id}/users`, {
        token: tenant.owner.token,
        body: { email, role: 'member' },
      });
      expect(invited.status, invited.text).toBe(201);
      return email;
    };
    await fault('maildev', 'pause');
    const whilePaused = [await invite(), await invite(), await invite()];
    await pause(4_000);
    await fault('maildev', 'resume');
    const before = (await fault('maildev', 'ready')).maildev.restarts;
    await fault('maildev', 'crash');
    const whileDown = [await invite(), await invite()];
    expect((await fault('maildev', 'ready')).maildev.restarts).toBe(before + 1);
    // Each person gets their one email: the invitation with its temporary password, once.
    for (const email of [...whilePaused, ...whileDown]) {
      const [received] = await inbox(email, { waitMs: 30_000 });
      expect(received?.subject, email).toBe(`[${tenant.name}] You are invited to ${tenant.name}`);
      expect(temporaryPasswordIn(received?.text ?? ''), email).not.toBe('');
    }
    for (const email of [...whilePaused, ...whileDown])
      expect(await inbox(email, { atLeast: 2, waitMs: 500 }), email).toHaveLength(1);
  });

  it('answers 503 with Retry-After while DynamoDB is paused, within the gateway’s 30 s, and loses nothing acknowledged', async () => {
    const tenant = await createTenant({ limitOverrides: { agents: null } });
    const projectId = await newProject(tenant);
    const load = agentLoad(tenant, 6, projectId);
    await pause(1_000);
    await fault('dynamodb', 'pause');
    await pause(12_000);
    await fault('dynamodb', 'resume');
    await pause(2_000);
    await load.stop();

    expectWellFormed(load.answers);
    const unavailable = load.answers.filter((answer) => answer.status === 503);
    expect(unavailable.length).toBeGreaterThan(0);
    // Budgeted to the function's 10 s: no answer waited for the paused database for long.
    expect(Math.max(...unavailable.map((answer) => answer.ms))).toBeLessThan(15_000);
    // Positive control: before the pause and after it, requests were served.
    expect(load.acknowledged.length).toBeGreaterThan(0);
    const last = await call('GET', `/v1/tenants/${tenant.id}/agents`, { token: tenant.owner.token });
    expect(last.status).toBe(200);
    await expectNothingLost(tenant, load.acknowledged, projectId);
  });

  it('answers 503 while DynamoDB is down after a crash, runs again once it is restarted, and loses nothing acknowledged', async () => {
    const tenant = await createTenant({ limitOverrides: { agents: null } });
    const projectId = await newProject(tenant);
    const before = (await fault('dynamodb', 'ready')).dynamodb.restarts;
    const load = agentLoad(tenant, 6, projectId);
    await pause(1_000);
    await fault('dynamodb', 'crash');
    await pause(1_500);
    const after = await fault('dynamodb', 'ready');
    expect(after.dynamodb.restarts).toBe(before + 1);
    await pause(2_000);
    await load.stop();

    expectWellFormed(load.answers);
    expect(load.answers.some((answer) => answer.status === 503)).toBe(true);
    const served = load.answers.slice(-6).filter((answer) => answer.status < 300);
    expect(served.length, 'served again after the restart').toBeGreaterThan(0);
    await expectNothingLost(tenant, load.acknowledged, projectId);
  });

  it('provisions, changes and deprovisions through SCIM while DynamoDB and then Cognito are paused: SCIM-format 503s in time, nothing acknowledged lost or undone, the seats equal the members', async () => {
    const { tenant, domain } = await ssoTenant();
    const key = await call<{ secret: string }>('POST', `/v1/tenants/${tenant.id}/api-keys`, {
      token: tenant.owner.token,
      body: { name: 'Directory', scopes: ['directory:sync'] },
    });
    const answers: Answer[] = [];
    const acknowledged: string[] = [];
    let running = true;
    const loop = async (worker: number) => {
      for (let i = 0; running; i += 1) {
        const started = Date.now();
        const response = await call<{ id: string }>('POST', `/v1/tenants/${tenant.id}/scim/v2/Users`, {
          token: key.body.secret,
          body: { userName: `p${worker}-${i}@${domain}` },
          headers: { 'content-type': 'application/scim+json' },
        });
        answers.push({ status: response.status, ms: Date.now() - started, response });
        if (response.status === 201) acknowledged.push(response.body.id);
        if (response.status >= 500) await pause(200);
      }
    };
    // Beside them, the directory changes and deprovisions those it made: each user's changes in order,
    // so what stands is the last one acknowledged or one sent after it (a change the pause cut short
    // may have been written all the same).
    const deleted = new Set<string>();
    const deleteSent = new Set<string>();
    const sentNames = new Map<string, string[]>();
    const acknowledgedNames = new Map<string, string>();
    const changer = async () => {
      for (let i = 0; running; i += 1) {
        const id = acknowledged.find((candidate) => !deleted.has(candidate));
        if (!id) {
          await pause(100);
          continue;
        }
        const started = Date.now();
        const name = `Name ${i}`;
        const remove = i % 4 === 3;
        if (remove) deleteSent.add(id);
        else sentNames.set(id, [...(sentNames.get(id) ?? []), name]);
        const response = await call(
          remove ? 'DELETE' : 'PATCH',
          `/v1/tenants/${tenant.id}/scim/v2/Users/${id}`,
          {
            token: key.body.secret,
            headers: { 'content-type': 'application/scim+json' },
            ...(remove
              ? {}
              : {
                  body: {
                    schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
                    Operations: [{ op: 'replace', path: 'name.givenName', value: name }],
                  },
                }),
          },
        );
        answers.push({ status: response.status, ms: Date.now() - started, response });
        // Gone: deprovisioned now, or by a removal the pause cut short that was written all the same.
        if (response.status === 204 || (response.status === 404 && deleteSent.has(id))) deleted.add(id);
        if (response.status === 200) acknowledgedNames.set(id, name);
        if (response.status >= 500) await pause(200);
      }
    };
    const loops = [...[0, 1, 2].map(loop), changer()];
    await pause(1_000);
    // Longer than a request's 10 s budget: requests waiting on the paused dependency are answered 503.
    await fault('dynamodb', 'pause');
    await pause(12_000);
    await fault('dynamodb', 'resume');
    await pause(1_500);
    await fault('cognito', 'pause');
    await pause(12_000);
    await fault('cognito', 'resume');
    await pause(1_500);
    running = false;
    await Promise.all(loops);

    for (const { status, ms, response } of answers) {
      expect(ms, `${status} after ${ms} ms`).toBeLessThan(GATEWAY_TIMEOUT_MS);
      expect(status, response.text).not.toBe(500);
      if (status >= 400) {
        // The SCIM routes answer in SCIM's error format.
        expect(response.headers.get('content-type'), response.text).toContain('application/scim+json');
        expect(response.body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'] });
      }
      if (status === 503) expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 503).length, JSON.stringify(statuses)).toBeGreaterThan(0);
    // Positive control: provisioning went on before, between and after the pauses.
    expect(acknowledged.length).toBeGreaterThan(3);
    const listed = await call<{ Resources: Array<{ id: string }>; totalResults: number }>(
      'GET',
      `/v1/tenants/${tenant.id}/scim/v2/Users?count=200`,
      { token: key.body.secret },
    );
    expect(listed.status, listed.text).toBe(200);
    const ids = listed.body.Resources.map((user) => user.id);
    // Positive control: the directory changed and removed people throughout.
    expect(deleted.size).toBeGreaterThan(0);
    expect(acknowledgedNames.size).toBeGreaterThan(0);
    for (const id of acknowledged) {
      if (deleted.has(id)) expect(ids).not.toContain(id);
      else if (!deleteSent.has(id)) expect(ids).toContain(id);
    }
    for (const [id, name] of acknowledgedNames) {
      if (deleteSent.has(id)) continue;
      const user = await call<{ name?: { givenName?: string } }>(
        'GET',
        `/v1/tenants/${tenant.id}/scim/v2/Users/${id}`,
        { token: key.body.secret },
      );
      const sent = sentNames.get(id) ?? [];
      expect(sent.slice(sent.indexOf(name))).toContain(user.body.name?.givenName);
    }
    expect(await quotaUsed(tenant, 'users')).toBe(listed.body.totalResults);
  });

  it('answers CloudFormation in time while Cognito is paused after a deploy, and the next run offers the provider the deploy dropped', async () => {
    const { tenant } = await ssoTenant();
    const name = ssoProviderName(tenant.id);
    // What a deploy of the app client leaves: the tenant's provider is not on the client.
    await setClientSupportsProvider(name, false);
    const answers: Array<{ Status: string; Reason: string }> = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        answers.push(JSON.parse(body) as { Status: string; Reason: string });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const event = {
      RequestType: 'Update',
      ResponseURL: `http://127.0.0.1:${port}/response`,
      StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/Tenantry/1',
      RequestId: 'after-deploy',
      LogicalResourceId: 'JobsSsoReconcileAfterDeploy',
      ResourceType: 'Custom::SsoProviderReconcile',
      PhysicalResourceId: 'tenantry-sso-provider-reconcile',
      ResourceProperties: { ServiceToken: 'x', clientSettings: 'digest' },
      OldResourceProperties: {},
    } as unknown as CloudFormationCustomResourceEvent;
    try {
      await fault('cognito', 'pause');
      const started = Date.now();
      // A function with 25 s left: it answers 15 s before its end, whatever Cognito does.
      await reconcileHandler(event, { getRemainingTimeInMillis: () => 25_000 });
      const took = Date.now() - started;
      expect(took).toBeLessThan(GATEWAY_TIMEOUT_MS);
      expect(answers).toEqual([
        expect.objectContaining({ Status: 'SUCCESS', Reason: expect.stringMatching(/ran out of time/) }),
      ]);
    } finally {
      await fault('cognito', 'resume');
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    // The next run (the daily one, or the cut-short one finishing) offers the provider again.
    await reconcileHandler({ job: 'sso-reconcile' });
    const client = await cognito.send(
      new DescribeUserPoolClientCommand({ UserPoolId: twin.userPoolId, ClientId: twin.clientId }),
    );
    expect(client.UserPoolClient?.SupportedIdentityProviders).toContain(name);
    expect(client.UserPoolClient?.SupportedIdentityProviders).toContain('COGNITO');
  });

  it('creates child tenants while DynamoDB and then Cognito are paused: 503s in time, every acknowledged child listed, the count equal to the children', async () => {
    const partner = await createTenant({ plan: 'partner' });
    const answers: Answer[] = [];
    const acknowledged: string[] = [];
    let running = true;
    const loop = async (worker: number) => {
      for (let i = 0; running; i += 1) {
        const started = Date.now();
        const slug = unique(`f${worker}`).toLowerCase();
        const response = await call<{ tenant: { id: string } }>(
          'POST',
          `/v1/tenants/${partner.id}/children`,
          {
            token: partner.owner.token,
            body: { name: `Customer ${slug}`, slug, owner: { email: `${slug}@fault.test` } },
          },
        );
        answers.push({ status: response.status, ms: Date.now() - started, response });
        if (response.status === 201) acknowledged.push(response.body.tenant.id);
        if (response.status >= 500) await pause(200);
      }
    };
    const loops = [0, 1, 2].map((worker) => loop(worker));
    await pause(1_000);
    // Each pause outlasts a request's 10 s budget, so a request caught in it is answered 503 whatever
    // the machine's speed.
    for (const child of ['dynamodb', 'cognito'] as const) {
      await fault(child, 'pause');
      await pause(12_000);
      await fault(child, 'resume');
      await pause(1_500);
    }
    running = false;
    await Promise.all(loops);

    expectWellFormed(answers);
    expect(answers.some((answer) => answer.status === 503)).toBe(true);
    expect(acknowledged.length).toBeGreaterThan(0);
    const listed = await call<{ items: Array<{ id: string; depth: number }> }>(
      'GET',
      `/v1/tenants/${partner.id}/children?limit=100`,
      { token: partner.owner.token },
    );
    const ids = listed.body.items.map((item) => item.id);
    for (const id of acknowledged) expect(ids).toContain(id);
    expect(await quotaUsed(partner, 'childTenants')).toBe(ids.length);
  });

  it('gives slices and asks for, approves and ends delegations while DynamoDB is paused and after it crashes: 503s in time, the partner’s total equal to its children’s slices, both sides of each delegation alike', async () => {
    const partner = await createTenant({ plan: 'partner', limitOverrides: { agents: 12 } });
    const children: TestTenant[] = [];
    for (let index = 0; index < 4; index += 1) children.push(await createChild(partner));
    const answers: Answer[] = [];
    const sent = new Map<string, number[]>();
    const acknowledged = new Map<string, number>();
    let running = true;
    const timed = async (send: () => Promise<ApiResponse>) => {
      const started = Date.now();
      const response = await send();
      answers.push({ status: response.status, ms: Date.now() - started, response });
      if (response.status >= 500) await pause(200);
      return response;
    };
    // Two loops of slices, each with its own children (one allocation at a time per child).
    const allocations = async (worker: number) => {
      const mine = children.filter((_child, index) => index % 2 === worker);
      for (let i = 0; running; i += 1) {
        const child = mine[i % mine.length] as TestTenant;
        const agents = 1 + ((i * 7 + worker) % 4);
        sent.set(child.id, [...(sent.get(child.id) ?? []), agents]);
        const response = await timed(() =>
          call('PUT', `/v1/tenants/${partner.id}/children/${child.id}/allocation`, {
            token: partner.owner.token,
            body: { limits: { agents } },
          }),
        );
        if (response.status === 200) {
          acknowledged.set(child.id, agents);
          sent.set(child.id, [agents]);
        }
      }
    };
    // One loop of delegations: asked, approved by the child's owner, ended by either side.
    const delegations = async () => {
      for (let i = 0; running; i += 1) {
        const child = children[i % children.length] as TestTenant;
        const asked = await timed(() =>
          call<{ id: string }>('POST', `/v1/tenants/${partner.id}/delegations`, {
            token: partner.owner.token,
            body: { childId: child.id, role: 'viewer', durationDays: 7 },
          }),
        );
        if (asked.status === 201) {
          await timed(() =>
            call('POST', `/v1/tenants/${child.id}/delegations/${partner.id}/approve`, {
              token: child.owner.token,
              body: { delegationId: (asked.body as { id: string }).id },
            }),
          );
        }
        const [side, token, other] =
          i % 2 === 0
            ? [partner.id, partner.owner.token, child.id]
            : [child.id, child.owner.token, partner.id];
        await timed(() => call('DELETE', `/v1/tenants/${side}/delegations/${other}`, { token }));
      }
    };
    const loops = [allocations(0), allocations(1), delegations()];
    await pauseThenCrashDynamoDb();
    running = false;
    await Promise.all(loops);

    expectWellFormed(answers);
    expect(answers.some((answer) => answer.status === 503)).toBe(true);
    // Positive control: slices were given before, between and after the faults.
    expect(acknowledged.size).toBeGreaterThan(0);
    const listed = await call<{ items: Array<{ id: string; allocation: { agents?: number } }> }>(
      'GET',
      `/v1/tenants/${partner.id}/children?limit=100`,
      { token: partner.owner.token },
    );
    const stored = new Map(listed.body.items.map((item) => [item.id, item.allocation.agents ?? 0]));
    const sum = [...stored.values()].reduce((total, agents) => total + agents, 0);
    expect(sum).toBeLessThanOrEqual(12);
    // Each child has its last acknowledged slice, or one sent after it whose answer was lost.
    for (const [childId, agents] of acknowledged) {
      expect([agents, ...(sent.get(childId) ?? [])], childId).toContain(stored.get(childId));
    }
    // The partner's total is its children's sum, exactly (one transaction wrote both).
    const partnerRecord = await table.send(
      new GetCommand({ TableName: twin.tableName, Key: { pk: `TENANT#${partner.id}`, sk: 'TENANT' } }),
    );
    expect((partnerRecord.Item?.allocatedToChildren as { agents?: number } | undefined)?.agents ?? 0).toBe(
      sum,
    );
    // Both sides of each delegation say the same.
    for (const child of children) {
      const held = await call<{ status: string }>(
        'GET',
        `/v1/tenants/${partner.id}/delegations/${child.id}`,
        {
          token: partner.owner.token,
        },
      );
      const granted = await call<{ status: string }>(
        'GET',
        `/v1/tenants/${child.id}/delegations/${partner.id}`,
        {
          token: child.owner.token,
        },
      );
      expect(granted.status).toBe(held.status);
      if (held.status === 200) expect(granted.body.status, child.id).toBe(held.body.status);
    }
  });

  it('starts runs from a partner’s pool, by the partner and two pooled children, while DynamoDB is paused and after it crashes: 503s in time, every acknowledged run counted once, the pool equal to its runs', async () => {
    const partner = await createTenant({ plan: 'partner', limitOverrides: { runs: 50 } });
    const children = [await createChild(partner), await createChild(partner)];
    for (const child of children) {
      const pooled = await call('PUT', `/v1/tenants/${partner.id}/children/${child.id}/allocation`, {
        token: partner.owner.token,
        body: { limits: {}, pooled: ['runs'] },
      });
      expect(pooled.status, pooled.text).toBe(200);
    }
    const starters = [partner, ...children].map((tenant) => ({ id: tenant.id, token: tenant.owner.token }));
    // The children's caches learn the pool within seconds: wait until each says so.
    for (const tenant of starters.slice(1)) {
      const deadline = Date.now() + 15_000;
      for (;;) {
        const report = await call<{ quotas: Array<{ resource: string; pooledFrom: string | null }> }>(
          'GET',
          `/v1/tenants/${tenant.id}/quotas`,
          { token: tenant.token },
        );
        const line = report.body.quotas.find((quota) => quota.resource === 'runs');
        if (line?.pooledFrom === partner.id || Date.now() > deadline) break;
        await pause(250);
      }
    }
    const agents = await Promise.all(
      starters.map(async (tenant) => {
        const made = await call<{ id: string }>('POST', `/v1/tenants/${tenant.id}/agents`, {
          token: tenant.token,
          body: { name: 'Pool agent', model: 'claude-sonnet' },
        });
        expect(made.status, made.text).toBe(201);
        return made.body.id;
      }),
    );
    const answers: Answer[] = [];
    const acknowledged: string[] = [];
    let running = true;
    const loops = starters.map(async (tenant, index) => {
      while (running) {
        const started = Date.now();
        const response = await call<{ id: string }>(
          'POST',
          `/v1/tenants/${tenant.id}/agents/${agents[index]}/runs`,
          { token: tenant.token, body: {} },
        );
        answers.push({ status: response.status, ms: Date.now() - started, response });
        if (response.status === 201) acknowledged.push(response.body.id);
        await pause(response.status >= 500 ? 200 : 150);
      }
    });
    await pauseThenCrashDynamoDb();
    running = false;
    await Promise.all(loops);

    expectWellFormed(answers);
    expect(answers.some((answer) => answer.status === 503)).toBe(true);
    expect(acknowledged.length).toBeGreaterThan(0);
    // The reconciliation, once every take is over, settles what dead requests left pending: in real
    // time, a request the gateway gave up on ends its dependency calls by its function's 10 s (in
    // the twin as in Lambda); the settling then finds its takes a minute old by the clock given.
    await pause(12_000);
    await untilQuiet(async () =>
      (await Promise.all(starters.map((tenant) => partitionState(tenant.id, ['QUOTA#runs#', 'RUN#'])))).join(
        '||',
      ),
    );
    const later = new Date(Date.now() + 3 * 60_000);
    const reconciled = await call<{ counters: Array<{ resource: string; period: string; outcome: string }> }>(
      'POST',
      `/v1/tenants/${partner.id}/quotas/reconcile`,
      { token: await adminToken(), at: later },
    );
    expect(reconciled.status, reconciled.text).toBe(200);
    const period = new Date().toISOString().slice(0, 7);
    const runsLine = reconciled.body.counters.find(
      (line) => line.resource === 'runs' && line.period === period,
    );
    expect(['matches', 'repaired']).toContain(runsLine?.outcome);
    // The runs written: the partner's own and its children's counted in its pool.
    const written: string[] = [];
    for (const tenant of starters) {
      const items = await table.send(
        new QueryCommand({
          TableName: twin.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :run)',
          ExpressionAttributeValues: { ':pk': `TENANT#${tenant.id}`, ':run': 'RUN#' },
          ConsistentRead: true,
        }),
      );
      for (const item of items.Items ?? []) {
        const pooled =
          tenant.id === partner.id ? item.countedIn === undefined : item.countedIn === partner.id;
        expect(pooled, `${tenant.id} ${String(item.runId)}`).toBe(true);
        written.push(item.runId as string);
      }
    }
    // Nothing acknowledged is lost, nothing written twice, and the pool counts exactly what was written,
    // never past its ceiling (the limit of 50 and the Partner plan's grace).
    for (const runId of acknowledged) expect(written).toContain(runId);
    expect(new Set(written).size).toBe(written.length);
    const counter = await table.send(
      new GetCommand({
        TableName: twin.tableName,
        Key: { pk: `TENANT#${partner.id}`, sk: `QUOTA#runs#${period}` },
        ConsistentRead: true,
      }),
    );
    expect(counter.Item?.used).toBe(written.length);
    expect([...((counter.Item?.pending as Set<string> | undefined) ?? [])]).toEqual([]);
    expect(written.length).toBeLessThanOrEqual(enforcedCeiling('partner', 'runs', 50) as number);
  });

  it('records usage while DynamoDB is paused and after it crashes, each record retried under its key: 503s in time, every acknowledged record counted once, the counter equal to its records and never past its ceiling', async () => {
    // Starter’s grace is 10 %: 30 tool calls a month are admitted to 33, 11 records of 3.
    const tenant = await createTenant({ plan: 'starter', limitOverrides: { toolCalls: 30 } });
    const writer = await call<{ secret: string }>('POST', `/v1/tenants/${tenant.id}/api-keys`, {
      token: tenant.owner.token,
      body: { name: 'Tool runner', scopes: ['usage:write', 'usage:read'] },
    });
    expect(writer.status, writer.text).toBe(201);
    const send = (key: string, at?: Date) =>
      call<{ event: { id: string; idempotencyKey: string } }>('POST', `/v1/tenants/${tenant.id}/usage`, {
        token: writer.body.secret,
        body: { resource: 'toolCalls', amount: 3, description: `tool call batch ${key}` },
        headers: { 'idempotency-key': key },
        ...(at ? { at } : {}),
      });
    const answers: Answer[] = [];
    /** Each key's last answer: a key is sent until it is acknowledged or refused for the quota. */
    const ended = new Map<string, number>();
    const acknowledged = new Map<string, string>();
    let running = true;
    let sequence = 0;
    const lanes = Array.from({ length: 3 }, async (_, lane) => {
      let key = `lane${lane}-${sequence++}`;
      while (running) {
        const started = Date.now();
        const response = await send(key);
        answers.push({ status: response.status, ms: Date.now() - started, response });
        if (response.status === 201) acknowledged.set(key, response.body.event.id);
        // A 5xx or a key still held is retried under the same key; anything else ends it.
        if (response.status < 500 && response.status !== 409) {
          ended.set(key, response.status);
          key = `lane${lane}-${sequence++}`;
        }
        await pause(response.status >= 500 ? 200 : 100);
      }
      return key;
    });
    await pauseThenCrashDynamoDb();
    running = false;
    const unfinished = await Promise.all(lanes);

    expectWellFormed(answers);
    expect(answers.some((answer) => answer.status === 503)).toBe(true);
    expect(answers.some((answer) => answer.status === 429)).toBe(true);
    // The keys left mid-retry, sent again once their dead requests cannot hold them any more, in real
    // time: a request the gateway gave up on ends its dependency calls by its function's 10 s (in the
    // twin as in Lambda), and its key's lock 5 s later. A clock moved forward would take a key over
    // from, or settle a take under, a request still running.
    await pause(16_000);
    for (const key of unfinished) {
      const retried = await send(key);
      expect([201, 409, 429], retried.text).toContain(retried.status);
      if (retried.status === 409) expect(retried.body).toMatchObject({ code: 'idempotency_answer_lost' });
      if (retried.status === 201) acknowledged.set(key, retried.body.event.id);
    }
    // The daily reconciliation, once every take is over, settles what dead requests left pending.
    await untilQuiet(() => partitionState(tenant.id, ['QUOTA#toolCalls#', 'USEVT#']));
    const reconciled = await call('POST', `/v1/tenants/${tenant.id}/quotas/reconcile`, {
      token: await adminToken(),
      at: new Date(Date.now() + 3 * 60_000),
    });
    expect(reconciled.status, reconciled.text).toBe(200);

    const period = new Date().toISOString().slice(0, 7);
    const stored = await table.send(
      new QueryCommand({
        TableName: twin.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :usage)',
        ExpressionAttributeValues: { ':pk': `TENANT#${tenant.id}`, ':usage': 'USEVT#' },
        ConsistentRead: true,
      }),
    );
    const records = stored.Items ?? [];
    // Nothing acknowledged is lost, nothing recorded twice under one key.
    const ids = records.map((item) => item.usageEventId as string);
    for (const id of acknowledged.values()) expect(ids).toContain(id);
    const keys = records.map((item) => item.idempotencyKey as string);
    expect(new Set(keys).size).toBe(keys.length);
    const total = records.reduce((sum, item) => sum + (item.amount as number), 0);
    const counter = await table.send(
      new GetCommand({
        TableName: twin.tableName,
        Key: { pk: `TENANT#${tenant.id}`, sk: `QUOTA#toolCalls#${period}` },
        ConsistentRead: true,
      }),
    );
    expect(counter.Item?.used).toBe(total);
    expect([...((counter.Item?.pending as Set<string> | undefined) ?? [])]).toEqual([]);
    expect(total).toBeLessThanOrEqual(enforcedCeiling('starter', 'toolCalls', 30) as number);
  });

  it('applies retention while DynamoDB is paused and after it crashes, in racing runs: each item deleted once, a run that failed finished by the next, the storage counter equal to the memory left', async () => {
    const tenant = await createTenant({ plan: 'free' });
    const agent = await call<{ id: string }>('POST', `/v1/tenants/${tenant.id}/agents`, {
      token: tenant.owner.token,
      body: { name: 'Forgetful', model: 'claude-sonnet' },
    });
    expect(agent.status, agent.text).toBe(201);
    const remember = (index: number, at?: Date) =>
      call('POST', `/v1/tenants/${tenant.id}/agents/${agent.body.id}/memory`, {
        token: tenant.owner.token,
        body: { kind: 'text', content: `fact number ${index}` },
        ...(at ? { at } : {}),
      });
    // Forty items made now (past Free's 90 days at the job's date), four made 60 days on (kept).
    for (let index = 0; index < 40; index += 1) expect((await remember(index)).status).toBe(201);
    const later = new Date(Date.now() + 60 * 86_400_000);
    const kept: number[] = [];
    for (let index = 0; index < 4; index += 1) {
      expect((await remember(100 + index, later)).status).toBe(201);
      kept.push(Buffer.byteLength(`fact number ${100 + index}`));
    }
    const at = new Date(Date.now() + 91 * 86_400_000);
    const job = () =>
      processTenantJob(
        { job: 'data-retention', tenantId: tenant.id, period: at.toISOString().slice(0, 10) },
        at,
      );

    // Three runs race (a message delivered twice, and the next day's); DynamoDB pauses, then crashes.
    const runs = Promise.allSettled([job(), job(), job()]);
    await pause(50);
    await fault('dynamodb', 'pause');
    await pause(3_000);
    await fault('dynamodb', 'resume');
    await pause(200);
    const before = (await fault('dynamodb', 'ready')).dynamodb.restarts;
    await fault('dynamodb', 'crash');
    // The runs the crash cut short fail (connection refused); the others finished.
    await runs;
    expect((await fault('dynamodb', 'ready')).dynamodb.restarts).toBe(before + 1);
    // Whatever the runs did, the next one finishes the job.
    await job();

    const memory = await table.send(
      new QueryCommand({
        TableName: twin.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :memory)',
        ExpressionAttributeValues: { ':pk': `TENANT#${tenant.id}`, ':memory': 'MEMORY#' },
        ConsistentRead: true,
      }),
    );
    const left = (memory.Items ?? []).map((item) => item.sizeBytes as number);
    expect(left.sort()).toEqual([...kept].sort());
    // Each deleted item gave its bytes back once: the counter is what is left, to the byte.
    expect(await quotaUsed(tenant, 'storageBytes')).toBe(kept.reduce((sum, bytes) => sum + bytes, 0));
  });

  it('changes a typed setting from racing callers while DynamoDB is paused and after it crashes: 503s in time, every acknowledged value audited once, the stored value one of them', async () => {
    const tenant = await createTenant();
    const path = `/v1/tenants/${tenant.id}/settings/agents.defaultModel`;
    const answers: Answer[] = [];
    const acknowledged: string[] = [];
    let running = true;
    let sequence = 0;
    const lanes = Array.from({ length: 3 }, async (_, lane) => {
      while (running) {
        const value = `model-${lane}-${sequence++}`;
        const started = Date.now();
        const response = await call<{ value: string }>('PUT', path, {
          token: tenant.owner.token,
          body: { value },
        });
        answers.push({ status: response.status, ms: Date.now() - started, response });
        if (response.status === 200) {
          expect(response.body.value).toBe(value);
          acknowledged.push(value);
        }
        await pause(response.status >= 500 ? 200 : 100);
      }
    });
    await pauseThenCrashDynamoDb();
    running = false;
    await Promise.all(lanes);

    expectWellFormed(answers);
    expect(answers.some((answer) => answer.status === 503)).toBe(true);
    expect(acknowledged.length).toBeGreaterThan(0);
    // Writes the dead requests left queued have landed before anything is read.
    await untilQuiet(async () => JSON.stringify(await storedAuditEvents(tenant.id)));
    const changes = (await storedAuditEvents(tenant.id))
      .filter((event) => event.action === 'tenant.setting_changed')
      .map((event) => (event.after as { typedSettings?: Record<string, { value: string }> }).typedSettings);
    const values = changes.map((settings) => settings?.['agents.defaultModel']?.value);
    // Nothing acknowledged is lost from the audit log, and no change is in it twice.
    for (const value of acknowledged) expect(values).toContain(value);
    expect(new Set(values).size).toBe(values.length);
    // The stored value is one a caller asked for and the audit log shows (an acknowledged one, or one
    // whose answer was lost to the outage).
    const stored = await call<{ value: string }>('GET', path, { token: tenant.owner.token });
    expect(stored.status, stored.text).toBe(200);
    expect(values).toContain(stored.body.value);
  });

  it('answers 503 while Cognito is paused or down, and every acknowledged invitee has a sign-in', async () => {
    // Enterprise: no invitations policy, so the load's pace is limited by the faults alone.
    const tenant = await createTenant({ plan: 'enterprise', limitOverrides: { users: null } });
    const answers: Answer[] = [];
    const acknowledged: string[] = [];
    let running = true;
    const loop = async (worker: number) => {
      for (let i = 0; running; i += 1) {
        const email = `${unique(`cognito-fault-${worker}-${i}`)}@example.test`;
        const started = Date.now();
        const response = await call('POST', `/v1/tenants/${tenant.id}/users`, {
          token: tenant.owner.token,
          body: { email, role: 'member' },
        });
        answers.push({ status: response.status, ms: Date.now() - started, response });
        if (response.status === 201) acknowledged.push(email);
        if (response.status >= 500) await pause(200);
      }
    };
    const loops = Array.from({ length: 4 }, (_, worker) => loop(worker));
    await pause(1_000);
    await fault('cognito', 'pause');
    await pause(12_000);
    await fault('cognito', 'resume');
    await pause(1_000);
    const before = (await fault('cognito', 'ready')).cognito.restarts;
    await fault('cognito', 'crash');
    await pause(1_500);
    expect((await fault('cognito', 'ready')).cognito.restarts).toBe(before + 1);
    await pause(2_000);
    running = false;
    await Promise.all(loops);

    expectWellFormed(answers);
    const unavailable = answers.filter((answer) => answer.status === 503);
    expect(unavailable.length).toBeGreaterThan(0);
    expect(Math.max(...unavailable.map((answer) => answer.ms))).toBeLessThan(15_000);
    // Positive control: served before, between and after the faults.
    expect(answers.slice(-4).some((answer) => answer.status === 201)).toBe(true);
    // Every acknowledged invitation is a member of the tenant with a sign-in in the directory.
    const listed = new Set<string>();
    let cursor: string | null = null;
    do {
      const page: ApiResponse<{ items: Array<{ email: string }>; nextCursor: string | null }> = await call(
        'GET',
        `/v1/tenants/${tenant.id}/users?limit=100&status=invited${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        { token: tenant.owner.token },
      );
      expect(page.status, page.text).toBe(200);
      for (const member of page.body.items) listed.add(member.email);
      cursor = page.body.nextCursor;
    } while (cursor);
    for (const email of acknowledged) {
      expect(listed.has(email), email).toBe(true);
      const person = await cognito.send(
        new AdminGetUserCommand({ UserPoolId: twin.userPoolId, Username: email }),
      );
      expect(person.Enabled, email).toBe(true);
    }
  });

  it('answers a webhook test or resend asked while DynamoDB is paused with 503 in time and sends nothing; asked together, each acknowledged one is sent and logged once', async () => {
    const receiver = new Receiver();
    await receiver.start();
    try {
      const tenant = await createTenant({ plan: 'professional' });
      const hook = await call<{ id: string }>('POST', `/v1/tenants/${tenant.id}/webhooks`, {
        token: tenant.owner.token,
        body: { url: `${receiver.url}/hook`, events: ['tenant.reactivated'] },
      });
      expect(hook.status, hook.text).toBe(201);
      const base = `/v1/tenants/${tenant.id}/webhooks/${hook.body.id}`;
      const deliveryId = await loggedDelivery(tenant, hook.body.id);
      expect(await receiver.until('/hook', 1)).toHaveLength(1);
      const timed = async (path: string): Promise<Answer> => {
        const started = Date.now();
        const response = await call('POST', path, { token: tenant.owner.token, body: {} });
        return { status: response.status, ms: Date.now() - started, response };
      };

      await fault('dynamodb', 'pause');
      const refused = await Promise.all([
        timed(`${base}/test`),
        timed(`${base}/deliveries/${deliveryId}/retry`),
      ]);
      await fault('dynamodb', 'resume');
      await fault('dynamodb', 'ready');
      expectWellFormed(refused);
      expect(refused.map((answer) => answer.status)).toEqual([503, 503]);
      // What was refused is not sent later either.
      await pause(2_000);
      expect(receiver.at('/hook')).toHaveLength(1);

      // Four tests and four resends of the same attempt at once: each acknowledged one is sent once.
      const asked = await Promise.all([
        ...Array.from({ length: 4 }, () => timed(`${base}/test`)),
        ...Array.from({ length: 4 }, () => timed(`${base}/deliveries/${deliveryId}/retry`)),
      ]);
      expectWellFormed(asked);
      expect(asked.map((answer) => answer.status)).toEqual(Array(8).fill(202));
      const received = await receiver.until('/hook', 9, 20_000);
      await pause(1_000);
      expect(receiver.at('/hook')).toHaveLength(9);
      // The resends carry the first attempt's webhook-id; each test an id of its own.
      const ids = received.map((entry) => String(entry.headers['webhook-id']));
      const resent = (asked[4]?.response.body as { eventId: string }).eventId;
      expect(ids.filter((id) => id === resent)).toHaveLength(5);
      expect(new Set(ids.filter((id) => id !== resent)).size).toBe(4);
      // And the log holds each attempt once: the first test, four tests and four resends.
      const deadline = Date.now() + 10_000;
      let log: ApiResponse<{ items: Array<{ trigger: string }> }>;
      do {
        log = await call('GET', `${base}/deliveries?limit=50`, { token: tenant.owner.token });
        if ((log.body.items ?? []).length >= 9) break;
        await pause(200);
      } while (Date.now() < deadline);
      expect(log.body.items.map((item) => item.trigger).sort()).toEqual([
        ...Array(4).fill('retry'),
        ...Array(5).fill('test'),
      ]);
    } finally {
      await receiver.stop();
    }
  });

  it('checks a custom domain against a silent or restarting DNS server and a paused DynamoDB: in time, saying so, moving nothing; racing checks move it once', async () => {
    const tenant = await createTenant({ plan: 'professional' });
    interface Domain {
      state: string;
      verification: { name: string; value: string };
      findings: { txt: { error: string | null }; actions: string[] } | null;
    }
    const add = async (domain: string) => {
      const added = await call<Domain>('POST', `/v1/tenants/${tenant.id}/domains`, {
        token: tenant.owner.token,
        body: { domain },
      });
      expect(added.status, added.text).toBe(201);
      addRecord(twin.dnsRecordsFile, { type: 'TXT', ...added.body.verification });
      addRecord(twin.dnsRecordsFile, { type: 'CNAME', name: domain, value: 'localhost' });
    };
    const check = async (domain: string): Promise<Answer> => {
      const started = Date.now();
      const response = await call('POST', `/v1/tenants/${tenant.id}/domains/${domain}/check`, {
        token: tenant.owner.token,
        body: {},
      });
      return { status: response.status, ms: Date.now() - started, response };
    };
    const domain = `faults-${unique('d').toLowerCase()}.example`;
    await add(domain);
    expect(((await check(domain)).response.body as unknown as Domain).state).toBe('active');

    // A silent server: the check answers within its DNS deadline, reports the lookup as failed, and a
    // DNS outage is not a missing record (the domain stays active, not at risk).
    await fault('dns', 'pause');
    const silent = await check(domain);
    await fault('dns', 'resume');
    expectWellFormed([silent]);
    expect(silent.status, silent.response.text).toBe(200);
    expect(silent.ms).toBeLessThan(15_000);
    const seen = silent.response.body as unknown as Domain;
    expect(seen.state).toBe('active');
    expect(seen.findings?.txt.error).toContain('ETIMEOUT');
    expect(seen.findings?.actions.join(' ')).toContain('it is retried');
    // A server that went away and comes back: the checks meanwhile move nothing; after, all is well.
    await fault('dns', 'crash');
    const during = await check(domain);
    expectWellFormed([during]);
    expect((during.response.body as unknown as Domain).state).toBe('active');
    await fault('dns', 'ready');
    const after = await check(domain);
    expect((after.response.body as unknown as Domain).findings?.txt.error).toBeNull();

    // DynamoDB paused: 503 problem+json in time, and nothing half-done afterwards.
    await fault('dynamodb', 'pause');
    const refused = await check(domain);
    await fault('dynamodb', 'resume');
    await fault('dynamodb', 'ready');
    expectWellFormed([refused]);
    expect(refused.status).toBe(503);
    expect(((await check(domain)).response.body as unknown as Domain).state).toBe('active');

    // Six checks of a new domain at once: verified once, activated once, each answer the same state.
    const raced = `race-${unique('d').toLowerCase()}.example`;
    await add(raced);
    const answers = await Promise.all(Array.from({ length: 6 }, () => check(raced)));
    expectWellFormed(answers);
    expect(answers.map((answer) => answer.status)).toEqual(Array(6).fill(200));
    expect(((await check(raced)).response.body as unknown as Domain).state).toBe('active');
    const moves = (await storedAuditEvents(tenant.id))
      .filter((event) => event.targetId === raced)
      .map((event) => event.action)
      .sort();
    expect(moves).toEqual(['domain.activated', 'domain.added', 'domain.provisioning', 'domain.verified']);
  });

  it('answers 503 with Retry-After and a detail of its own when Stripe is down, hangs or is gone', async () => {
    const tenant = await createTenant({ plan: 'free' });
    // Down (503s), hung (20 s), and gone (every connection cut).
    for (const outage of [{ down: true }, { down: true, delayMs: 20_000 }, { down: true, refuse: true }]) {
      await stripeOutage(outage);
      const started = Date.now();
      const checkout = await call('POST', `/v1/tenants/${tenant.id}/billing/checkout`, {
        token: tenant.owner.token,
        body: { plan: 'starter' },
      });
      const ms = Date.now() - started;
      expectWellFormed([{ status: checkout.status, ms, response: checkout }]);
      expect(checkout.status, checkout.text).toBe(503);
      // Within the function's 10 s, even when Stripe hangs for 20 s.
      expect(ms).toBeLessThan(10_000);
      expect(checkout.text).not.toContain('stand-in');
      expect(checkout.text).not.toContain('outage');
      await stripeOutage({ down: false });
    }
    // Positive control: Stripe back, the same request goes through.
    const checkout = await call('POST', `/v1/tenants/${tenant.id}/billing/checkout`, {
      token: tenant.owner.token,
      body: { plan: 'starter' },
    });
    expect(checkout.status, checkout.text).toBe(201);
  });
});
