import { PLANS } from '../../shared/model/plans';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { QuotaCounterEntity, STANDING_PERIOD } from '../../shared/data/entities/quota-counter';
import { QuotaEventEntity } from '../../shared/data/entities/quota-event';
import { tenantDocumentClient } from '../../shared/data/clients';
import { writeTransaction } from '../../shared/data/transactions';
import { consumePeriodic } from '../../shared/quotas/periodic-quota';
import { meterRequest } from '../../shared/quotas/request-metering';
import { takeCounted } from '../../shared/quotas/counted-quota';
import { SETTLE_AFTER_MS, settleStaleTakes } from '../../shared/quotas/quota-takes';
import { runWithTenantContext } from '../../shared/context/tenant-context';
import { ownerContext } from '../helpers/tenant-context';
import { adminToken, call, countItems, createTenant, type TestTenant } from '../helpers/twin-api';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..');

async function counter(tenantId: string, resource: string, period: string): Promise<number> {
  const ctx = ownerContext(tenantId, 'usr_x', 'professional');
  const result = await runWithTenantContext(ctx, () =>
    QuotaCounterEntity.get({ tenantId, resource: resource as 'runs', period }).go({ consistent: true }),
  );
  return result.data?.used ?? 0;
}

/** The takes of a monthly resource still pending on its counter (none once every request ended). */
async function pendingTakes(tenantId: string, resource: 'runs', period: string): Promise<number> {
  const ctx = ownerContext(tenantId, 'usr_x', 'professional');
  const result = await runWithTenantContext(ctx, () =>
    QuotaCounterEntity.get({ tenantId, resource, period }).go({ consistent: true }),
  );
  return result.data?.pending?.length ?? 0;
}

/** Runs `count` concurrent invocations in each of `instances` separate handler processes. */
/** When the races happen, as API Gateway would stamp it: a month the tests know. */
const RACE_AT = new Date('2032-02-29T12:00:00.000Z');

async function race(
  instances: number,
  count: number,
  args: {
    fn: string;
    routeKey: string;
    path: string;
    tenant: TestTenant;
    params: Record<string, string>;
    body?: unknown;
  },
): Promise<Record<string, number>> {
  const outputs = await Promise.all(
    Array.from({ length: instances }, () =>
      run(
        join(ROOT, 'node_modules', '.bin', 'tsx'),
        [
          join(ROOT, 'test', 'helpers', 'race-worker.ts'),
          args.fn,
          args.routeKey,
          args.path,
          args.tenant.id,
          args.tenant.owner.id,
          String(count),
          JSON.stringify(args.params),
          ...(args.body === undefined ? [] : [JSON.stringify(args.body)]),
        ],
        { env: { ...process.env, RACE_AT: RACE_AT.toISOString() }, cwd: ROOT },
      ),
    ),
  );
  const totals: Record<string, number> = {};
  for (const { stdout } of outputs) {
    const line = stdout.trim().split('\n').at(-1) ?? '{}';
    for (const [status, n] of Object.entries(JSON.parse(line) as Record<string, number>))
      totals[status] = (totals[status] ?? 0) + n;
  }
  return totals;
}

async function newAgent(tenant: TestTenant, name = 'Agent'): Promise<string> {
  const response = await call<{ id: string }>('POST', `/v1/tenants/${tenant.id}/agents`, {
    token: tenant.owner.token,
    body: { name, model: 'claude-sonnet' },
  });
  expect(response.status).toBe(201);
  return response.body.id;
}

