import { beforeAll, describe, expect, it } from 'vitest';
import { QuotaCounterEntity } from '../../shared/data/entities/quota-counter';
import { monthPeriod } from '../../shared/quotas/periods';
import { runWithTenantContext } from '../../shared/context/tenant-context';
import { ownerContext } from '../helpers/tenant-context';
import { call, createResources, createTenant, type TestTenant } from '../helpers/twin-api';

/** When the twin says these requests arrive: chosen, so the month's counters are known. */
const at = new Date('2031-09-15T10:00:00.000Z');

async function used(tenantId: string, resource: 'runs' | 'apiCalls'): Promise<number> {
  const ctx = ownerContext(tenantId, 'usr_x', 'professional');
  const result = await runWithTenantContext(ctx, () =>
    QuotaCounterEntity.get({ tenantId, resource, period: monthPeriod(at) }).go({ consistent: true }),
  );
  return result.data?.used ?? 0;
}

/** Validation runs before idempotency, rate limit and quota: a malformed request consumes nothing. */
describe('validation before metering', () => {
  let tenant: TestTenant;
  let agentId: string;

  beforeAll(async () => {
    tenant = await createTenant();
    ({ agentId } = await createResources(tenant));
  });

  it('leaves the month’s run and API-call counters untouched when runs.start has a bad body', async () => {
    const [runsBefore, callsBefore] = [await used(tenant.id, 'runs'), await used(tenant.id, 'apiCalls')];
    const response = await call('POST', `/v1/tenants/${tenant.id}/agents/${agentId}/runs`, {
      token: tenant.owner.token,
      body: { input: { ok: true }, unexpected: 1 },
      headers: { 'idempotency-key': 'bad-body-1' },
      at,
    });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ code: 'validation_failed' });
    expect(await used(tenant.id, 'runs')).toBe(runsBefore);
    expect(await used(tenant.id, 'apiCalls')).toBe(callsBefore);
  });

  it('consumes one run for the same request with a good body (positive control)', async () => {
    const runsBefore = await used(tenant.id, 'runs');
    const response = await call('POST', `/v1/tenants/${tenant.id}/agents/${agentId}/runs`, {
      token: tenant.owner.token,
      body: { input: { ok: true } },
      headers: { 'idempotency-key': 'bad-body-1' },
      at,
    });
    expect(response.status).toBe(201);
    expect(await used(tenant.id, 'runs')).toBe(runsBefore + 1);
  });
});
