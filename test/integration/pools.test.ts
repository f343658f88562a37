import { describe, expect, it } from 'vitest';
import { platformDocumentClient } from '../../shared/data/clients';
import { QuotaCounterEntity } from '../../shared/data/entities/quota-counter';
import { UsageBucketEntity } from '../../shared/data/entities/usage-bucket';
import { runWithTenantContext } from '../../shared/context/tenant-context';
import { takeForOperation } from '../../shared/quotas/quota-takes';
import { hourBucket, monthPeriod } from '../../shared/quotas/periods';
import { systemContextFor } from '../../shared/tenancy/system-context';
import {
  adminToken,
  call,
  createChild,
  createTenant,
  storedAuditEvents,
  type TestTenant,
} from '../helpers/twin-api';

interface QuotaLine {
  resource: string;
  used: number;
  limit: number | null;
  enforcedLimit: number | null;
  pooledFrom: string | null;
}

/** A month of its own, so each test's counters start at zero whatever else ran. */
const AT = new Date('2033-05-12T10:00:00.000Z');

function allocate(partner: TestTenant, childId: string, body: Record<string, unknown>) {
  return call<{ allocation: Record<string, number>; pooled: string[] }>(
    'PUT',
    `/v1/tenants/${partner.id}/children/${childId}/allocation`,
    { token: partner.owner.token, body },
  );
}

async function quotaLine(tenant: { id: string; token: string }, resource: string): Promise<QuotaLine> {
  const report = await call<{ quotas: QuotaLine[] }>('GET', `/v1/tenants/${tenant.id}/quotas`, {
    token: tenant.token,
    at: AT,
  });
  expect(report.status, report.text).toBe(200);
  return report.body.quotas.find((line) => line.resource === resource) as QuotaLine;
}

/** Polls until the functions' tenant caches (a few seconds) show the pool. */
async function eventuallyPooled(
  tenant: { id: string; token: string },
  resource: string,
  from: string | null,
) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const line = await quotaLine(tenant, resource);
    if (line.pooledFrom === from || Date.now() > deadline) return line;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function newAgent(tenant: { id: string; token: string }): Promise<string> {
  const made = await call<{ id: string }>('POST', `/v1/tenants/${tenant.id}/agents`, {
    token: tenant.token,
    body: { name: 'Pool agent', model: 'claude-sonnet' },
  });
  expect(made.status, made.text).toBe(201);
  return made.body.id;
}

const startRun = (tenant: { id: string; token: string }, agentId: string) =>
  call<{ id: string; code?: string; limit?: number }>(
    'POST',
    `/v1/tenants/${tenant.id}/agents/${agentId}/runs`,
    { token: tenant.token, body: {}, at: AT },
  );

const counterOf = async (tenantId: string, resource: 'runs' | 'tokens') =>
  (
    await QuotaCounterEntity.get({ tenantId, resource, period: monthPeriod(AT) }).go({
      client: platformDocumentClient,
      consistent: true,
    })
  ).data;

const asOwner = (tenant: TestTenant) => ({ id: tenant.id, token: tenant.owner.token });