describe('quotas on the free plan', () => {
  it('stops agent creation at the limit with a problem naming resource, limit, use and upgrade', async () => {
    const tenant = await createTenant({ plan: 'free' });
    const limit = PLANS.free.limits.agents ?? 0;
    for (let n = 1; n <= limit; n += 1) await newAgent(tenant, `agent ${n}`);
    const refused = await call('POST', `/v1/tenants/${tenant.id}/agents`, {
      token: tenant.owner.token,
      body: { name: 'one too many', model: 'claude-sonnet' },
    });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('content-type')).toBe('application/problem+json');
    expect(refused.body).toMatchObject({
      code: 'quota_exceeded',
      resource: 'agents',
      limit,
      used: limit,
      plan: 'free',
      upgrade: { plan: 'starter', limit: PLANS.starter.limits.agents },
    });
    expect(await countItems(tenant.id, 'AGENT#')).toBe(limit);
  });

  it('applies a plan upgrade on the next request', async () => {
    const tenant = await createTenant({ plan: 'free' });
    for (let n = 0; n < (PLANS.free.limits.agents ?? 0); n += 1) await newAgent(tenant);
    const body = { name: 'one more', model: 'claude-sonnet' };
    expect(
      (await call('POST', `/v1/tenants/${tenant.id}/agents`, { token: tenant.owner.token, body })).status,
    ).toBe(403);
    const upgraded = await call('PUT', `/v1/tenants/${tenant.id}/plan`, {
      token: await adminToken(),
      body: { plan: 'starter' },
    });
    expect(upgraded.status).toBe(200);
    expect(
      (await call('POST', `/v1/tenants/${tenant.id}/agents`, { token: tenant.owner.token, body })).status,
    ).toBe(201);
  });

  it('counts invitations against users', async () => {
    const tenant = await createTenant({ plan: 'free' });
    for (const n of [1, 2]) {
      const invited = await call('POST', `/v1/tenants/${tenant.id}/users`, {
        token: tenant.owner.token,
        body: { email: `invitee-${n}-${tenant.slug}@example.test`, role: 'viewer' },
      });
      expect(invited.status).toBe(201);
    }
    const refused = await call('POST', `/v1/tenants/${tenant.id}/users`, {
      token: tenant.owner.token,
      body: { email: `invitee-3-${tenant.slug}@example.test`, role: 'viewer' },
    });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: 'quota_exceeded', resource: 'users', limit: 3, used: 3 });
  });

  it('refuses the audit export to a plan without the feature', async () => {
    const free = await createTenant({ plan: 'free' });
    const refused = await call('GET', `/v1/tenants/${free.id}/audit-logs/export`, {
      token: free.owner.token,
    });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: 'feature_not_in_plan', feature: 'auditExport' });
    const pro = await createTenant({ plan: 'professional' });
    const exported = await call('GET', `/v1/tenants/${pro.id}/audit-logs/export`, { token: pro.owner.token });
    expect(exported.status).toBe(200);
    expect(exported.headers.get('content-type')).toBe('application/x-ndjson');
    expect(
      exported.text
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { action: string })[0],
    ).toMatchObject({
      action: 'tenant.created',
    });
  });
});

