import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { applyRetention } from '../../shared/jobs/data-retention';
import { processTenantJob } from '../../shared/jobs/tenant-job-worker';
import { PLANS } from '../../shared/model/plans';
import { runWithTenantContext } from '../../shared/context/tenant-context';
import { systemContextFor } from '../../shared/tenancy/system-context';
import { adminToken, call, createTenant, table, twin, type TestTenant } from '../helpers/twin-api';

/**
 * Retention by tenant status and data class: the daily `data-retention` job, run at chosen dates,
 * deletes each class of an active tenant's data past its plan's days, keeps a suspended tenant's
 * whole, and touches no other tenant.
 */

const DAY = 86_400_000;

/** How many items of each class the tenant's partition holds now. */
async function held(
  tenant: TestTenant,
): Promise<{ auditEvents: number; usageEvents: number; runs: number; memoryItems: number }> {
  const counts = { auditEvents: 0, usageEvents: 0, runs: 0, memoryItems: 0 };
  for (const [name, prefix] of [
    ['auditEvents', 'AUDIT#'],
    ['usageEvents', 'USEVT#'],
    ['runs', 'RUN#'],
    ['memoryItems', 'MEMORY#'],
  ] as const) {
    const page = await table.send(
      new QueryCommand({
        TableName: twin.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': `TENANT#${tenant.id}`, ':prefix': prefix },
        Select: 'COUNT',
        ConsistentRead: true,
      }),
    );
    counts[name] = page.Count ?? 0;
  }
  return counts;
}

async function storageUsed(tenant: TestTenant): Promise<number> {
  const quotas = await call<{ quotas: Array<{ resource: string; used: number }> }>(
    'GET',
    `/v1/tenants/${tenant.id}/quotas`,
    { token: await adminToken() },
  );
  return quotas.body.quotas.find((line) => line.resource === 'storageBytes')?.used ?? -1;
}

/** The tenant's data of every class: audit events (from its making), a usage record, two runs (one
 * ended, one still running) and a memory item. */
async function fill(tenant: TestTenant): Promise<void> {
  const token = tenant.owner.token;
  const agent = await call<{ id: string }>('POST', `/v1/tenants/${tenant.id}/agents`, {
    token,
    body: { name: 'Kept agent', model: 'claude-sonnet' },
  });
  expect(agent.status, agent.text).toBe(201);
  const runs = `/v1/tenants/${tenant.id}/agents/${agent.body.id}/runs`;
  const ended = await call<{ id: string }>('POST', runs, { token, body: {} });
  expect(ended.status, ended.text).toBe(201);
  const completed = await call('POST', `/v1/tenants/${tenant.id}/runs/${ended.body.id}/complete`, {
    token,
    body: { status: 'succeeded', tokensUsed: 10 },
  });
  expect(completed.status, completed.text).toBe(200);
  expect((await call('POST', runs, { token, body: {} })).status).toBe(201);
  const memory = await call('POST', `/v1/tenants/${tenant.id}/agents/${agent.body.id}/memory`, {
    token,
    body: { kind: 'text', content: 'the sky is blue' },
  });
  expect(memory.status, memory.text).toBe(201);
  const usage = await call('POST', `/v1/tenants/${tenant.id}/usage`, {
    token,
    body: { resource: 'toolCalls', amount: 5, description: 'retention test' },
  });
  expect(usage.status, usage.text).toBe(201);
}

const retain = (tenant: TestTenant, at: Date) =>
  processTenantJob({ job: 'data-retention', tenantId: tenant.id, period: at.toISOString().slice(0, 10) }, at);

