import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { adminToken, call, countItems, createTenant, type TestTenant } from '../helpers/twin-api';

/**
 * The API interrupted mid-load: a handler instance (a process of its own, as a Lambda's) serving
 * concurrent POSTs with Idempotency-Keys is killed while requests are in flight, and the client
 * then retries every request it sent with the same key, as the README tells it to. Whatever the
 * moment each request died at, every effect happens exactly once, and the counters equal their
 * items.
 */
const ROOT = join(import.meta.dirname, '..', '..');
const REQUESTS = 60;
/** Past a dead request's hold on its key (the function's 10 s and a 5 s margin). */
const PAST_LOCK_MS = 20_000;

interface Acknowledged {
  status: number;
  id: string;
}

/** Runs the load in a handler process and kills it once `killAfter` answers have come back. */
async function loadThenKill(
  fn: 'agents' | 'runs',
  tenant: TestTenant,
  prefix: string,
  killAfter: number,
  agentId = '',
): Promise<{ acknowledged: Map<string, Acknowledged>; killed: boolean }> {
  const args = ['--import', 'tsx', join(ROOT, 'test', 'helpers', 'load-worker.ts')];
  args.push(fn, tenant.id, tenant.owner.id, prefix, String(REQUESTS), '8', agentId);
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const acknowledged = new Map<string, Acknowledged>();
  let buffered = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      const [tag, key = '', status = '0', id = '-'] = line.split(' ');
      if (tag !== 'ACK') continue;
      acknowledged.set(key, { status: Number(status), id });
      if (acknowledged.size === killAfter) child.kill('SIGKILL');
    }
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const signal = await new Promise<NodeJS.Signals | null>((resolve) =>
    child.on('exit', (_code, sig) => resolve(sig)),
  );
  expect(acknowledged.size, stderr).toBeGreaterThanOrEqual(killAfter);
  return { acknowledged, killed: signal === 'SIGKILL' };
}

/** Retries every key, a few at a time, past the dead requests' locks; answers each key's outcome. */
async function retryAll(
  tenant: TestTenant,
  prefix: string,
  send: (key: string, at: Date) => ReturnType<typeof call>,
) {
  const at = new Date(Date.now() + PAST_LOCK_MS);
  const outcomes = new Map<string, { status: number; code?: string; id?: string; replayed: boolean }>();
  const keys = Array.from({ length: REQUESTS }, (_, i) => `${prefix}-${i}`);
  const lane = async () => {
    for (let key = keys.shift(); key !== undefined; key = keys.shift()) {
      const response = await send(key, at);
      const body = response.body as { code?: string; id?: string };
      outcomes.set(key, {
        status: response.status,
        ...(body.code ? { code: body.code } : {}),
        ...(body.id ? { id: body.id } : {}),
        replayed: response.headers.get('idempotent-replayed') === 'true',
      });
    }
  };
  await Promise.all(Array.from({ length: 6 }, lane));
  void tenant;
  return outcomes;
}

/** Each key ended with its effect: created now or before (201), or before with its answer lost (409). */
function expectEachKeyOnce(
  acknowledged: Map<string, Acknowledged>,
  outcomes: Map<string, { status: number; code?: string; id?: string; replayed: boolean }>,
) {
  for (const [key, outcome] of outcomes) {
    if (outcome.status === 409) expect(outcome.code, key).toBe('idempotency_answer_lost');
    else expect(outcome.status, key).toBe(201);
  }
  // What the dead process acknowledged is what the retry replays.
  for (const [key, ack] of acknowledged) {
    if (ack.status !== 201) continue;
    expect(outcomes.get(key), key).toMatchObject({ status: 201, id: ack.id, replayed: true });
  }
}

async function listAll<T>(tenant: TestTenant, path: string): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const page: Awaited<ReturnType<typeof call<{ items: T[]; nextCursor: string | null }>>> = await call(
      'GET',
      `${path}?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      { token: tenant.owner.token },
    );
    expect(page.status, page.text).toBe(200);
    items.push(...page.body.items);
    cursor = page.body.nextCursor;
  } while (cursor);
  return items;
}

const countsOf = (values: string[]) => {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return counts;
};

describe('the API interrupted mid-load', () => {
  it('creates each agent once across a killed handler and the client’s retries', async () => {
    const tenant = await createTenant({ limitOverrides: { agents: null } });
    const { acknowledged, killed } = await loadThenKill('agents', tenant, 'agent', 15);
    expect(killed).toBe(true);
    expect(acknowledged.size).toBeLessThan(REQUESTS);

    const outcomes = await retryAll(tenant, 'agent', (key, at) =>
      call('POST', `/v1/tenants/${tenant.id}/agents`, {
        token: tenant.owner.token,
        body: { name: key, model: 'claude-sonnet' },
        headers: { 'idempotency-key': key },
        at,
      }),
    );
    expectEachKeyOnce(acknowledged, outcomes);

    const agents = await listAll<{ id: string; name: string }>(tenant, `/v1/tenants/${tenant.id}/agents`);
    const perKey = countsOf(agents.map((agent) => agent.name));
    expect(perKey.size).toBe(REQUESTS);
    expect([...perKey.values()].every((n) => n === 1)).toBe(true);
    const quotas = await call<{ quotas: Array<{ resource: string; used: number }> }>(
      'GET',
      `/v1/tenants/${tenant.id}/quotas`,
      { token: tenant.owner.token },
    );
    expect(quotas.body.quotas.find((line) => line.resource === 'agents')?.used).toBe(REQUESTS);
  });

  it('starts each run once across a killed handler and the retries; the runs counter equals the runs', async () => {
    const tenant = await createTenant();
    const agent = await call<{ id: string }>('POST', `/v1/tenants/${tenant.id}/agents`, {
      token: tenant.owner.token,
      body: { name: 'Runner', model: 'claude-sonnet' },
    });
    expect(agent.status).toBe(201);
    const { acknowledged, killed } = await loadThenKill('runs', tenant, 'run', 15, agent.body.id);
    expect(killed).toBe(true);

    const outcomes = await retryAll(tenant, 'run', (key, at) =>
      call('POST', `/v1/tenants/${tenant.id}/agents/${agent.body.id}/runs`, {
        token: tenant.owner.token,
        body: { input: { key } },
        headers: { 'idempotency-key': key },
        at,
      }),
    );
    expectEachKeyOnce(acknowledged, outcomes);

    const runs = await listAll<{ input: { key: string } }>(tenant, `/v1/tenants/${tenant.id}/runs`);
    const perKey = countsOf(runs.map((run) => run.input.key));
    expect(perKey.size).toBe(REQUESTS);
    expect([...perKey.values()].every((n) => n === 1)).toBe(true);
    expect(await countItems(tenant.id, 'RUN#')).toBe(REQUESTS);

    // The takes the dead process left pending are settled against their receipts; then nothing drifts.
    const reconcile = async (minutes: number) => {
      const response = await call<{
        counters: Array<{ resource: string; counted: number; recounted: number }>;
      }>('POST', `/v1/tenants/${tenant.id}/quotas/reconcile`, {
        token: await adminToken(),
        at: new Date(Date.now() + minutes * 60_000),
      });
      expect(response.status, response.text).toBe(200);
      return response.body.counters.find((line) => line.resource === 'runs' && line.recounted > 0);
    };
    expect(await reconcile(5)).toMatchObject({ counted: REQUESTS, recounted: REQUESTS });
  });
});