describe('giving quota back', () => {
  it('returns exactly one agent on delete', async () => {
    const tenant = await createTenant({ plan: 'free' });
    const agentId = await newAgent(tenant);
    expect(await counter(tenant.id, 'agents', STANDING_PERIOD)).toBe(1);
    expect(
      (await call('DELETE', `/v1/tenants/${tenant.id}/agents/${agentId}`, { token: tenant.owner.token }))
        .status,
    ).toBe(204);
    expect(await counter(tenant.id, 'agents', STANDING_PERIOD)).toBe(0);
    expect(
      (await call('DELETE', `/v1/tenants/${tenant.id}/agents/${agentId}`, { token: tenant.owner.token }))
        .status,
    ).toBe(404);
    expect(await counter(tenant.id, 'agents', STANDING_PERIOD)).toBe(0);
  });

  it('returns exactly the bytes of a memory item on delete', async () => {
    const tenant = await createTenant();
    const agentId = await newAgent(tenant);
    const content = { note: 'é'.repeat(100), list: [1, 2, 3] };
    const created = await call<{ id: string; sizeBytes: number }>(
      'POST',
      `/v1/tenants/${tenant.id}/agents/${agentId}/memory`,
      {
        token: tenant.owner.token,
        body: { kind: 'json', content },
      },
    );
    expect(created.status).toBe(201);
    expect(created.body.sizeBytes).toBe(Buffer.byteLength(JSON.stringify(content)));
    const text = await call<{ id: string; sizeBytes: number }>(
      'POST',
      `/v1/tenants/${tenant.id}/agents/${agentId}/memory`,
      {
        token: tenant.owner.token,
        body: { kind: 'text', content: 'hello' },
      },
    );
    expect(await counter(tenant.id, 'storageBytes', STANDING_PERIOD)).toBe(created.body.sizeBytes + 5);
    await call('DELETE', `/v1/tenants/${tenant.id}/agents/${agentId}/memory/${created.body.id}`, {
      token: tenant.owner.token,
    });
    expect(await counter(tenant.id, 'storageBytes', STANDING_PERIOD)).toBe(text.body.sizeBytes);
  });

  it('refuses a memory item larger than the storage limit and stores nothing', async () => {
    const tenant = await createTenant({ plan: 'free', limitOverrides: { storageBytes: 100 } });
    const agentId = await newAgent(tenant);
    const refused = await call('POST', `/v1/tenants/${tenant.id}/agents/${agentId}/memory`, {
      token: tenant.owner.token,
      body: { kind: 'text', content: 'x'.repeat(101) },
    });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ resource: 'storageBytes', limit: 100 });
    expect(await countItems(tenant.id, 'MEMORY#')).toBe(0);
  });

  it('stores no memory and takes no storage for an agent that does not exist', async () => {
    const tenant = await createTenant();
    const response = await call(
      'POST',
      `/v1/tenants/${tenant.id}/agents/agt_01AAAAAAAAAAAAAAAAAAAAAAAA/memory`,
      {
        token: tenant.owner.token,
        body: { kind: 'text', content: 'orphan' },
      },
    );
    expect(response.status).toBe(404);
    expect(response.body).toMatchObject({ code: 'agent_not_found' });
    expect(await counter(tenant.id, 'storageBytes', STANDING_PERIOD)).toBe(0);
    expect(await countItems(tenant.id, 'MEMORY#')).toBe(0);
  });

  it('gives a run back when the start fails (unknown agent)', async () => {
    const tenant = await createTenant();
    const at = new Date('2032-04-30T23:59:59.000Z');
    const missing = await call(
      'POST',
      `/v1/tenants/${tenant.id}/agents/agt_01AAAAAAAAAAAAAAAAAAAAAAAA/runs`,
      { token: tenant.owner.token, body: {}, at },
    );
    expect(missing.status).toBe(404);
    expect(await counter(tenant.id, 'runs', '2032-04')).toBe(0);
    expect(await pendingTakes(tenant.id, 'runs', '2032-04')).toBe(0);
  });
});

