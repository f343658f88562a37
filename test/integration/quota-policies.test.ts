import { describe, expect, it } from 'vitest';
import { processTenantJob } from '../../shared/jobs/tenant-job-worker';
import { PLANS, quotaPolicyOf } from '../../shared/model/plans';
import {
  adminToken,
  call,
  createApiKey,
  createTenant,
  inbox,
  storedAuditEvents,
  type TestTenant,
} from '../helpers/twin-api';

/**
 * Quota policies at their boundaries, each on a fixed clock (`at`) in a month of its own: `refuse`
 * at the limit, `overage` for some hours then refused, `suspend` after sustained overage (owners told
 * first; lifted by a larger plan and by the next month; applied by the daily job to a tenant that
 * makes no request).
 */

interface Standing {
  used: number;
  limit: number | null;
  enforcedLimit: number | null;
  policy: Record<string, unknown>;
  overSince: string | null;
  overageEndsAt: string | null;
  suspendsAt: string | null;
}

const HOUR = 3_600_000;
const later = (at: Date, ms: number) => new Date(at.getTime() + ms);

async function serviceOf(tenant: TestTenant) {
  const key = await createApiKey(tenant, ['usage:write']);
  const record = (amount: number, at: Date) =>
    call<{ code?: string; quota: Standing; limit?: number }>('POST', `/v1/tenants/${tenant.id}/usage`, {
      token: key.secret,
      body: { resource: 'toolCalls', amount, description: `tool calls ×${amount}` },
      at,
    });
  const check = (amount: number, at: Date) =>
    call<Standing & { outcome: string }>('POST', `/v1/tenants/${tenant.id}/quotas/check`, {
      token: key.secret,
      body: { resource: 'toolCalls', amount },
      at,
    });
  return { record, check };
}

async function toolCallsLine(tenant: TestTenant, at: Date) {
  const report = await call<{
    quotas: Array<{ resource: string; enforcedLimit: number; policy: Record<string, unknown> }>;
  }>('GET', `/v1/tenants/${tenant.id}/quotas`, { token: tenant.owner.token, at });
  expect(report.status, report.text).toBe(200);
  return report.body.quotas.find((line) => line.resource === 'toolCalls');
}

