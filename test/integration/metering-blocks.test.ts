import { describe, expect, it } from 'vitest';
import { platformDocumentClient } from '../../shared/data/clients';
import { QuotaCounterEntity } from '../../shared/data/entities/quota-counter';
import { withRequestCost } from '../../shared/observability/request-cost';
import { meterRequest } from '../../shared/quotas/request-metering';
import { runWithTenantContext } from '../../shared/context/tenant-context';
import { ownerContext } from '../helpers/tenant-context';
import { createTenant } from '../helpers/twin-api';

const used = async (tenantId: string, period: string) =>
  (
    await QuotaCounterEntity.get({ tenantId, resource: 'apiCalls', period }).go({
      client: platformDocumentClient,
      consistent: true,
    })
  ).data;

describe('metering a hot tenant in leased blocks', () => {
  it('admits a busy tenant with far fewer writes than requests, and gives back what a block did not spend', async () => {
    const tenant = await createTenant({ plan: 'enterprise' });
    const ctx = ownerContext(tenant.id, tenant.owner.id, 'enterprise');
    const minute = new Date('2035-03-03T10:00:10.000Z');
    const requests = 600;
    // Bursts of 50 at once: a hot tenant whatever this machine's speed (blocks grow for tenants
    // making 20 requests a second or more).
    const { cost } = await withRequestCost(() =>
      runWithTenantContext(ctx, async () => {
        for (let burst = 0; burst < requests / 50; burst += 1) {
          await Promise.all(Array.from({ length: 50 }, () => meterRequest(ctx, minute)));
        }
      }),
    );
    const writes = cost.commands.filter((command) => command === 'UpdateItem').length;
    // One write per request without blocks; blocks grow more slowly on a loaded machine, so the bound is loose.
    expect(writes / requests).toBeLessThan(0.5);
    // Positive control: every request was metered, and leased calls are counted until given back.
    const during = await used(tenant.id, '2035-03');
    expect(during?.used).toBeGreaterThanOrEqual(requests);
    // The next minute retires the block: the month holds exactly the calls admitted.
    await runWithTenantContext(ctx, () => meterRequest(ctx, new Date('2035-03-03T10:01:00.000Z')));
    const after = await used(tenant.id, '2035-03');
    expect(after?.used).toBeLessThanOrEqual(requests + 1 + 100);
    await runWithTenantContext(ctx, () => meterRequest(ctx, new Date('2035-03-03T10:02:00.000Z')));
    const settled = await used(tenant.id, '2035-03');
    expect((settled?.used ?? 0) - (settled?.windowCount ?? 0)).toBe(requests + 1);
  });

  it('never admits past the per-minute limit, however many blocks concurrent requests take', async () => {
    const tenant = await createTenant({ plan: 'enterprise', limitOverrides: { requestsPerMinute: 300 } });
    const ctx = ownerContext(tenant.id, tenant.owner.id, 'enterprise', { requestsPerMinute: 300 });
    const minute = new Date('2035-04-04T10:00:10.000Z');
    // Warm the tenant up so that its blocks grow, then 900 requests at once.
    await runWithTenantContext(ctx, async () => {
      for (let i = 0; i < 100; i += 1) await meterRequest(ctx, minute);
    });
    const outcomes = await runWithTenantContext(ctx, () =>
      Promise.all(
        Array.from({ length: 900 }, () =>
          meterRequest(ctx, minute).then(
            () => 'admitted',
            (error: { code?: string }) => error.code ?? 'error',
          ),
        ),
      ),
    );
    const admitted = outcomes.filter((outcome) => outcome === 'admitted').length + 100;
    expect(admitted).toBeLessThanOrEqual(300);
    // Under-use is bounded: at most one block (a tenth of the limit) short.
    expect(admitted).toBeGreaterThanOrEqual(300 - 30);
    expect(new Set(outcomes.filter((outcome) => outcome !== 'admitted'))).toEqual(new Set(['rate_limited']));
  });
});
