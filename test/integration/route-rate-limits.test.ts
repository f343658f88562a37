import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { RATE_POLICIES } from '../../shared/model/rate-policies';
import { adminToken, call, createTenant, table, twin, unique, type TestTenant } from '../helpers/twin-api';

/**
 * Per-route rate limits: a route names a rate policy in the manifest (`rateLimit`), whose calls a
 * minute per tenant and plan are counted in the tenant's own minute window, by the same conditional
 * write. Each answer names every policy that applies in `RateLimit-Policy` and `RateLimit`.
 */

const FREE_RUN_STARTS = RATE_POLICIES['run-starts'].perMinute.free;

async function agentOf(tenant: TestTenant): Promise<string> {
  const made = await call<{ id: string }>('POST', `/v1/tenants/${tenant.id}/agents`, {
    token: tenant.owner.token,
    body: { name: 'Limited agent', model: 'claude-sonnet' },
  });
  expect(made.status, made.text).toBe(201);
  return made.body.id;
}

const startRun = (tenant: TestTenant, agentId: string, at: Date) =>
  call<{ id: string; code?: string; policy?: string }>(
    'POST',
    `/v1/tenants/${tenant.id}/agents/${agentId}/runs`,
    { token: tenant.owner.token, body: {}, at },
  );

/** A month's counter of the tenant, as the metering writes left it (the API calls' carries the minute). */
async function counter(tenant: TestTenant, resource: string, at: Date): Promise<Record<string, unknown>> {
  const stored = await table.send(
    new GetCommand({
      TableName: twin.tableName,
      Key: { pk: `TENANT#${tenant.id}`, sk: `QUOTA#${resource}#${at.toISOString().slice(0, 7)}` },
      ConsistentRead: true,
    }),
  );
  return stored.Item ?? {};
}
const window = (tenant: TestTenant, at: Date) => counter(tenant, 'apiCalls', at);
const runsUsed = async (tenant: TestTenant, at: Date) => (await counter(tenant, 'runs', at)).used;

