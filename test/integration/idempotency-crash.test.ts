import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import {
  adminToken,
  call,
  countItems,
  createTenant,
  table,
  twin,
  type TestTenant,
} from '../helpers/twin-api';

/**
 * A handler process killed in the middle of a request with an Idempotency-Key, then the client's
 * retry with the same key: the effect happens once, whichever side of its commit the process died.
 */
const exec = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..');

/** Past the key's lock (the function's 10 s and a 5 s margin): a retry then may take the key over. */
const PAST_LOCK_MS = 20_000;

interface Target {
  fn: 'agents' | 'runs';
  routeKey: string;
  path: string;
  params: Record<string, string>;
  body: unknown;
}

/** Sends the request in a handler process that is killed at `point`; says how it ended. */
async function crashAt(
  point: 'before-effect' | 'settling' | 'after-effect',
  tenant: TestTenant,
  key: string,
  at: Date,
  target: Target,
) {
  const args = [
    join(ROOT, 'test', 'helpers', 'crash-worker.ts'),
    point,
    target.fn,
    target.routeKey,
    target.path,
    tenant.id,
    tenant.owner.id,
    key,
    at.toISOString(),
    JSON.stringify(target.params),
    JSON.stringify(target.body),
  ];
  try {
    const { stdout } = await exec(join(ROOT, 'node_modules', '.bin', 'tsx'), args, {
      cwd: ROOT,
      env: process.env,
    });
    return { killed: false, stdout };
  } catch (error) {
    // tsx runs the worker in a child of its own, and exits as 128 + SIGKILL's number when it is killed.
    const failure = error as { signal?: string; code?: number; stderr?: string };
    return {
      killed: failure.signal === 'SIGKILL' || failure.code === 137,
      stdout: `${String(error)}\n${failure.stderr ?? ''}`,
    };
  }
}

const agentTarget = (tenant: TestTenant): Target => ({
  fn: 'agents',
  routeKey: 'POST /v1/tenants/{tenantId}/agents',
  path: `/v1/tenants/${tenant.id}/agents`,
  params: { tenantId: tenant.id },
  body: { name: 'Once only', model: 'claude-sonnet' },
});

async function runTarget(tenant: TestTenant): Promise<Target> {
  const agent = await call<{ id: string }>('POST', `/v1/tenants/${tenant.id}/agents`, {
    token: tenant.owner.token,
    body: { name: 'Runner', model: 'claude-sonnet' },
  });
  expect(agent.status).toBe(201);
  return {
    fn: 'runs',
    routeKey: 'POST /v1/tenants/{tenantId}/agents/{agentId}/runs',
    path: `/v1/tenants/${tenant.id}/agents/${agent.body.id}/runs`,
    params: { tenantId: tenant.id, agentId: agent.body.id },
    body: { input: { prompt: 'once' } },
  };
}

const retry = (tenant: TestTenant, target: Target, key: string, at: Date) =>
  call<{ code?: string; id?: string }>('POST', target.path, {
    token: tenant.owner.token,
    body: target.body,
    headers: { 'idempotency-key': key },
    at,
  });

/** The month's runs counter as stored: units counted, and takes still pending. */
const runsCounter = async (tenant: TestTenant, at: Date) => {
  const { Item } = await table.send(
    new GetCommand({
      TableName: twin.tableName,
      Key: { pk: `TENANT#${tenant.id}`, sk: `QUOTA#runs#${at.toISOString().slice(0, 7)}` },
      ConsistentRead: true,
    }),
  );
  return { used: Item?.used as number, pending: (Item?.pending as Set<string> | undefined)?.size ?? 0 };
};

const runsUsed = async (tenant: TestTenant, at: Date) => {
  const response = await call<{ counters: Array<{ resource: string; counted: number; recounted: number }> }>(
    'POST',
    `/v1/tenants/${tenant.id}/quotas/reconcile`,
    { token: await adminToken(), at },
  );
  expect(response.status, response.text).toBe(200);
  return response.body.counters.find((line) => line.resource === 'runs');
};