describe('races', () => {
  it('admits exactly 50 of 200 concurrent run starts across 4 handler instances', async () => {
    // Enterprise: unlimited but for the override, and no grace overage, so the ceiling is exactly 50.
    const tenant = await createTenant({ plan: 'enterprise', limitOverrides: { runs: 50 } });
    const agentId = await newAgent(tenant);
    const args = {
      fn: 'runs',
      routeKey: 'POST /v1/tenants/{tenantId}/agents/{agentId}/runs',
      path: `/v1/tenants/${tenant.id}/agents/${agentId}/runs`,
      tenant,
      params: { tenantId: tenant.id, agentId },
      body: {},
    };
    const totals = await race(4, 50, args);
    // Each is admitted, refused over the quota (429), or shed while the machine is overloaded (503,
    // in the budget's time); never admitted past the ceiling.
    expect(Object.keys(totals).sort()).toEqual(expect.arrayContaining(['201', '429']));
    expect(Object.keys(totals).every((status) => ['201', '429', '503'].includes(status))).toBe(true);
    expect((totals['201'] ?? 0) + (totals['429'] ?? 0) + (totals['503'] ?? 0)).toBe(200);
    expect(totals['201']).toBeLessThanOrEqual(50);
    // A client sends a shed request again: then the ceiling is reached exactly, whatever the load (a
    // shed start that committed before its answer was lost holds its unit, and its run exists).
    let admitted = totals['201'] ?? 0;
    for (let shed = totals['503'] ?? 0, round = 0; shed > 0 && round < 5; round += 1) {
      const again = await race(1, shed, args);
      admitted += again['201'] ?? 0;
      shed = again['503'] ?? 0;
    }
    expect(admitted).toBeLessThanOrEqual(50);
    expect(await counter(tenant.id, 'runs', '2032-02')).toBe(50);
    expect(await countItems(tenant.id, 'RUN#')).toBe(50);
    // Each take is settled as its request ends. On a busy machine a request can run out of time
    // before settling (its run committed, its take still pending): once the settle window has
    // passed, the next take or the daily reconciliation settles it against its receipt, here kept.
    const ctx = ownerContext(tenant.id, tenant.owner.id, 'enterprise', { runs: 50 });
    const pending = await runWithTenantContext(ctx, () =>
      QuotaCounterEntity.get({ tenantId: tenant.id, resource: 'runs', period: '2032-02' }).go({
        consistent: true,
      }),
    );
    const settled = await runWithTenantContext(ctx, () =>
      settleStaleTakes(
        ctx,
        { resource: 'runs', period: '2032-02', pending: pending.data?.pending },
        new Date(RACE_AT.getTime() + SETTLE_AFTER_MS + 1_000),
      ),
    );
    expect(settled.givenBack).toBe(0);
    expect(await pendingTakes(tenant.id, 'runs', '2032-02')).toBe(0);
    expect(await counter(tenant.id, 'runs', '2032-02')).toBe(50);
  });

  it('keeps agent items equal to the counter under 60 concurrent creates against a limit of 10', async () => {
    const tenant = await createTenant({ limitOverrides: { agents: 10, requestsPerMinute: null } });
    const totals = await race(3, 20, {
      fn: 'agents',
      routeKey: 'POST /v1/tenants/{tenantId}/agents',
      path: `/v1/tenants/${tenant.id}/agents`,
      tenant,
      params: { tenantId: tenant.id },
      body: { name: 'racer', model: 'claude-haiku' },
    });
    expect(totals['201']).toBe(10);
    expect(await countItems(tenant.id, 'AGENT#')).toBe(10);
    expect(await counter(tenant.id, 'agents', STANDING_PERIOD)).toBe(10);
  });

  it('emits each threshold event exactly once under concurrency', async () => {
    const tenant = await createTenant({ limitOverrides: { runs: 20 } });
    const ctx = ownerContext(tenant.id, tenant.owner.id, 'professional', { runs: 20 });
    const now = new Date('2031-03-15T12:00:00.000Z');
    const results = await Promise.allSettled(
      Array.from({ length: 40 }, () => runWithTenantContext(ctx, () => consumePeriodic(ctx, 'runs', 1, now))),
    );
    // Professional has a 20 % grace: the ceiling is 24.
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(24);
    const events = await runWithTenantContext(ctx, () =>
      QuotaEventEntity.query.byTenant({ tenantId: tenant.id, period: '2031-03' }).go({ pages: 'all' }),
    );
    expect(events.data.map((event) => event.threshold).sort((a, b) => a - b)).toEqual([80, 90, 95]);
    expect(events.data.find((event) => event.threshold === 80)).toMatchObject({
      used: 16,
      limit: 20,
      publishedTo: 'kept-locally',
    });
  });
});

