import { describe, expect, it } from 'vitest';
import { platformDocumentClient } from '../../shared/data/clients';
import { QuotaCounterEntity, STANDING_PERIOD } from '../../shared/data/entities/quota-counter';
import { processTenantJob } from '../../shared/jobs/tenant-job-worker';
import { consumePeriodic } from '../../shared/quotas/periodic-quota';
import { monthPeriod } from '../../shared/quotas/periods';
import { runWithTenantContext } from '../../shared/context/tenant-context';
import { ownerContext } from '../helpers/tenant-context';
import {
  adminToken,
  call,
  createResources,
  createTenant,
  storedAuditEvents,
  type TestTenant,
} from '../helpers/twin-api';

interface Reconciled {
  counters: Array<{ resource: string; period: string; counted: number; recounted: number; outcome: string }>;
}

const used = async (tenantId: string, resource: 'runs' | 'agents' | 'storageBytes', period: string) =>
  (
    await QuotaCounterEntity.get({ tenantId, resource, period }).go({
      client: platformDocumentClient,
      consistent: true,
    })
  ).data;

/** Moves a counter as a request that died half-way would have, a while ago (the counter is quiet). */
async function drift(tenantId: string, resource: 'agents' | 'storageBytes', by: number) {
  const current = await used(tenantId, resource, STANDING_PERIOD);
  await QuotaCounterEntity.patch({ tenantId, resource, period: STANDING_PERIOD })
    .set({ used: (current?.used ?? 0) + by, updatedAt: new Date(Date.now() - 5 * 60_000).toISOString() })
    .go({ client: platformDocumentClient, response: 'none' });
}

/** A run's count taken, and the process dead before the run was written (what a crash leaves). */
async function orphanRunCounts(tenant: TestTenant, count: number, at: Date) {
  const ctx = ownerContext(tenant.id, tenant.owner.id, 'professional');
  await runWithTenantContext(ctx, () => consumePeriodic(ctx, 'runs', count, at));
}

const reconcile = async (tenant: TestTenant, token?: string) =>
  call<Reconciled>('POST', `/v1/tenants/${tenant.id}/quotas/reconcile`, {
    token: token ?? (await adminToken()),
  });

const lineOf = (body: Reconciled, resource: string) =>
  body.counters.find((line) => line.resource === resource);

describe('reconciling quota counters with their items', () => {
  it('repairs counters that drifted, audits each repair, and leaves the ones that match', async () => {
    const tenant = await createTenant();
    await createResources(tenant);
    const month = monthPeriod(new Date());
    const fiveMinutesAgo = new Date(Date.now() - 5 * 60_000);
    await orphanRunCounts(tenant, 2, fiveMinutesAgo);
    await drift(tenant.id, 'agents', -1);
    expect((await used(tenant.id, 'runs', month))?.used).toBe(3);

    const response = await reconcile(tenant);
    expect(response.status, response.text).toBe(200);
    expect(lineOf(response.body, 'runs')).toMatchObject({
      period: month,
      counted: 3,
      recounted: 1,
      outcome: 'repaired',
    });
    expect(lineOf(response.body, 'agents')).toMatchObject({ counted: 0, recounted: 1, outcome: 'repaired' });
    for (const resource of ['users', 'apiKeys', 'storageBytes']) {
      expect(lineOf(response.body, resource)?.outcome, resource).toBe('matches');
    }
    // The counters equal their items now.
    expect((await used(tenant.id, 'runs', month))?.used).toBe(1);
    expect((await used(tenant.id, 'agents', STANDING_PERIOD))?.used).toBe(1);
    const audited = (await storedAuditEvents(tenant.id)).filter(
      (event) => event.action === 'quota.reconciled',
    );
    expect(audited.map((event) => [event.before?.used, event.after?.used]).sort()).toEqual(
      [
        [0, 1],
        [3, 1],
      ].sort(),
    );
    // A second pass finds nothing to do.
    const again = await reconcile(tenant);
    expect(again.body.counters.every((line) => line.outcome === 'matches')).toBe(true);
  });

  it('leaves a counter that moved in the last minute: a request may be between its count and its item', async () => {
    const tenant = await createTenant();
    await createResources(tenant);
    await orphanRunCounts(tenant, 1, new Date());
    const response = await reconcile(tenant);
    expect(lineOf(response.body, 'runs')).toMatchObject({ counted: 2, recounted: 1, outcome: 'busy' });
    expect((await used(tenant.id, 'runs', monthPeriod(new Date())))?.used).toBe(2);
  });

  it('runs daily for every tenant as the quota-reconcile job, with the same repairs', async () => {
    const tenant = await createTenant();
    await createResources(tenant);
    await drift(tenant.id, 'storageBytes', 500);
    const before = (await used(tenant.id, 'storageBytes', STANDING_PERIOD))?.used ?? 0;
    await processTenantJob({ job: 'quota-reconcile', tenantId: tenant.id, period: 'x' });
    expect((await used(tenant.id, 'storageBytes', STANDING_PERIOD))?.used).toBe(before - 500);
  });

  it('is for platform admins: an owner is refused and nothing changes (the admin is the positive control)', async () => {
    const tenant = await createTenant();
    await createResources(tenant);
    await drift(tenant.id, 'agents', 3);
    const refused = await reconcile(tenant, tenant.owner.token);
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: 'permission_denied' });
    expect((await used(tenant.id, 'agents', STANDING_PERIOD))?.used).toBe(4);
    expect((await reconcile(tenant)).status).toBe(200);
    expect((await used(tenant.id, 'agents', STANDING_PERIOD))?.used).toBe(1);
  });
});