describe('an Idempotency-Key across a handler killed mid-request', () => {
  it('creates the agent once when the process died after the agent committed', async () => {
    const tenant = await createTenant();
    const target = agentTarget(tenant);
    const at = new Date('2035-03-10T12:00:00.000Z');
    const crashed = await crashAt('after-effect', tenant, 'agent-after', at, target);
    expect(crashed.killed, crashed.stdout).toBe(true);
    expect(await countItems(tenant.id, 'AGENT#')).toBe(1);

    // While the dead request's lock holds, the key is busy; past it, the answer is known lost.
    const early = await retry(tenant, target, 'agent-after', at);
    expect(early.status, early.text).toBe(409);
    expect(early.body.code).toBe('idempotency_in_progress');
    const late = await retry(tenant, target, 'agent-after', new Date(at.getTime() + PAST_LOCK_MS));
    expect(late.status, late.text).toBe(409);
    expect(late.body.code).toBe('idempotency_answer_lost');
    expect(late.headers.get('content-type')).toContain('application/problem+json');
    expect(await countItems(tenant.id, 'AGENT#')).toBe(1);

    // Positive control: a new key creates a new agent.
    const fresh = await retry(tenant, target, 'agent-after-2', new Date(at.getTime() + PAST_LOCK_MS));
    expect(fresh.status, fresh.text).toBe(201);
    expect(await countItems(tenant.id, 'AGENT#')).toBe(2);
  });

  it('creates the agent on the retry when the process died before anything committed', async () => {
    const tenant = await createTenant();
    const target = agentTarget(tenant);
    const at = new Date('2035-03-11T12:00:00.000Z');
    const crashed = await crashAt('before-effect', tenant, 'agent-before', at, target);
    expect(crashed.killed, crashed.stdout).toBe(true);
    expect(await countItems(tenant.id, 'AGENT#')).toBe(0);

    const late = await retry(tenant, target, 'agent-before', new Date(at.getTime() + PAST_LOCK_MS));
    expect(late.status, late.text).toBe(201);
    expect(await countItems(tenant.id, 'AGENT#')).toBe(1);
    // The retry's answer is kept for the next retry.
    const again = await retry(tenant, target, 'agent-before', new Date(at.getTime() + PAST_LOCK_MS + 1000));
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(late.body.id);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
  });

  it('starts the run once when the process died after the run committed, and counts it once', async () => {
    const tenant = await createTenant();
    const target = await runTarget(tenant);
    const at = new Date('2035-04-10T12:00:00.000Z');
    // Dies as the answer is about to be stored: the run committed, its take is not settled yet.
    const crashed = await crashAt('after-effect', tenant, 'run-after', at, target);
    expect(crashed.killed, crashed.stdout).toBe(true);

    const late = await retry(tenant, target, 'run-after', new Date(at.getTime() + PAST_LOCK_MS));
    expect(late.status, late.text).toBe(409);
    expect(late.body.code).toBe('idempotency_answer_lost');
    expect(await countItems(tenant.id, 'RUN#')).toBe(1);
    // Refused before metering: the count is the dead request's, and it equals the items. Its take
    // stayed pending; reconciliation keeps it (the run's receipt exists).
    expect(await runsCounter(tenant, at)).toMatchObject({ used: 1, pending: 1 });
    expect(await runsUsed(tenant, new Date(at.getTime() + 5 * 60_000))).toMatchObject({
      counted: 1,
      recounted: 1,
    });
    expect(await runsCounter(tenant, at)).toMatchObject({ used: 1, pending: 0 });
  });

  it('replays the run’s answer when the process died settling its take, after the answer was stored', async () => {
    const tenant = await createTenant();
    const target = await runTarget(tenant);
    const at = new Date('2035-04-20T12:00:00.000Z');
    const crashed = await crashAt('settling', tenant, 'run-settling', at, target);
    expect(crashed.killed, crashed.stdout).toBe(true);

    const late = await retry(tenant, target, 'run-settling', new Date(at.getTime() + PAST_LOCK_MS));
    expect(late.status, late.text).toBe(201);
    expect(late.headers.get('idempotent-replayed')).toBe('true');
    expect(await countItems(tenant.id, 'RUN#')).toBe(1);
    // Its take stayed pending; the receipt exists, so reconciliation keeps it: counted once.
    expect(await runsCounter(tenant, at)).toMatchObject({ used: 1, pending: 1 });
    expect(await runsUsed(tenant, new Date(at.getTime() + 5 * 60_000))).toMatchObject({
      counted: 1,
      recounted: 1,
    });
    expect(await runsCounter(tenant, at)).toMatchObject({ used: 1, pending: 0 });
  });

  it('starts the run once when the process died before the run was written; the dead take is given back', async () => {
    const tenant = await createTenant();
    const target = await runTarget(tenant);
    const at = new Date('2035-05-10T12:00:00.000Z');
    const crashed = await crashAt('before-effect', tenant, 'run-before', at, target);
    expect(crashed.killed, crashed.stdout).toBe(true);
    expect(await countItems(tenant.id, 'RUN#')).toBe(0);
    // The dead request's unit is counted, and pending on the counter (its durable intent).
    expect(await runsCounter(tenant, at)).toMatchObject({ used: 1, pending: 1 });

    const late = await retry(tenant, target, 'run-before', new Date(at.getTime() + PAST_LOCK_MS));
    expect(late.status, late.text).toBe(201);
    expect(await countItems(tenant.id, 'RUN#')).toBe(1);
    // The dead take is young yet (its request might still be running): left pending.
    expect(await runsCounter(tenant, at)).toMatchObject({ used: 2, pending: 1 });

    // The next run, a minute on, settles it: no receipt, so its unit is given back.
    const next = await retry(tenant, target, 'run-next', new Date(at.getTime() + 2 * 60_000));
    expect(next.status, next.text).toBe(201);
    expect(await countItems(tenant.id, 'RUN#')).toBe(2);
    expect(await runsCounter(tenant, at)).toMatchObject({ used: 2, pending: 0 });
    expect(await runsUsed(tenant, new Date(at.getTime() + 5 * 60_000))).toMatchObject({
      counted: 2,
      recounted: 2,
      outcome: 'matches',
    });
  });
});