/** The tenant's status as its owner reads it (the functions' tenant caches may lag a few seconds). */
async function statusBecomes(tenant: TestTenant, status: string, at: Date): Promise<string> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const read = await call<{ status: string }>('GET', `/v1/tenants/${tenant.id}`, {
      token: tenant.owner.token,
      at,
    });
    if (read.body.status === status || Date.now() > deadline) return read.body.status;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('quota policies', () => {
  it('are in the plan data and the plans’ catalogue, with the grace as the default', async () => {
    expect(quotaPolicyOf('free', 'toolCalls')).toEqual({ kind: 'refuse' });
    expect(quotaPolicyOf('starter', 'toolCalls')).toEqual({ kind: 'overage', upToPercent: 10, forHours: 72 });
    expect(quotaPolicyOf('professional', 'toolCalls')).toEqual({
      kind: 'suspend',
      upToPercent: 20,
      afterHours: 48,
    });
    expect(quotaPolicyOf('business', 'runs')).toEqual({
      kind: 'overage',
      upToPercent: PLANS.business.graceOveragePercent,
      forHours: null,
    });
    const plans = await call<{ items: Array<{ id: string; quotaPolicies: Record<string, unknown> }> }>(
      'GET',
      '/v1/plans',
    );
    const starter = plans.body.items.find((plan) => plan.id === 'starter');
    expect(starter?.quotaPolicies.toolCalls).toEqual({ kind: 'overage', upToPercent: 10, forHours: 72 });
    expect(starter?.quotaPolicies.runs).toEqual({ kind: 'overage', upToPercent: 10, forHours: null });
  });

  it('refuse: admits to the limit and nothing past it', async () => {
    const tenant = await createTenant({ plan: 'free' });
    const { record, check } = await serviceOf(tenant);
    const at = new Date('2035-01-12T09:00:00.000Z');
    const full = await record(1_000, at);
    expect(full.status, full.text).toBe(201);
    expect(full.body.quota).toMatchObject({ used: 1_000, limit: 1_000, enforcedLimit: 1_000 });
    expect(full.body.quota.policy).toEqual({ kind: 'refuse' });
    expect((await check(1, at)).body.outcome).toBe('refused');
    const past = await record(1, at);
    expect(past.status, past.text).toBe(429);
    expect(past.body).toMatchObject({ code: 'quota_exceeded', limit: 1_000 });
    expect((await toolCallsLine(tenant, at))?.policy).toEqual({ kind: 'refuse' });
  });

  it('overage for hours: admits past the limit for 72 hours from the first unit past it, then refuses until the next month', async () => {
    // Starter: 100 tool calls (the override), 10 % past them for 72 hours.
    const tenant = await createTenant({ plan: 'starter', limitOverrides: { toolCalls: 100 } });
    const { record, check } = await serviceOf(tenant);
    const crossed = new Date('2035-02-03T10:00:00.000Z');
    const first = await record(103, crossed);
    expect(first.status, first.text).toBe(201);
    expect(first.body.quota).toMatchObject({
      used: 103,
      enforcedLimit: 110,
      overSince: crossed.toISOString(),
      overageEndsAt: later(crossed, 72 * HOUR).toISOString(),
      suspendsAt: null,
    });
    // The owners are told when the overage stops being admitted.
    const told = await inbox(tenant.owner.email, { subject: 'Past your limit' });
    expect(told[0]?.text).toContain('is refused until the next month begins');

    const lastSecond = later(crossed, 72 * HOUR - 1_000);
    expect((await record(1, lastSecond)).status).toBe(201);
    const ended = later(crossed, 72 * HOUR);
    const checked = await check(1, ended);
    expect(checked.body).toMatchObject({ outcome: 'refused', enforcedLimit: 100, used: 104 });
    const refused = await record(1, ended);
    expect(refused.status, refused.text).toBe(429);
    expect(refused.body).toMatchObject({ code: 'quota_exceeded', limit: 100 });
    const line = await toolCallsLine(tenant, ended);
    expect(line?.enforcedLimit).toBe(100);

    // A new month is a new counter: overage is admitted again, with its own hours.
    const march = new Date('2035-03-01T00:00:00.000Z');
    const next = await record(101, march);
    expect(next.status, next.text).toBe(201);
    expect(next.body.quota).toMatchObject({ used: 101, overSince: march.toISOString() });
  });

  it('suspend: tells the owners, suspends a tenant still past its limit after 48 hours, and a larger plan lifts it', async () => {
    // Professional: 100 tool calls (the override), 20 % past them, suspended after 48 hours past.
    const tenant = await createTenant({ plan: 'professional', limitOverrides: { toolCalls: 100 } });
    const { record } = await serviceOf(tenant);
    const crossed = new Date('2035-04-10T08:00:00.000Z');
    const first = await record(101, crossed);
    expect(first.status, first.text).toBe(201);
    expect(first.body.quota).toMatchObject({
      enforcedLimit: 120,
      overSince: crossed.toISOString(),
      suspendsAt: later(crossed, 48 * HOUR).toISOString(),
      overageEndsAt: null,
    });
    const told = await inbox(tenant.owner.email, { subject: 'Past your limit' });
    expect(told[0]?.text).toContain('the tenant will be suspended');

    // The positive control: just before its hours, the tenant is served.
    const before = await record(1, later(crossed, 48 * HOUR - 1_000));
    expect(before.status, before.text).toBe(201);
    expect(await statusBecomes(tenant, 'active', later(crossed, 48 * HOUR - 1_000))).toBe('active');

    // The use that finds the hours over is admitted; the tenant is suspended after it.
    const due = later(crossed, 48 * HOUR);
    expect((await record(1, due)).status).toBe(201);
    expect(await statusBecomes(tenant, 'suspended', due)).toBe('suspended');
    const refused = await record(1, due);
    expect(refused.status, refused.text).toBe(403);
    expect(refused.body.code).toBe('tenant_suspended');
    const suspension = (await storedAuditEvents(tenant.id)).find(
      (event) => event.action === 'tenant.suspended',
    );
    expect(suspension).toMatchObject({ actorType: 'system' });

    // A larger plan (Business, no override: a million tool calls) ends it at once.
    const upgraded = await call('PUT', `/v1/tenants/${tenant.id}/plan`, {
      token: await adminToken(),
      body: { plan: 'business' },
      at: later(due, HOUR),
    });
    expect(upgraded.status, upgraded.text).toBe(200);
    expect(await statusBecomes(tenant, 'active', later(due, HOUR))).toBe('active');
    expect((await record(1, later(due, HOUR))).status).toBe(201);
  });

  it('suspend: the next month lifts it, by the first request or the monthly job; the daily job suspends a tenant that makes no request', async () => {
    const busy = await createTenant({ plan: 'professional', limitOverrides: { toolCalls: 100 } });
    const quiet = await createTenant({ plan: 'professional', limitOverrides: { toolCalls: 100 } });
    const busyService = await serviceOf(busy);
    const quietService = await serviceOf(quiet);
    const crossed = new Date('2035-05-20T12:00:00.000Z');
    expect((await busyService.record(110, crossed)).status).toBe(201);
    expect((await quietService.record(110, crossed)).status).toBe(201);

    const due = later(crossed, 48 * HOUR);
    expect((await busyService.record(1, due)).status).toBe(201);
    expect(await statusBecomes(busy, 'suspended', due)).toBe('suspended');
    // The quiet tenant made no request past its hours: the daily job finds it.
    expect(await statusBecomes(quiet, 'active', due)).toBe('active');
    await processTenantJob(
      { job: 'quota-reconcile', tenantId: quiet.id, period: '2035-05-23' },
      later(due, HOUR),
    );
    expect(await statusBecomes(quiet, 'suspended', later(due, HOUR))).toBe('suspended');

    // June: the busy tenant's first request finds the suspension over; the monthly job lifts the quiet one's.
    const june = new Date('2035-06-01T00:01:00.000Z');
    const back = await busyService.record(1, june);
    expect(back.status, back.text).toBe(201);
    expect(await statusBecomes(busy, 'active', june)).toBe('active');
    await processTenantJob(
      { job: 'monthly-reset', tenantId: quiet.id, period: '2035-06' },
      new Date('2035-06-01T00:05:00.000Z'),
    );
    expect(await statusBecomes(quiet, 'active', june)).toBe('active');
    const actions = (await storedAuditEvents(quiet.id)).map((event) => event.action);
    expect(actions.filter((action) => action === 'tenant.suspended')).toHaveLength(1);
    expect(actions.filter((action) => action === 'tenant.reactivated')).toHaveLength(1);
  });

  it('never lifts a platform admin’s suspension by itself', async () => {
    const tenant = await createTenant({ plan: 'professional' });
    const suspended = await call('POST', `/v1/tenants/${tenant.id}/suspend`, {
      token: await adminToken(),
      body: { reason: 'Abuse report' },
    });
    expect(suspended.status, suspended.text).toBe(200);
    await processTenantJob(
      { job: 'monthly-reset', tenantId: tenant.id, period: '2035-07' },
      new Date('2035-07-01T00:05:00.000Z'),
    );
    expect(await statusBecomes(tenant, 'suspended', new Date('2035-07-01T00:06:00.000Z'))).toBe('suspended');
  });
  it('tells the owners once when racing uses cross the limit together, and starts the overage once', async () => {
    const tenant = await createTenant({ plan: 'starter', limitOverrides: { toolCalls: 100 } });
    const { record } = await serviceOf(tenant);
    const crossed = new Date('2035-03-04T09:00:00.000Z');
    expect((await record(99, crossed)).status).toBe(201);
    // Twenty records of one at the same moment: the second unit is the first past the limit.
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, index) => record(1, later(crossed, index))),
    );
    expect(answers.filter((answer) => answer.status === 201)).toHaveLength(11);
    expect(answers.filter((answer) => answer.status === 429)).toHaveLength(9);
    const overSince = new Set(
      answers.filter((answer) => answer.status === 201).map((answer) => answer.body.quota.overSince),
    );
    // One start of the overage, which every admitted record past the limit reports.
    overSince.delete(null);
    expect(overSince.size).toBe(1);
    const told = await inbox(tenant.owner.email, { subject: 'Past your limit', waitMs: 10_000 });
    expect(told).toHaveLength(1);
    // A while later, still one: no second notice arrived behind the first.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(await inbox(tenant.owner.email, { subject: 'Past your limit', waitMs: 0 })).toHaveLength(1);
  });
});