describe('periods and retries', () => {
  it('puts consumption at 23:59:59.999 and at 00:00:00.000 on the first into their own months', async () => {
    const tenant = await createTenant();
    const ctx = ownerContext(tenant.id, tenant.owner.id, 'professional');
    await runWithTenantContext(ctx, async () => {
      await consumePeriodic(ctx, 'tokens', 7, new Date('2030-01-31T23:59:59.999Z'));
      await consumePeriodic(ctx, 'tokens', 11, new Date('2030-02-01T00:00:00.000Z'));
    });
    expect(await counter(tenant.id, 'tokens', '2030-01')).toBe(7);
    expect(await counter(tenant.id, 'tokens', '2030-02')).toBe(11);
    const usage = await call<{ resources: { tokens: { series: Array<{ start: string; used: number }> } } }>(
      'GET',
      `/v1/tenants/${tenant.id}/usage?resource=tokens&granularity=hour&from=2030-01-31T23:00:00Z&to=2030-02-01T00:59:59Z`,
      { token: tenant.owner.token },
    );
    expect(usage.body.resources.tokens.series).toEqual([
      { start: '2030-01-31T23:00:00.000Z', used: 7 },
      { start: '2030-02-01T00:00:00.000Z', used: 11 },
    ]);
  });

  it('counts a transaction retried with the same ClientRequestToken once', async () => {
    const tenant = await createTenant();
    const ctx = ownerContext(tenant.id, tenant.owner.id, 'professional');
    const now = new Date();
    const write = () =>
      writeTransaction(
        tenantDocumentClient,
        ({ quotaCounter }) => ({ quota: takeCounted(quotaCounter, ctx, 'storageBytes', 500, now) }),
        {},
        'retry-token-1',
      );
    await runWithTenantContext(ctx, async () => {
      await write();
      await write();
    });
    expect(await counter(tenant.id, 'storageBytes', STANDING_PERIOD)).toBe(500);
  });

  it('replays a POST with the same Idempotency-Key without counting it twice', async () => {
    const tenant = await createTenant();
    const headers = { 'idempotency-key': `create-${tenant.slug}` };
    const body = { name: 'once', model: 'claude-sonnet' };
    const first = await call<{ id: string }>('POST', `/v1/tenants/${tenant.id}/agents`, {
      token: tenant.owner.token,
      body,
      headers,
    });
    const second = await call<{ id: string }>('POST', `/v1/tenants/${tenant.id}/agents`, {
      token: tenant.owner.token,
      body,
      headers,
    });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body.id).toBe(first.body.id);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    // The first answer's rate-limit headers described its own minute: a replay does not repeat them.
    expect(first.headers.get('ratelimit-remaining')).not.toBeNull();
    expect(second.headers.get('ratelimit-remaining')).toBeNull();
    expect(second.headers.get('ratelimit-limit')).toBeNull();
    expect(await counter(tenant.id, 'agents', STANDING_PERIOD)).toBe(1);
    expect(await countItems(tenant.id, 'AGENT#')).toBe(1);
    const reused = await call('POST', `/v1/tenants/${tenant.id}/agents`, {
      token: tenant.owner.token,
      body: { ...body, name: 'other' },
      headers,
    });
    expect(reused.status).toBe(422);
  });
});

