import { describe, expect, it } from 'vitest';
import { processTenantJob } from '../../shared/jobs/tenant-job-worker';
import {
  adminToken,
  call,
  createChild,
  createTenant,
  storedAuditEvents,
  unique,
  type TestTenant,
} from '../helpers/twin-api';

/** A child of the partner, as the tests use it: its id, slug and owner's token. */
async function newChild(partner: TestTenant) {
  const child = await createChild(partner);
  return { id: child.id, slug: child.slug, token: child.owner.token };
}

function allocate(partner: TestTenant, childId: string, limits: Record<string, number>) {
  return call<{ allocation: Record<string, number>; partnerAllocated: Record<string, number> }>(
    'PUT',
    `/v1/tenants/${partner.id}/children/${childId}/allocation`,
    { token: partner.owner.token, body: { limits } },
  );
}

async function limitOf(tenantId: string, token: string, resource: string): Promise<number | null> {
  const report = await call<{ quotas: Array<{ resource: string; limit: number | null }> }>(
    'GET',
    `/v1/tenants/${tenantId}/quotas`,
    { token },
  );
  expect(report.status, report.text).toBe(200);
  return report.body.quotas.find((line) => line.resource === resource)?.limit ?? null;
}

/** Polls until the functions' tenant caches (a few seconds) show the change. */
async function eventually<T>(read: () => Promise<T>, expected: T): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = await read();
    if (value === expected || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('a partner’s limits given to its children in slices', () => {
  it('makes a slice the child’s limit, hard, and takes it off the partner’s own; audited in both', async () => {
    const partner = await createTenant({ plan: 'partner' });
    const child = await newChild(partner);
    const given = await allocate(partner, child.id, { agents: 2, runs: 40 });
    expect(given.status, given.text).toBe(200);
    expect(given.body).toMatchObject({
      allocation: { agents: 2, runs: 40 },
      partnerAllocated: { agents: 2, runs: 40 },
    });
    // The child (Free: 3 agents, 100 runs) now has what it was given, not its plan's.
    expect(await eventually(() => limitOf(child.id, child.token, 'agents'), 2)).toBe(2);
    expect(await limitOf(child.id, child.token, 'runs')).toBe(40);
    // The partner (500 agents) keeps 498 for itself.
    expect(await eventually(() => limitOf(partner.id, partner.owner.token, 'agents'), 498)).toBe(498);
    const made = [];
    for (let index = 0; index < 3; index += 1) {
      made.push(
        await call('POST', `/v1/tenants/${child.id}/agents`, {
          token: child.token,
          body: { name: `Agent ${index}`, model: 'claude-sonnet' },
        }),
      );
    }
    expect(made.map((response) => response.status)).toEqual([201, 201, 403]);
    expect(made[2]?.body).toMatchObject({ code: 'quota_exceeded', resource: 'agents', limit: 2 });
    // The children's list shows the slices; both logs have the change.
    const listed = await call<{ items: Array<{ id: string; allocation: Record<string, number> }> }>(
      'GET',
      `/v1/tenants/${partner.id}/children`,
      { token: partner.owner.token },
    );
    expect(listed.body.items.find((item) => item.id === child.id)?.allocation).toEqual({
      agents: 2,
      runs: 40,
    });
    for (const tenantId of [partner.id, child.id]) {
      expect(
        (await storedAuditEvents(tenantId)).find((event) => event.action === 'tenant.allocation_changed'),
      ).toMatchObject({ targetId: child.id, after: { allocation: { agents: 2, runs: 40 } } });
    }
    // A PUT replaces: runs left out follow the plan again, and go back to the partner.
    const replaced = await allocate(partner, child.id, { agents: 2 });
    expect(replaced.body).toMatchObject({ allocation: { agents: 2 }, partnerAllocated: { agents: 2 } });
    expect(await eventually(() => limitOf(child.id, child.token, 'runs'), 100)).toBe(100);
  });

  it('never gives more than the partner has, however many allocations race', async () => {
    const partner = await createTenant({ plan: 'partner', limitOverrides: { agents: 10 } });
    const children = [];
    for (let index = 0; index < 5; index += 1) children.push(await newChild(partner));
    // Over the limit alone: refused, naming what is left.
    const tooMuch = await allocate(partner, children[0]!.id, { agents: 11 });
    expect(tooMuch.status).toBe(409);
    expect(tooMuch.body).toMatchObject({ code: 'allocation_exceeds_limit', resource: 'agents', limit: 10 });
    for (let round = 0; round < 2; round += 1) {
      // Five children asking 3 each of 10 at once: at most three can have it.
      const answers = await Promise.all(children.map((child) => allocate(partner, child.id, { agents: 3 })));
      const statuses = answers.map((answer) => answer.status);
      for (const status of statuses) expect([200, 409]).toContain(status);
      const listed = await call<{ items: Array<{ allocation: Record<string, number> }> }>(
        'GET',
        `/v1/tenants/${partner.id}/children`,
        { token: partner.owner.token },
      );
      const sum = listed.body.items.reduce((total, item) => total + (item.allocation.agents ?? 0), 0);
      expect(sum).toBeLessThanOrEqual(10);
      // Each success is in the sum, each refusal is not; some succeed.
      expect(sum).toBe(3 * statuses.filter((status) => status === 200).length);
      expect(sum).toBeGreaterThan(0);
      // What the partner keeps is its limit less the children's sum, exactly.
      const tenantView = await eventually(() => limitOf(partner.id, partner.owner.token, 'agents'), 10 - sum);
      expect(tenantView).toBe(10 - sum);
      // Give everything back for the next round.
      for (const child of children) expect((await allocate(partner, child.id, {})).status).toBe(200);
    }
  });

  it('gives a purged child’s slices back to its partner; refuses a tenant not its own child', async () => {
    const partner = await createTenant({ plan: 'partner' });
    const child = await newChild(partner);
    const stranger = await createTenant();
    const refused = await allocate(partner, stranger.id, { agents: 1 });
    expect(refused.status).toBe(404);
    expect(refused.body).toMatchObject({ code: 'child_not_found' });
    // A grandchild takes its slices from its own parent, not from above.
    await call('PUT', `/v1/tenants/${child.id}/plan`, {
      token: await adminToken(),
      body: { plan: 'partner' },
    });
    const grandchild = await call<{ tenant: { id: string } }>('POST', `/v1/tenants/${child.id}/children`, {
      token: child.token,
      body: {
        name: 'Grandchild',
        slug: unique('g').toLowerCase(),
        owner: { email: `${unique('g')}@g.test` },
      },
    });
    expect(grandchild.status, grandchild.text).toBe(201);
    expect((await allocate(partner, grandchild.body.tenant.id, { agents: 1 })).status).toBe(404);

    const other = await newChild(partner);
    expect((await allocate(partner, other.id, { runs: 500 })).status).toBe(200);
    const deleted = await call('DELETE', `/v1/tenants/${other.id}`, {
      token: other.token,
      body: { confirm: other.slug },
    });
    expect(deleted.status, deleted.text).toBe(200);
    const later = new Date(Date.now() + 31 * 86_400_000);
    const purge = () =>
      processTenantJob(
        { job: 'tenant-purge', tenantId: other.id, period: later.toISOString().slice(0, 10) },
        later,
      );
    await purge();
    await purge();
    expect(await eventually(() => limitOf(partner.id, partner.owner.token, 'runs'), 100_000)).toBe(100_000);
  });
});