describe('retention by status and data class', () => {
  it('deletes each class of an active tenant’s data once past its plan’s days, and nothing before', async () => {
    const tenant = await createTenant({ plan: 'free' });
    const neighbour = await createTenant({ plan: 'professional' });
    await Promise.all([fill(tenant), fill(neighbour)]);
    const start = await held(tenant);
    expect(start).toMatchObject({ usageEvents: 1, runs: 2, memoryItems: 1 });
    expect(start.auditEvents).toBeGreaterThan(2);
    const neighbourStart = await held(neighbour);
    const retention = PLANS.free.retention;
    expect(retention).toEqual({ auditEvents: 7, usageEvents: 7, runs: 90, memoryItems: 90 });
    const now = Date.now();

    // A day before the shortest window ends: everything kept (the positive control of what follows).
    await retain(tenant, new Date(now + 6 * DAY));
    expect(await held(tenant)).toEqual(start);

    // Past the audit log's and the usage records' 7 days: those go, runs and memory stay.
    await retain(tenant, new Date(now + 8 * DAY));
    expect(await held(tenant)).toEqual({ auditEvents: 0, usageEvents: 0, runs: 2, memoryItems: 1 });
    // The neighbour on Professional, at the same date, keeps everything (90 days).
    await retain(neighbour, new Date(now + 8 * DAY));
    expect(await held(neighbour)).toEqual(neighbourStart);

    // Past 90 days: the ended run and the memory item go (its bytes given back); the running run stays.
    expect(await storageUsed(tenant)).toBeGreaterThan(0);
    await retain(tenant, new Date(now + 91 * DAY));
    expect(await held(tenant)).toEqual({ auditEvents: 0, usageEvents: 0, runs: 1, memoryItems: 0 });
    expect(await storageUsed(tenant)).toBe(0);
    const left = await call<{ items: Array<{ status: string }> }>('GET', `/v1/tenants/${tenant.id}/runs`, {
      token: tenant.owner.token,
    });
    expect(left.body.items.map((run) => run.status)).toEqual(['running']);
    // Run again the same day: nothing more to delete, nothing fails.
    await retain(tenant, new Date(now + 91 * DAY));
    expect(await held(tenant)).toEqual({ auditEvents: 0, usageEvents: 0, runs: 1, memoryItems: 0 });
    // The neighbour was never touched by the tenant's runs of the job.
    expect(await held(neighbour)).toEqual(neighbourStart);
  });

  it('keeps a suspended tenant’s data whole past every window, and applies the windows once it is active again', async () => {
    const tenant = await createTenant({ plan: 'free' });
    await fill(tenant);
    const start = await held(tenant);
    const later = new Date(Date.now() + 100 * DAY);
    const suspended = await call('POST', `/v1/tenants/${tenant.id}/suspend`, {
      token: await adminToken(),
      body: { reason: 'Retention test' },
    });
    expect(suspended.status, suspended.text).toBe(200);
    const whileSuspended = await held(tenant);
    await retain(tenant, later);
    expect(await held(tenant)).toEqual(whileSuspended);
    expect(whileSuspended.auditEvents).toBeGreaterThan(start.auditEvents);

    // Reactivated on that date: the next run of the job applies every window.
    const back = await call('POST', `/v1/tenants/${tenant.id}/reactivate`, {
      token: await adminToken(),
      at: later,
    });
    expect(back.status, back.text).toBe(200);
    await retain(tenant, later);
    const after = await held(tenant);
    // The audit events of the reactivation, written on that date, are new and kept.
    expect(after).toMatchObject({ usageEvents: 0, memoryItems: 0 });
    expect(after.auditEvents).toBeGreaterThan(0);
    expect(after.auditEvents).toBeLessThan(whileSuspended.auditEvents);
    // The suspension cancelled the running run (an ended run now): both are past 90 days.
    expect(after.runs).toBe(0);
  });

  it('leaves a deleted tenant’s data to the purge at the end of its window', async () => {
    const tenant = await createTenant({ plan: 'free' });
    await fill(tenant);
    const removed = await call('DELETE', `/v1/tenants/${tenant.id}`, {
      token: tenant.owner.token,
      body: { confirm: tenant.slug },
    });
    expect(removed.status, removed.text).toBe(200);
    const before = await held(tenant);
    const ctx = await systemContextFor(tenant.id, 'retention-test', 'test');
    const at = new Date(Date.now() + 29 * DAY);
    const outcome = await runWithTenantContext({ ...ctx!, receivedAt: at }, () => applyRetention(ctx!, at));
    expect(outcome.outcome).toBe('kept');
    expect(await held(tenant)).toEqual(before);
  });
});
