import { randomBytes } from 'node:crypto';
import { printTable, startBenchTwinInWorker } from './bench-twin';
import { pool } from './pool';

/**
 * The usage API beside a metered route, on the twin `npm start` starts (in a process of its own): a
 * platform service's records (`POST …/usage`, an API key with `usage:write`, a fresh Idempotency-Key
 * each) and run starts (`POST …/runs`, which take one unit of the month's `runs` the same way), at
 * the same concurrency, in the same run, each request with an Idempotency-Key of its own (as a
 * service retrying safely sends them). Then records racing for the last units of a limit: how many
 * were admitted past the ceiling (the target is none).
 */
const REQUESTS = 600;
const CONCURRENCY = 20;
const RACERS = 200;

export async function usageApiCase(): Promise<void> {
  const bench = await startBenchTwinInWorker(() => undefined);
  try {
    const tenant = await bench.createTenant('enterprise');
    const key = await bench.call('POST', `/v1/tenants/${tenant.id}/api-keys`, {
      token: tenant.token,
      body: { name: 'Model gateway', scopes: ['usage:write', 'runs:write', 'agents:write'] },
    });
    if (key.status !== 201) throw new Error(`key: ${key.status} ${JSON.stringify(key.body)}`);
    const secret = String(key.body.secret);
    const agent = await bench.call('POST', `/v1/tenants/${tenant.id}/agents`, {
      token: secret,
      body: { name: 'Bench agent', model: 'claude-sonnet' },
    });
    if (agent.status !== 201) throw new Error(`agent: ${agent.status} ${JSON.stringify(agent.body)}`);
    const record = (amount: number, tenantId = tenant.id, token = secret) =>
      bench.call('POST', `/v1/tenants/${tenantId}/usage`, {
        token,
        headers: { 'idempotency-key': randomBytes(12).toString('hex') },
        body: { resource: 'tokens', amount, description: 'bench completion' },
      });
    const startRun = () =>
      bench.call('POST', `/v1/tenants/${tenant.id}/agents/${String(agent.body.id)}/runs`, {
        token: secret,
        headers: { 'idempotency-key': randomBytes(12).toString('hex') },
        body: { input: { prompt: 'bench' } },
      });
    // Warm both paths (the functions' caches), then measure each.
    await Promise.all([record(1), startRun()]);
    const measure = async (send: () => Promise<{ status: number }>) => {
      let admitted = 0;
      const started = performance.now();
      await pool(REQUESTS, CONCURRENCY, async () => {
        if ((await send()).status === 201) admitted += 1;
      });
      return { admitted, perSecond: admitted / ((performance.now() - started) / 1000) };
    };
    const usage = await measure(() => record(1 + Math.floor(Math.random() * 5_000)));
    const runs = await measure(startRun);

    // Records racing for a limit: Starter's 100 tool calls (110 with its grace), 200 records of 1 at once.
    const limited = await bench.createTenant('starter');
    const limitKey = await bench.call('POST', `/v1/tenants/${limited.id}/api-keys`, {
      token: limited.token,
      body: { name: 'Tool runner', scopes: ['usage:write'] },
    });
    const admin = await bench.adminToken();
    const override = await bench.call('PUT', `/v1/tenants/${limited.id}/plan`, {
      token: admin,
      body: { plan: 'starter', limitOverrides: { toolCalls: 100 }, allowBelowPlan: true },
    });
    if (override.status !== 200)
      throw new Error(`override: ${override.status} ${JSON.stringify(override.body)}`);
    // The functions learn the override within seconds.
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    const raced = await Promise.all(
      Array.from({ length: RACERS }, () =>
        bench.call('POST', `/v1/tenants/${limited.id}/usage`, {
          token: String(limitKey.body.secret),
          headers: { 'idempotency-key': randomBytes(12).toString('hex') },
          body: { resource: 'toolCalls', amount: 1, description: 'bench tool call' },
        }),
      ),
    );
    const admittedRace = raced.filter((answer) => answer.status === 201).length;

    console.log(
      `\nUsage API beside a metered route (the npm start twin, ${REQUESTS} requests each at concurrency ${CONCURRENCY}, one API key)\n`,
    );
    printTable(
      ['route', 'admitted', 'admitted/s'],
      [
        [
          'POST …/usage (tokens, a fresh Idempotency-Key each)',
          String(usage.admitted),
          usage.perSecond.toFixed(0),
        ],
        [
          'POST …/agents/{id}/runs (takes one run, a fresh Idempotency-Key each)',
          String(runs.admitted),
          runs.perSecond.toFixed(0),
        ],
      ],
    );
    console.log(
      `\nUsage API against runs.start: ${(usage.perSecond / runs.perSecond).toFixed(2)}× the admitted rate.`,
    );
    console.log(
      `Racing: ${RACERS} records of 1 tool call at once against a ceiling of 110: ${admittedRace} admitted, ${Math.max(0, admittedRace - 110)} over-admissions (target 0).\n`,
    );
  } finally {
    await bench.stop();
  }
}