describe('rate limit', () => {
  it('answers 429 with Retry-After and RateLimit headers past the per-minute limit', async () => {
    const tenant = await createTenant({ limitOverrides: { requestsPerMinute: 5 } });
    const ctx = ownerContext(tenant.id, tenant.owner.id, 'professional', { requestsPerMinute: 5 });
    const now = new Date('2031-05-05T10:20:30.000Z');
    const states = await runWithTenantContext(ctx, async () => {
      const seen = [];
      for (let i = 0; i < 5; i += 1) seen.push(await meterRequest(ctx, now));
      return seen;
    });
    expect(states.map((state) => state.remaining)).toEqual([4, 3, 2, 1, 0]);
    const refused = await runWithTenantContext(ctx, () => meterRequest(ctx, now)).catch(
      (error: unknown) => error,
    );
    // The minute's state rides on the error; the HTTP layer answers it as RateLimit-* headers.
    expect(refused).toMatchObject({
      statusCode: 429,
      code: 'rate_limited',
      headers: { 'Retry-After': '30' },
      rateLimit: { limit: 5, remaining: 0, resetSeconds: 30 },
    });
    // The next minute is a new window.
    const next = await runWithTenantContext(ctx, () =>
      meterRequest(ctx, new Date('2031-05-05T10:21:00.000Z')),
    );
    expect(next.remaining).toBe(4);
  });

  it('sends RateLimit headers with every metered response and 429 over HTTP', async () => {
    const tenant = await createTenant({ limitOverrides: { requestsPerMinute: 3 } });
    const at = new Date('2031-06-01T08:15:42.000Z');
    const responses = [];
    for (let i = 0; i < 4; i += 1)
      responses.push(await call('GET', `/v1/tenants/${tenant.id}/agents`, { token: tenant.owner.token, at }));
    expect(responses.map((response) => response.status)).toEqual([200, 200, 200, 429]);
    expect(responses.map((response) => response.headers.get('ratelimit-remaining'))).toEqual([
      '2',
      '1',
      '0',
      '0',
    ]);
    expect(responses[0]?.headers.get('ratelimit-limit')).toBe('3');
    expect(responses[3]?.headers.get('retry-after')).toBe('18');
    // The next minute is a new window.
    const next = await call('GET', `/v1/tenants/${tenant.id}/agents`, {
      token: tenant.owner.token,
      at: new Date('2031-06-01T08:16:00.000Z'),
    });
    expect(next.status).toBe(200);
  });
});