describe('a partner’s pool of runs and tokens its children draw on', () => {
  it('admits the partner and its pooled children together, never past the partner’s ceiling, under concurrency', async () => {
    const partner = await createTenant({ plan: 'partner', limitOverrides: { runs: 10 } });
    const [first, second, sliced] = [
      await createChild(partner),
      await createChild(partner),
      await createChild(partner),
    ];
    for (const child of [first, second]) {
      const pooled = await allocate(partner, child.id, { limits: {}, pooled: ['runs', 'tokens'] });
      expect(pooled.status, pooled.text).toBe(200);
      expect(pooled.body).toMatchObject({ allocation: {}, pooled: ['runs', 'tokens'] });
    }
    // A sibling given a slice instead counts its own: the positive control for "not in the pool".
    expect((await allocate(partner, sliced.id, { limits: { runs: 3 } })).status).toBe(200);
    const pool = await eventuallyPooled(asOwner(first), 'runs', partner.id);
    await eventuallyPooled(asOwner(second), 'runs', partner.id);
    const partnerLine = await quotaLine(asOwner(partner), 'runs');
    // The child's limit is the partner's own (10 runs less the sibling's slice of 3), with the
    // partner's grace, not its own plan's.
    expect(partnerLine.limit).toBe(7);
    expect(pool).toMatchObject({
      limit: 7,
      enforcedLimit: partnerLine.enforcedLimit,
      pooledFrom: partner.id,
    });
    expect(partnerLine.pooledFrom).toBeNull();
    const ceiling = partnerLine.enforcedLimit as number;

    const tenants = [asOwner(partner), asOwner(first), asOwner(second)];
    const agents = await Promise.all(tenants.map((tenant) => newAgent(tenant)));
    const slicedAgent = await newAgent(asOwner(sliced));
    // Six starts each from the three at once: more than the pool holds.
    const answers = await Promise.all(
      tenants.flatMap((tenant, index) => Array.from({ length: 6 }, () => startRun(tenant, agents[index]!))),
    );
    const statuses = answers.map((answer) => answer.status);
    for (const status of statuses) expect([201, 429]).toContain(status);
    expect(statuses.filter((status) => status === 201)).toHaveLength(ceiling);
    const refused = answers.find((answer) => answer.status === 429);
    expect(refused?.body).toMatchObject({ code: 'quota_exceeded', resource: 'runs', limit: ceiling });
    // The pool's counter holds every admitted run, whoever started it; each child's report shows it.
    expect((await counterOf(partner.id, 'runs'))?.used).toBe(ceiling);
    expect((await quotaLine(asOwner(second), 'runs')).used).toBe(ceiling);
    // The children's own counters hold none of it.
    expect((await counterOf(first.id, 'runs'))?.used ?? 0).toBe(0);
    // The sliced sibling still has its own 3.
    const own = [];
    for (let index = 0; index < 4; index += 1)
      own.push((await startRun(asOwner(sliced), slicedAgent)).status);
    expect(own).toEqual([201, 201, 201, 429]);
    expect((await counterOf(partner.id, 'runs'))?.used).toBe(ceiling);

    // Tokens a pooled child's run used go on the partner's counter; the child's hour shows its own.
    const childRun = answers.find((answer, index) => answer.status === 201 && index >= 6)!;
    const childId = answers.indexOf(childRun) < 12 ? first.id : second.id;
    const childToken = childId === first.id ? first.owner.token : second.owner.token;
    const before = (await counterOf(partner.id, 'tokens'))?.used ?? 0;
    const completed = await call('POST', `/v1/tenants/${childId}/runs/${childRun.body.id}/complete`, {
      token: childToken,
      body: { status: 'succeeded', tokensUsed: 1234 },
      at: AT,
    });
    expect(completed.status, completed.text).toBe(200);
    expect((await counterOf(partner.id, 'tokens'))?.used).toBe(before + 1234);
    expect((await counterOf(childId, 'tokens'))?.used ?? 0).toBe(0);
    const bucket = await UsageBucketEntity.get({
      tenantId: childId,
      resource: 'tokens',
      hour: hourBucket(AT),
    }).go({
      client: platformDocumentClient,
    });
    expect(bucket.data?.used).toBe(1234);

    // The daily reconciliation recounts the pool with the children's runs: it matches, nothing repaired.
    const reconciled = await call<{ counters: Array<{ resource: string; period: string; outcome: string }> }>(
      'POST',
      `/v1/tenants/${partner.id}/quotas/reconcile`,
      { token: await adminToken(), at: new Date(AT.getTime() + 10 * 60_000) },
    );
    expect(reconciled.status, reconciled.text).toBe(200);
    expect(
      reconciled.body.counters.find((line) => line.resource === 'runs' && line.period === monthPeriod(AT)),
    ).toMatchObject({ outcome: 'matches' });
    const childReconciled = await call<{
      counters: Array<{ resource: string; period: string; outcome: string }>;
    }>('POST', `/v1/tenants/${first.id}/quotas/reconcile`, {
      token: await adminToken(),
      at: new Date(AT.getTime() + 10 * 60_000),
    });
    expect(
      childReconciled.body.counters.find(
        (line) => line.resource === 'runs' && line.period === monthPeriod(AT),
      ),
    ).toMatchObject({ outcome: 'matches' });
    expect((await counterOf(partner.id, 'runs'))?.used).toBe(ceiling);
  });

  it('settles a pooled child’s dead take from the partner’s side: given back without a receipt', async () => {
    const partner = await createTenant({ plan: 'partner', limitOverrides: { runs: 10 } });
    const child = await createChild(partner);
    expect((await allocate(partner, child.id, { limits: {}, pooled: ['runs'] })).status).toBe(200);
    // A child's request took a run from the pool and died before its run was written.
    const ctx = (await systemContextFor(child.id, 'test', 'test'))!;
    expect(ctx.pools?.runs?.tenantId).toBe(partner.id);
    const taken = await runWithTenantContext(ctx, () => takeForOperation(ctx, 'runs', AT));
    expect(taken.take.member).toBe(`${child.id}/${taken.take.takeId}`);
    expect((await counterOf(partner.id, 'runs'))?.pending).toEqual([taken.take.member]);
    // The partner's reconciliation, later, finds no receipt in the child's partition: the unit goes back.
    const reconciled = await call('POST', `/v1/tenants/${partner.id}/quotas/reconcile`, {
      token: await adminToken(),
      at: new Date(AT.getTime() + 5 * 60_000),
    });
    expect(reconciled.status, reconciled.text).toBe(200);
    const counter = await counterOf(partner.id, 'runs');
    expect(counter?.used ?? 0).toBe(0);
    expect(counter?.pending ?? []).toEqual([]);
  });

  it('keeps a pool to one partner and its children, and a resource pooled or sliced, not both', async () => {
    const partner = await createTenant({ plan: 'partner' });
    const child = await createChild(partner);
    const both = await allocate(partner, child.id, { limits: { runs: 5 }, pooled: ['runs'] });
    expect(both.status).toBe(400);
    const unknown = await allocate(partner, child.id, { limits: {}, pooled: ['agents'] });
    expect(unknown.status).toBe(400);
    // The child, a partner itself, draws runs from the pool and has a child of its own.
    const upgrade = await call('PUT', `/v1/tenants/${child.id}/plan`, {
      token: await adminToken(),
      body: { plan: 'partner' },
    });
    expect(upgrade.status, upgrade.text).toBe(200);
    expect((await allocate(partner, child.id, { limits: {}, pooled: ['runs'] })).status).toBe(200);
    const childAsPartner: TestTenant = { ...child };
    const grandchild = await createChild(childAsPartner);
    // It cannot pool runs on (its runs are counted on its partner's counter)…
    const nested = await allocate(childAsPartner, grandchild.id, { limits: {}, pooled: ['runs'] });
    expect(nested.status).toBe(409);
    expect(nested.body).toMatchObject({ code: 'pool_nested', resource: 'runs' });
    // …but it may pool tokens, which it counts itself (the positive control).
    expect((await allocate(childAsPartner, grandchild.id, { limits: {}, pooled: ['tokens'] })).status).toBe(
      200,
    );
    // And now its partner cannot make it draw tokens from a pool.
    const above = await allocate(partner, child.id, { limits: {}, pooled: ['runs', 'tokens'] });
    expect(above.status).toBe(409);
    expect(above.body).toMatchObject({ code: 'pool_nested', resource: 'tokens' });
    // The change is audited in both tenants with what was pooled before and after.
    for (const tenantId of [partner.id, child.id]) {
      expect(
        (await storedAuditEvents(tenantId)).find(
          (event) => event.action === 'tenant.allocation_changed' && event.targetId === child.id,
        ),
      ).toMatchObject({ before: { pooled: [] }, after: { pooled: ['runs'] } });
    }
    // The children's list says who draws on the pool.
    const listed = await call<{ items: Array<{ id: string; pooled: string[] }> }>(
      'GET',
      `/v1/tenants/${partner.id}/children`,
      { token: partner.owner.token },
    );
    expect(listed.body.items.find((item) => item.id === child.id)?.pooled).toEqual(['runs']);
  });
});
