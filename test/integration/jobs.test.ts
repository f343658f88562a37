import type { SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { handler as worker } from '../../functions/jobs/worker';
import { BillingPeriodEntity } from '../../shared/data/entities/billing-period';
import { JobRunEntity } from '../../shared/data/entities/job-run';
import { TenantExportEntity } from '../../shared/data/entities/tenant-export';
import { platformDocumentClient } from '../../shared/data/clients';
import { QuotaCounterEntity } from '../../shared/data/entities/quota-counter';
import { encodeCursor } from '../../shared/data/cursor';
import type { TenantJobMessage } from '../../shared/jobs/job-definitions';
import { runJob, type JobDispatcher } from '../../shared/jobs/job-runner';
import { processTenantJob } from '../../shared/jobs/tenant-job-worker';
import { consumePeriodic } from '../../shared/quotas/periodic-quota';
import { platformShardOf } from '../../shared/tenants/tenant-provisioning';
import { runWithTenantContext } from '../../shared/context/tenant-context';
import { ownerContext } from '../helpers/tenant-context';
import { call, createTenant, storedAuditEvents } from '../helpers/twin-api';

function recorder(): JobDispatcher & { messages: TenantJobMessage[] } {
  const messages: TenantJobMessage[] = [];
  return { messages, dispatch: async (batch) => void messages.push(...batch) };
}

async function counterOf(tenantId: string, resource: 'runs' | 'tokens' | 'apiCalls', period: string) {
  const ctx = ownerContext(tenantId, 'usr_x', 'professional');
  return runWithTenantContext(ctx, () =>
    QuotaCounterEntity.get({ tenantId, resource, period }).go({ consistent: true }),
  );
}

describe('scheduled jobs', () => {
  it('fans a job out to every tenant once per period, and a second run does nothing', async () => {
    const tenant = await createTenant();
    const now = new Date('2040-01-01T00:05:00.000Z');
    const first = recorder();
    const result = await runJob('monthly-reset', now, first);
    expect(result).toMatchObject({ job: 'monthly-reset', period: '2040-01', status: 'completed' });
    expect(first.messages).toContainEqual({ job: 'monthly-reset', tenantId: tenant.id, period: '2040-01' });
    expect(new Set(first.messages.map((m) => m.tenantId)).size).toBe(first.messages.length);
    const second = recorder();
    expect(await runJob('monthly-reset', now, second)).toMatchObject({
      status: 'already-completed',
      dispatched: result.dispatched,
    });
    expect(second.messages).toHaveLength(0);
  });

  it('sends the purge to deleted tenants only, and every other job to the rest only', async () => {
    const [kept, deleted] = await Promise.all([createTenant(), createTenant()]);
    const removal = await call('DELETE', `/v1/tenants/${deleted.id}`, {
      token: deleted.owner.token,
      body: { confirm: deleted.slug },
    });
    expect(removal.status).toBe(200);
    const purge = recorder();
    await runJob('tenant-purge', new Date('2041-01-01T03:00:00.000Z'), purge);
    const purged = purge.messages.map((m) => m.tenantId);
    expect(purged).toContain(deleted.id);
    expect(purged).not.toContain(kept.id);
    const daily = recorder();
    await runJob('billing-daily', new Date('2041-01-01T02:00:00.000Z'), daily);
    const visited = daily.messages.map((m) => m.tenantId);
    expect(visited).toContain(kept.id);
    expect(visited).not.toContain(deleted.id);
  });

  it('resumes an interrupted fan-out from its saved position', async () => {
    const tenant = await createTenant();
    const shard = platformShardOf(tenant.id);
    const period = '2040-02';
    // A run that stopped after finishing the shards before this tenant's.
    await JobRunEntity.create({
      job: 'monthly-reset',
      period,
      status: 'running',
      dispatched: 0,
      cursor: encodeCursor({ shard, cursor: null }),
      startedAt: new Date().toISOString(),
    }).go();
    const resumed = recorder();
    await runJob('monthly-reset', new Date('2040-02-01T00:05:00.000Z'), resumed);
    expect(resumed.messages.map((m) => m.tenantId)).toContain(tenant.id);
    const earlier = resumed.messages.filter((m) => platformShardOf(m.tenantId) < shard);
    expect(earlier).toHaveLength(0);
  });

  it('opens the new month at zero without touching a counter that already has use', async () => {
    const tenant = await createTenant();
    const ctx = ownerContext(tenant.id, tenant.owner.id, 'professional');
    await runWithTenantContext(ctx, () =>
      consumePeriodic(ctx, 'runs', 3, new Date('2040-03-01T00:00:00.001Z')),
    );
    await processTenantJob({ job: 'monthly-reset', tenantId: tenant.id, period: '2040-03' });
    await processTenantJob({ job: 'monthly-reset', tenantId: tenant.id, period: '2040-03' });
    expect((await counterOf(tenant.id, 'runs', '2040-03')).data?.used).toBe(3);
    expect((await counterOf(tenant.id, 'tokens', '2040-03')).data?.used).toBe(0);
  });

  it('closes a billing period once, with use and overage past the limit', async () => {
    const tenant = await createTenant({ plan: 'starter', limitOverrides: { tokens: 1_000 } });
    const ctx = ownerContext(tenant.id, tenant.owner.id, 'starter', { tokens: 1_000 });
    await runWithTenantContext(ctx, () =>
      consumePeriodic(ctx, 'tokens', 1_050, new Date('2040-04-20T10:00:00.000Z')),
    );
    const message: TenantJobMessage = { job: 'billing-close', tenantId: tenant.id, period: '2040-04' };
    await processTenantJob(message);
    await processTenantJob(message);
    const bill = await runWithTenantContext(ctx, () =>
      BillingPeriodEntity.get({ tenantId: tenant.id, period: '2040-04' }).go(),
    );
    expect(bill.data).toMatchObject({
      plan: 'starter',
      usage: { tokens: 1_050, runs: 0, apiCalls: 0 },
      limits: { tokens: 1_000 },
      overage: { tokens: 50, runs: 0 },
    });
    const closes = (await storedAuditEvents(tenant.id)).filter(
      (event) => event.action === 'billing.period_closed',
    );
    expect(closes).toHaveLength(1);
  });

  it('writes an export from its SQS message, once however often it is delivered', async () => {
    const tenant = await createTenant();
    const key = { tenantId: tenant.id, exportId: 'exp_01BBBBBBBBBBBBBBBBBBBBBBBB' };
    await TenantExportEntity.create({
      ...key,
      status: 'pending',
      requestedBy: tenant.owner.id,
      requestedAt: new Date().toISOString(),
      objectKey: `tenants/${tenant.id}/exports/${key.exportId}.ndjson.gz`,
      expiresAt: Math.floor(Date.now() / 1000) + 3600,
    }).go({ client: platformDocumentClient });
    const body = JSON.stringify({ task: 'export', ...key });
    const event = {
      Records: [
        { messageId: 'a', body },
        { messageId: 'b', body },
      ],
    } as unknown as SQSEvent;
    expect(await worker(event)).toEqual({ batchItemFailures: [] });
    const record = (
      await TenantExportEntity.get(key).go({ client: platformDocumentClient, consistent: true })
    ).data;
    expect(record).toMatchObject({ status: 'completed' });
    expect(record?.itemCount).toBeGreaterThan(3);
  });

  it('processes an SQS batch, reporting only the failed messages', async () => {
    const tenant = await createTenant();
    const event = {
      Records: [
        {
          messageId: 'ok',
          body: JSON.stringify({ job: 'monthly-reset', tenantId: tenant.id, period: '2040-05' }),
        },
        { messageId: 'malformed', body: '{not json' },
        {
          messageId: 'gone',
          body: JSON.stringify({
            job: 'monthly-reset',
            tenantId: 'ten_01AAAAAAAAAAAAAAAAAAAAAAAA',
            period: '2040-05',
          }),
        },
      ],
    } as unknown as SQSEvent;
    expect(await worker(event)).toEqual({ batchItemFailures: [] });
    expect((await counterOf(tenant.id, 'apiCalls', '2040-05')).data?.used).toBe(0);
  });
});