describe('per-route rate limits', () => {
  it('admits a route’s calls up to its policy in a minute, names both policies, and refuses the next with 429 naming the route’s, while other routes go on', async () => {
    const tenant = await createTenant({ plan: 'free' });
    const agentId = await agentOf(tenant);
    const at = new Date('2033-02-03T10:15:20.000Z');
    const answers = [];
    for (let index = 0; index <= FREE_RUN_STARTS; index += 1)
      answers.push(await startRun(tenant, agentId, at));
    expect(answers.map((answer) => answer.status)).toEqual([...Array(FREE_RUN_STARTS).fill(201), 429]);
    const first = answers[0]!;
    expect(first.headers.get('ratelimit-policy')).toBe(
      `"tenant";q=60;w=60, "run-starts";q=${FREE_RUN_STARTS};w=60`,
    );
    expect(first.headers.get('ratelimit')).toBe(
      `"tenant";r=59;t=40, "run-starts";r=${FREE_RUN_STARTS - 1};t=40`,
    );
    // The legacy trio describes the policy with the least left: the route's.
    expect(first.headers.get('ratelimit-limit')).toBe(String(FREE_RUN_STARTS));
    expect(first.headers.get('ratelimit-remaining')).toBe(String(FREE_RUN_STARTS - 1));
    const refused = answers[FREE_RUN_STARTS]!;
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(refused.body).toMatchObject({
      code: 'rate_limited',
      policy: 'run-starts',
      limit: FREE_RUN_STARTS,
    });
    expect(refused.headers.get('retry-after')).toBe('40');
    expect(refused.headers.get('ratelimit')).toBe(
      `"tenant";r=${60 - FREE_RUN_STARTS};t=40, "run-starts";r=0;t=40`,
    );
    // The refused start wrote nothing: no run, no unit of the month's runs, no API call counted.
    expect(await runsUsed(tenant, at)).toBe(FREE_RUN_STARTS);
    const listed = await call<{ items: unknown[] }>('GET', `/v1/tenants/${tenant.id}/runs`, {
      token: tenant.owner.token,
      at,
    });
    expect(listed.status, listed.text).toBe(200);
    expect(listed.body.items).toHaveLength(FREE_RUN_STARTS);
    // A route without a policy goes on in the same minute, under the tenant's policy alone.
    expect(listed.headers.get('ratelimit-policy')).toBe('"tenant";q=60;w=60');
    // The route's calls counted in the tenant's window too: the agent, the starts and the list.
    const counted = await window(tenant, at);
    expect(counted['rateWindow_run-starts']).toBe(FREE_RUN_STARTS);
    // The next minute is a new window for the route's policy as for the tenant's.
    const next = await startRun(tenant, agentId, new Date('2033-02-03T10:16:05.000Z'));
    expect(next.status, next.text).toBe(201);
    expect(next.headers.get('ratelimit')).toBe(
      `"tenant";r=59;t=55, "run-starts";r=${FREE_RUN_STARTS - 1};t=55`,
    );
    const opened = await window(tenant, new Date('2033-02-03T10:16:05.000Z'));
    expect(opened).toMatchObject({
      windowMinute: '2033-02-03T10:16',
      windowCount: 1,
      'rateWindow_run-starts': 1,
    });
  });

  it('admits exactly the policy’s calls of a minute when they race, and gives the refused ones’ run units back', async () => {
    const tenant = await createTenant({ plan: 'free' });
    const agentId = await agentOf(tenant);
    const at = new Date('2033-02-04T09:00:01.000Z');
    const answers = await Promise.all(Array.from({ length: 30 }, () => startRun(tenant, agentId, at)));
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 201)).toHaveLength(FREE_RUN_STARTS);
    expect(statuses.filter((status) => status === 429)).toHaveLength(30 - FREE_RUN_STARTS);
    for (const answer of answers.filter((one) => one.status === 429)) {
      expect(answer.body).toMatchObject({ code: 'rate_limited', policy: 'run-starts' });
    }
    expect(await runsUsed(tenant, at)).toBe(FREE_RUN_STARTS);
    expect((await window(tenant, at))['rateWindow_run-starts']).toBe(FREE_RUN_STARTS);
  });

  it('refuses under the tenant’s own policy first when it is the tighter, in the same write', async () => {
    const tenant = await createTenant({ plan: 'free', limitOverrides: { requestsPerMinute: 5 } });
    const at = new Date('2033-02-05T11:30:00.000Z');
    // Creating the agent is the minute's first call; four starts reach the tenant's five.
    const made = await call<{ id: string }>('POST', `/v1/tenants/${tenant.id}/agents`, {
      token: tenant.owner.token,
      body: { name: 'Tight agent', model: 'claude-sonnet' },
      at,
    });
    expect(made.status, made.text).toBe(201);
    const answers = [];
    for (let index = 0; index < 5; index += 1) answers.push(await startRun(tenant, made.body.id, at));
    expect(answers.map((answer) => answer.status)).toEqual([201, 201, 201, 201, 429]);
    expect(answers[3]!.headers.get('ratelimit-limit')).toBe('5');
    expect(answers[3]!.headers.get('ratelimit-remaining')).toBe('0');
    expect(answers[4]!.body).toMatchObject({ code: 'rate_limited', policy: 'tenant', limit: 5 });
    expect(answers[4]!.headers.get('ratelimit')).toBe(
      `"tenant";r=0;t=60, "run-starts";r=${FREE_RUN_STARTS - 4};t=60`,
    );
  });

  it('counts every route naming a policy in its one window: invitations sent and resent', async () => {
    const tenant = await createTenant({ plan: 'free', limitOverrides: { users: null } });
    const limit = RATE_POLICIES.invitations.perMinute.free;
    const at = new Date('2033-02-06T08:00:00.000Z');
    const invite = () =>
      call<{ id: string }>('POST', `/v1/tenants/${tenant.id}/users`, {
        token: tenant.owner.token,
        body: { email: `${unique('invitee')}@example.test`, role: 'member' },
        at,
      });
    const first = await invite();
    expect(first.status, first.text).toBe(201);
    for (let index = 1; index < limit - 1; index += 1) expect((await invite()).status).toBe(201);
    // The policy's last call of the minute is a resend; the next invitation is refused.
    const resent = await call('POST', `/v1/tenants/${tenant.id}/users/${first.body.id}/resend-invitation`, {
      token: tenant.owner.token,
      at,
    });
    expect(resent.status, resent.text).toBe(200);
    expect(resent.headers.get('ratelimit')).toContain('"invitations";r=0;');
    const refused = await invite();
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ code: 'rate_limited', policy: 'invitations' });
    // Nobody was invited by the refused call.
    const members = await call<{ items: unknown[] }>('GET', `/v1/tenants/${tenant.id}/users`, {
      token: tenant.owner.token,
      at,
    });
    expect(members.body.items).toHaveLength(limit - 1 + 1);
  });

  it('shows each plan’s route policies in the plan catalogue', async () => {
    const plans = await call<{ items: Array<{ id: string; ratePolicies: Record<string, number | null> }> }>(
      'GET',
      '/v1/plans',
    );
    expect(plans.status, plans.text).toBe(200);
    for (const plan of plans.body.items) {
      expect(plan.ratePolicies, plan.id).toEqual({
        'run-starts': RATE_POLICIES['run-starts'].perMinute[plan.id as 'free'],
        invitations: RATE_POLICIES.invitations.perMinute[plan.id as 'free'],
      });
    }
    expect(plans.body.items.find((plan) => plan.id === 'starter')?.ratePolicies['run-starts']).toBe(60);
  });

  it('leaves a plan with no limit of its own under the tenant’s alone, and a platform admin unmetered', async () => {
    const tenant = await createTenant({ plan: 'enterprise' });
    const agentId = await agentOf(tenant);
    const at = new Date('2033-02-07T12:00:00.000Z');
    const started = await startRun(tenant, agentId, at);
    expect(started.status, started.text).toBe(201);
    // Enterprise has no requests-a-minute limit and no run-start limit: no policy to name.
    expect(started.headers.get('ratelimit-policy')).toBeNull();
    const free = await createTenant({ plan: 'free' });
    const freeAgent = await agentOf(free);
    const admin = await adminToken();
    for (let index = 0; index <= FREE_RUN_STARTS; index += 1) {
      const byAdmin = await call('POST', `/v1/tenants/${free.id}/agents/${freeAgent}/runs`, {
        token: admin,
        body: {},
        at,
      });
      expect(byAdmin.status, byAdmin.text).toBe(201);
    }
    // The owner, in the same minute, still has the whole of the policy.
    const owner = await startRun(free, freeAgent, at);
    expect(owner.status, owner.text).toBe(201);
    expect(owner.headers.get('ratelimit')).toContain(`"run-starts";r=${FREE_RUN_STARTS - 1};`);
  });
});