describe('quota and usage reports', () => {
  it('shows every limit with its use, percentage and period, and the hourly and daily usage', async () => {
    const tenant = await createTenant({ plan: 'starter' });
    const agentId = await newAgent(tenant);
    const at = new Date('2032-03-10T12:00:00.000Z');
    const started = await call<{ id: string }>('POST', `/v1/tenants/${tenant.id}/agents/${agentId}/runs`, {
      token: tenant.owner.token,
      body: {},
      at,
    });
    await call('POST', `/v1/tenants/${tenant.id}/runs/${started.body.id}/complete`, {
      token: tenant.owner.token,
      body: { status: 'succeeded', tokensUsed: 500_000 },
      at,
    });
    const report = await call<{
      quotas: Array<Record<string, unknown>>;
      rateLimit: unknown;
      thresholdEvents: unknown[];
    }>('GET', `/v1/tenants/${tenant.id}/quotas`, { token: tenant.owner.token, at });
    expect(report.status).toBe(200);
    const byResource = Object.fromEntries(report.body.quotas.map((line) => [line.resource, line]));
    expect(byResource.agents).toMatchObject({ used: 1, limit: 10, percent: 10, period: 'ALL' });
    expect(byResource.tokens).toMatchObject({
      used: 500_000,
      limit: 2_000_000,
      percent: 25,
      enforcedLimit: 2_200_000,
    });
    expect(byResource.runs).toMatchObject({ used: 1, limit: 2_000 });
    expect(byResource.users).toMatchObject({ used: 1, limit: 10 });
    // The run's start and completion and this report, all in March 2032.
    expect(byResource.apiCalls).toMatchObject({ used: 3, period: '2032-03' });
    expect(report.body.rateLimit).toEqual({ requestsPerMinute: 300 });

    const daily = await call<{ resources: Record<string, { total: number; series: unknown[] }> }>(
      'GET',
      `/v1/tenants/${tenant.id}/usage?granularity=day`,
      { token: tenant.owner.token, at },
    );
    expect(daily.body.resources.tokens?.total).toBe(500_000);
    expect(daily.body.resources.runs?.total).toBe(1);
    expect(daily.body.resources.tokens?.series).toHaveLength(1);
    const bad = await call(
      'GET',
      `/v1/tenants/${tenant.id}/usage?granularity=hour&from=2030-01-01&to=2030-06-01`,
      {
        token: tenant.owner.token,
      },
    );
    expect(bad.status).toBe(400);
  });

  it('records a run’s tokens in full, past the limit too, and stops the next run', async () => {
    const tenant = await createTenant({ plan: 'free', limitOverrides: { tokens: 1_000 } });
    const agentId = await newAgent(tenant);
    const at = new Date('2032-05-31T23:00:00.000Z');
    const first = await call<{ id: string }>('POST', `/v1/tenants/${tenant.id}/agents/${agentId}/runs`, {
      token: tenant.owner.token,
      body: {},
      at,
    });
    // The tokens were spent: completion records them all, though they pass the month's limit.
    const done = await call('POST', `/v1/tenants/${tenant.id}/runs/${first.body.id}/complete`, {
      token: tenant.owner.token,
      body: { status: 'succeeded', tokensUsed: 1_250 },
      at,
    });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ status: 'succeeded', tokensUsed: 1_250 });
    const report = await call<{ quotas: Array<{ resource: string; used: number }> }>(
      'GET',
      `/v1/tenants/${tenant.id}/quotas`,
      { token: tenant.owner.token, at },
    );
    expect(report.body.quotas.find((line) => line.resource === 'tokens')).toMatchObject({ used: 1_250 });
    const again = await call('POST', `/v1/tenants/${tenant.id}/runs/${first.body.id}/complete`, {
      token: tenant.owner.token,
      body: { status: 'succeeded', tokensUsed: 5 },
      at,
    });
    expect(again.body).toMatchObject({ code: 'run_completed' });
    const next = await call('POST', `/v1/tenants/${tenant.id}/agents/${agentId}/runs`, {
      token: tenant.owner.token,
      body: {},
      at,
    });
    expect(next.status).toBe(429);
    // The message states the real use.
    expect(next.body).toMatchObject({
      code: 'quota_exceeded',
      resource: 'tokens',
      used: 1_250,
      limit: 1_000,
    });
    expect(String((next.body as { detail?: string }).detail)).toContain('1250 of 1000');
    // Until June begins: one hour.
    expect(next.headers.get('retry-after')).toBe('3600');
    // The refused start took no run: its take was given back, and no run was made.
    const after = await call<{ quotas: Array<{ resource: string; used: number }> }>(
      'GET',
      `/v1/tenants/${tenant.id}/quotas`,
      { token: tenant.owner.token, at },
    );
    expect(after.body.quotas.find((line) => line.resource === 'runs')).toMatchObject({ used: 1 });
    const runs = await call<{ items: unknown[] }>('GET', `/v1/tenants/${tenant.id}/runs`, {
      token: tenant.owner.token,
      at,
    });
    expect(runs.body.items).toHaveLength(1);
    // A new month is a new quota.
    const june = await call('POST', `/v1/tenants/${tenant.id}/agents/${agentId}/runs`, {
      token: tenant.owner.token,
      body: {},
      at: new Date('2032-06-01T00:00:00.000Z'),
    });
    expect(june.status).toBe(201);
  });
});

