import { describe, expect, it } from 'vitest';
import { platformDocumentClient } from '../../shared/data/clients';
import { TenantEntity } from '../../shared/data/entities/tenant';
import { withRequestCost } from '../../shared/observability/request-cost';
import { BillingPeriodEntity } from '../../shared/data/entities/billing-period';
import { processTenantJob } from '../../shared/jobs/tenant-job-worker';
import { call, createTenant } from '../helpers/twin-api';
import { ownerContext } from '../helpers/tenant-context';
import { runWithTenantContext } from '../../shared/context/tenant-context';
import { meterRequest } from '../../shared/quotas/request-metering';

describe('the cost of a request in DynamoDB', () => {
  it('adds up the calls and the capacity units DynamoDB reports, reads and writes apart', async () => {
    const tenant = await createTenant();
    const { cost } = await withRequestCost(async () => {
      await TenantEntity.get({ tenantId: tenant.id }).go({
        client: platformDocumentClient,
        consistent: true,
      });
      await TenantEntity.get({ tenantId: tenant.id }).go({ client: platformDocumentClient });
    });
    expect(cost.calls).toBe(2);
    expect(cost.commands).toEqual(['GetItem', 'GetItem']);
    // A consistent read of a small item is 1 unit, an eventually consistent one half of that.
    expect(cost.readUnits).toBe(1.5);
    expect(cost.writeUnits).toBe(0);
  });

  it('counts sequential round trips: calls sent side by side count once', async () => {
    const tenant = await createTenant();
    const read = () => TenantEntity.get({ tenantId: tenant.id }).go({ client: platformDocumentClient });
    const { cost } = await withRequestCost(async () => {
      await Promise.all([read(), read(), read()]);
      await read();
    });
    expect(cost).toMatchObject({ calls: 4, roundTrips: 2 });
    // Positive control: one after another, each call is a round trip.
    const sequential = await withRequestCost(async () => {
      for (let i = 0; i < 3; i += 1) await read();
    });
    expect(sequential.cost).toMatchObject({ calls: 3, roundTrips: 3 });
  });

  it('counts a refused conditional write too (DynamoDB charges for it, at least one unit)', async () => {
    const tenant = await createTenant();
    const { cost } = await withRequestCost(async () => {
      await expect(
        TenantEntity.patch({ tenantId: tenant.id })
          .set({ name: 'x' })
          .where((attr, op) => op.eq(attr.updatedAt, 'never'))
          .go({ client: platformDocumentClient }),
      ).rejects.toThrow();
    });
    expect(cost).toMatchObject({ calls: 1, commands: ['UpdateItem'] });
    expect(cost.writeUnits).toBe(1);
  });

  it('records nothing outside a request', async () => {
    const tenant = await createTenant();
    const outside = await TenantEntity.get({ tenantId: tenant.id }).go({ client: platformDocumentClient });
    expect(outside.data?.tenantId).toBe(tenant.id);
  });
});

describe('the cost of serving a tenant', () => {
  it('goes to the tenant’s hourly usage and month with its metering writes, and into the billing close', async () => {
    const tenant = await createTenant({ plan: 'starter' });
    const at = (iso: string) => new Date(iso);
    const path = `/v1/tenants/${tenant.id}/agents`;
    for (const second of ['05', '10', '15']) {
      const response = await call('GET', path, {
        token: tenant.owner.token,
        at: at(`2034-01-10T10:00:${second}Z`),
      });
      expect(response.status).toBe(200);
    }
    // A new minute closes the last one into its hour.
    await call('GET', path, { token: tenant.owner.token, at: at('2034-01-10T10:01:00Z') });
    const usage = await call<{
      resources: Record<string, { total: number; series: Array<{ start: string; used: number }> }>;
      servingCost: { readUnits: number; writeUnits: number; dynamoDbUsd: number };
    }>(
      'GET',
      `/v1/tenants/${tenant.id}/usage?granularity=hour&from=2034-01-10T00:00:00Z&to=2034-01-10T11:00:00Z`,
      {
        token: tenant.owner.token,
        at: at('2034-01-10T10:01:30Z'),
      },
    );
    expect(usage.status).toBe(200);
    // Four metered calls (the usage read itself is the fifth, in its own open minute).
    expect(usage.body.resources.apiCalls?.total).toBe(5);
    expect(usage.body.resources.readUnits?.total).toBeGreaterThan(0);
    expect(usage.body.resources.writeUnits?.total).toBeGreaterThan(0);
    expect(usage.body.resources.readUnits?.series.map((point) => point.start)).toEqual([
      '2034-01-10T10:00:00.000Z',
    ]);
    expect(usage.body.servingCost.dynamoDbUsd).toBeGreaterThan(0);
    expect(usage.body.servingCost.readUnits).toBe(usage.body.resources.readUnits?.total);

    await processTenantJob(
      { job: 'billing-close', tenantId: tenant.id, period: '2034-01' },
      at('2034-02-01T01:00:00Z'),
    );
    const bill = await BillingPeriodEntity.get({ tenantId: tenant.id, period: '2034-01' }).go({
      client: platformDocumentClient,
      consistent: true,
    });
    expect(bill.data?.servingCost).toMatchObject({
      readUnits: expect.any(Number),
      writeUnits: expect.any(Number),
      dynamoDbUsd: expect.any(Number),
      planPrice: { amount: 2_900, currency: 'usd' },
    });
    expect((bill.data?.servingCost as { writeUnits: number }).writeUnits).toBeGreaterThan(0);
  });
});

describe('metering’s round trips', () => {
  it('opens a minute in one write when the instance has seen no request of the tenant in it, and meters an open minute in one write', async () => {
    const tenant = await createTenant({ limitOverrides: { requestsPerMinute: 100 } });
    const ctx = ownerContext(tenant.id, tenant.owner.id, 'starter', { requestsPerMinute: 100 });
    const meter = (iso: string) =>
      withRequestCost(() => runWithTenantContext(ctx, () => meterRequest(ctx, new Date(iso))));
    // The tenant's first request here: its window was never opened; one write opens it.
    const first = await meter('2036-02-03T10:00:05.000Z');
    expect(first.cost.commands).toEqual(['UpdateItem']);
    // The same minute again: its window is open; one write counts in it.
    const again = await meter('2036-02-03T10:00:20.000Z');
    expect(again.cost.commands).toEqual(['UpdateItem']);
    expect(again.result.remaining).toBe(98);
    // The next minute: this instance's last request was in an older one, so it opens the new one at
    // once, then moves the finished minute to its hour's usage: two round trips, no refused write.
    const next = await meter('2036-02-03T10:01:02.000Z');
    expect(next.cost.roundTrips).toBe(2);
    expect(next.result.remaining).toBe(99);
  });
});