describe('API-call metering', () => {
  it('closes each minute into its hour’s usage and reports the open minute too', async () => {
    const tenant = await createTenant();
    const ctx = ownerContext(tenant.id, tenant.owner.id, 'professional');
    const at = (iso: string) => runWithTenantContext(ctx, () => meterRequest(ctx, new Date(iso)));
    for (let i = 0; i < 3; i += 1) await at('2033-07-04T09:58:10.000Z');
    for (let i = 0; i < 2; i += 1) await at('2033-07-04T09:59:40.000Z');
    for (let i = 0; i < 4; i += 1) await at('2033-07-04T10:00:05.000Z');
    const usage = await call<{
      resources: { apiCalls: { total: number; series: Array<{ start: string; used: number }> } };
    }>(
      'GET',
      `/v1/tenants/${tenant.id}/usage?resource=apiCalls&granularity=hour&from=2033-07-04T00:00:00Z&to=2033-07-04T23:59:59Z`,
      { token: tenant.owner.token },
    );
    expect(usage.body.resources.apiCalls.series).toEqual([
      { start: '2033-07-04T09:00:00.000Z', used: 5 },
      { start: '2033-07-04T10:00:00.000Z', used: 4 },
    ]);
    expect(await counter(tenant.id, 'apiCalls', '2033-07')).toBe(9);
  });

  it('stops API calls at the monthly ceiling with 429 and writes nothing more', async () => {
    const tenant = await createTenant({ plan: 'free', limitOverrides: { apiCalls: 3 } });
    const ctx = ownerContext(tenant.id, tenant.owner.id, 'free', { apiCalls: 3 });
    const at = new Date('2033-08-01T00:00:30.000Z');
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, () => runWithTenantContext(ctx, () => meterRequest(ctx, at))),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    const refused = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(refused?.reason).toMatchObject({ statusCode: 429, code: 'quota_exceeded' });
    expect(await counter(tenant.id, 'apiCalls', '2033-08')).toBe(3);
  });
});

describe('idempotency records', () => {
  it('answers 409 while the first request runs, and frees a key whose request died', async () => {
    const { IdempotencyRecordEntity } = await import('../../shared/data/entities/idempotency-record');
    const tenant = await createTenant();
    const ctx = ownerContext(tenant.id, tenant.owner.id, 'professional');
    const at = new Date('2034-01-01T00:00:00.000Z');
    const now = Math.floor(at.getTime() / 1000);
    const body = { name: 'locked', model: 'claude-sonnet' };
    const claim = (key: string, lockedUntil: number) =>
      runWithTenantContext(ctx, () =>
        IdempotencyRecordEntity.put({
          tenantId: tenant.id,
          scopeKey: `${tenant.owner.id}#${key}`,
          requestHash: createHash('sha256')
            .update(
              `POST /v1/tenants/{tenantId}/agents\n/v1/tenants/${tenant.id}/agents\n${JSON.stringify(body)}`,
            )
            .digest('base64url'),
          status: 'in_progress',
          expiresAt: now + 3600,
          lockedUntil,
        }).go(),
      );
    await claim('running', now + 14);
    const busy = await call('POST', `/v1/tenants/${tenant.id}/agents`, {
      token: tenant.owner.token,
      body,
      headers: { 'idempotency-key': 'running' },
      at,
    });
    expect(busy.status).toBe(409);
    await claim('died', now - 1);
    const freed = await call('POST', `/v1/tenants/${tenant.id}/agents`, {
      token: tenant.owner.token,
      body,
      headers: { 'idempotency-key': 'died' },
      at,
    });
    expect(freed.status).toBe(201);
  });

  it('holds a key for what the first request’s invocation has left, not a fixed minute', async () => {
    const { IdempotencyRecordEntity } = await import('../../shared/data/entities/idempotency-record');
    const tenant = await createTenant();
    const at = new Date('2034-02-01T00:00:00.000Z');
    const response = await call('POST', `/v1/tenants/${tenant.id}/agents`, {
      token: tenant.owner.token,
      body: { name: 'timed', model: 'claude-sonnet' },
      headers: { 'idempotency-key': 'timed' },
      at,
    });
    expect(response.status).toBe(201);
    const ctx = ownerContext(tenant.id, tenant.owner.id, 'professional');
    const record = await runWithTenantContext(ctx, () =>
      IdempotencyRecordEntity.get({ tenantId: tenant.id, scopeKey: `${tenant.owner.id}#timed` }).go({
        consistent: true,
      }),
    );
    const lock = (record.data?.lockedUntil ?? 0) - Math.floor(at.getTime() / 1000);
    // The function's 10 s and a 5 s margin, not 60 s.
    expect(lock).toBeGreaterThan(5);
    expect(lock).toBeLessThanOrEqual(15);
  });
});
