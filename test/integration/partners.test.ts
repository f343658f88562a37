import { describe, expect, it } from 'vitest';
import {
  activate,
  adminToken,
  call,
  countItems,
  createTenant,
  quotaUsed,
  storedAuditEvents,
  unique,
} from '../helpers/twin-api';
import { processTenantJob } from '../../shared/jobs/tenant-job-worker';
import { PLANS } from '../../shared/model/plans';

interface Child {
  id: string;
  name: string;
  plan: string;
  status: string;
  parentId: string;
  depth: number;
}

/** A child of `parent` made by `token` (its owner's by default), with its owner signed in. */
async function newChild(parent: { id: string }, token: string) {
  const slug = unique('c').toLowerCase();
  const email = `${unique('customer')}@customer.test`;
  const made = await call<{ tenant: { id: string; plan: string }; owner: { id: string; status: string } }>(
    'POST',
    `/v1/tenants/${parent.id}/children`,
    { token, body: { name: `Customer ${slug}`, slug, owner: { email } } },
  );
  expect(made.status, made.text).toBe(201);
  return { id: made.body.tenant.id, slug, email, plan: made.body.tenant.plan, made };
}

async function subtree(tenant: { id: string }, token: string): Promise<Child[]> {
  const listed = await call<{ items: Child[] }>('GET', `/v1/tenants/${tenant.id}/children?limit=100`, {
    token,
  });
  expect(listed.status, listed.text).toBe(200);
  return listed.body.items;
}

async function setPlan(tenantId: string, plan: string, limitOverrides: Record<string, number | null> = {}) {
  const changed = await call('PUT', `/v1/tenants/${tenantId}/plan`, {
    token: await adminToken(),
    body: { plan, limitOverrides },
  });
  expect(changed.status, changed.text).toBe(200);
}

describe('partners and the tenants below them', () => {
  it('creates a customer’s tenant below a partner, owned by the customer, audited in both, listed in the partner’s subtree', async () => {
    const partner = await createTenant({ plan: 'partner' });
    const child = await newChild(partner, partner.owner.token);
    expect(child.plan).toBe('free');
    expect(child.made.body.owner.status).toBe('invited');
    expect(await subtree(partner, partner.owner.token)).toEqual([
      expect.objectContaining({
        id: child.id,
        plan: 'free',
        status: 'active',
        parentId: partner.id,
        depth: 1,
      }),
    ]);
    expect(await quotaUsed(partner, 'childTenants')).toBe(1);
    // Audited in the partner's log, and in the child's as the partner's person acting.
    const partnerEvents = await storedAuditEvents(partner.id);
    expect(partnerEvents.find((event) => event.action === 'tenant.child_created')).toMatchObject({
      targetId: child.id,
      actorId: partner.owner.id,
    });
    const childEvents = await storedAuditEvents(child.id);
    expect(childEvents.find((event) => event.action === 'tenant.created')).toMatchObject({
      actorId: partner.owner.id,
    });
    // The customer owns it: their first request makes them an active owner.
    const ownerToken = await activate(child.email);
    const own = await call<{ id: string }>('GET', `/v1/tenants/${child.id}`, { token: ownerToken });
    expect(own.status).toBe(200);
  });

  it('gives the partner nothing of its child’s data, and the child nothing of its partner’s or its sibling’s', async () => {
    const partner = await createTenant({ plan: 'partner' });
    const [first, second] = [
      await newChild(partner, partner.owner.token),
      await newChild(partner, partner.owner.token),
    ];
    const firstOwner = await activate(first.email);
    const secondOwner = await activate(second.email);
    // The rightful callers: each owner on their own tenant.
    expect((await call('GET', `/v1/tenants/${first.id}/agents`, { token: firstOwner })).status).toBe(200);
    expect(
      (await call('GET', `/v1/tenants/${partner.id}/children`, { token: partner.owner.token })).status,
    ).toBe(200);
    // The partner's owner on the child (no delegation), the child's on the partner and on its sibling.
    for (const [token, path] of [
      [partner.owner.token, `/v1/tenants/${first.id}/agents`],
      [partner.owner.token, `/v1/tenants/${first.id}`],
      [firstOwner, `/v1/tenants/${partner.id}/children`],
      [firstOwner, `/v1/tenants/${partner.id}`],
      [firstOwner, `/v1/tenants/${second.id}/agents`],
      [secondOwner, `/v1/tenants/${first.id}/children`],
    ] as const) {
      const refused = await call('GET', path, { token });
      expect(refused.status, path).toBe(403);
      expect(refused.body).toMatchObject({ code: 'tenant_mismatch' });
      expect(refused.text).not.toContain(first.slug);
    }
    // A child lists no one above it: its own subtree is empty.
    expect(await subtree(first, firstOwner)).toEqual([]);
  });

  it('shows the partner each child’s health, as codes without figures, and nothing of a tenant not below it', async () => {
    const partner = await createTenant({ plan: 'partner' });
    const child = await newChild(partner, partner.owner.token);
    const health = (id: string, token = partner.owner.token) =>
      call<{ status: string; reasons: Array<Record<string, unknown>> }>(
        'GET',
        `/v1/tenants/${partner.id}/children/${id}/health`,
        { token },
      );
    const healthy = await health(child.id);
    expect(healthy.status, healthy.text).toBe(200);
    expect(healthy.body).toMatchObject({ childId: child.id, status: 'healthy', reasons: [] });
    // Its use of each quota against its limit (the owner counts as one user; Free's limits).
    const usage = (healthy.body as unknown as { usage: Array<Record<string, unknown>> }).usage;
    expect(usage.find((line) => line.resource === 'users')).toMatchObject({
      used: 1,
      limit: PLANS.free.limits.users,
      pooledFrom: null,
    });
    expect(usage.find((line) => line.resource === 'runs')).toMatchObject({
      used: 0,
      limit: PLANS.free.limits.runs,
    });
    // Suspended by the platform: critical, said by its code alone (not the reason the admin wrote).
    const suspended = await call('POST', `/v1/tenants/${child.id}/suspend`, {
      token: await adminToken(),
      body: { reason: 'Confidential billing dispute' },
    });
    expect(suspended.status, suspended.text).toBe(200);
    const critical = await health(child.id);
    expect(critical.body).toMatchObject({
      status: 'critical',
      reasons: [{ code: 'suspended', severity: 'critical' }],
    });
    expect(critical.text).not.toContain('Confidential');
    // Another tenant's id, or the partner's own, is no child of it.
    const stranger = await createTenant();
    for (const id of [stranger.id, partner.id]) {
      const refused = await health(id);
      expect(refused.status).toBe(404);
      expect(refused.body).toMatchObject({ code: 'child_not_found' });
      expect(refused.text).not.toContain(stranger.slug);
    }
  });

  it('keeps a partner while tenants are below it; a child’s purge takes it out of the subtree, gives its place back and ends its delegations', async () => {
    const partner = await createTenant({ plan: 'partner' });
    const child = await newChild(partner, partner.owner.token);
    const childOwner = await activate(child.email);
    const asked = await call('POST', `/v1/tenants/${partner.id}/delegations`, {
      token: partner.owner.token,
      body: { childId: child.id, role: 'viewer', durationDays: 30 },
    });
    expect(asked.status, asked.text).toBe(201);
    const refused = await call('DELETE', `/v1/tenants/${partner.id}`, {
      token: partner.owner.token,
      body: { confirm: partner.slug },
    });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'tenant_has_children' });
    // The customer deletes its tenant; past the retention window, the purge.
    const deleted = await call('DELETE', `/v1/tenants/${child.id}`, {
      token: childOwner,
      body: { confirm: child.slug },
    });
    expect(deleted.status, deleted.text).toBe(200);
    expect((await subtree(partner, partner.owner.token)).map((c) => c.status)).toEqual(['deleted']);
    const later = new Date(Date.now() + 31 * 86_400_000);
    const purge = () =>
      processTenantJob(
        { job: 'tenant-purge', tenantId: child.id, period: later.toISOString().slice(0, 10) },
        later,
      );
    await purge();
    expect(await subtree(partner, partner.owner.token)).toEqual([]);
    expect(await quotaUsed(partner, 'childTenants')).toBe(0);
    expect(await countItems(partner.id, 'DELEGATION#')).toBe(0);
    // A second run finds it gone and gives nothing back twice.
    await purge();
    expect(await quotaUsed(partner, 'childTenants')).toBe(0);
    // Nothing below it now: the partner may go.
    const gone = await call('DELETE', `/v1/tenants/${partner.id}`, {
      token: partner.owner.token,
      body: { confirm: partner.slug },
    });
    expect(gone.status, gone.text).toBe(200);
  });

  it('nests to four levels below the root, each ancestor listing its whole subtree, and refuses a fifth', async () => {
    const root = await createTenant({ plan: 'partner' });
    const chain: Array<{ id: string; token: string }> = [{ id: root.id, token: root.owner.token }];
    for (let level = 1; level <= 4; level += 1) {
      const above = chain.at(-1) as { id: string; token: string };
      const child = await newChild(above, above.token);
      // Each level a partner of its own, signed in by its owner.
      await setPlan(child.id, 'partner');
      chain.push({ id: child.id, token: await activate(child.email) });
    }
    const deepest = chain.at(-1) as { id: string; token: string };
    const refused = await call('POST', `/v1/tenants/${deepest.id}/children`, {
      token: deepest.token,
      body: {
        name: 'Too deep',
        slug: unique('deep').toLowerCase(),
        owner: { email: `${unique('d')}@deep.test` },
      },
    });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'hierarchy_too_deep', maxDepth: 4 });
    const rootView = await subtree(root, root.owner.token);
    expect(rootView.map((child) => [child.id, child.depth])).toEqual(
      chain.slice(1).map((level, index) => [level.id, index + 1]),
    );
    expect(
      (await subtree(chain[2] as { id: string }, (chain[2] as { token: string }).token)).map((c) => c.depth),
    ).toEqual([1, 2]);
    // Each level's plan change shows in every ancestor's list at once (the same transaction).
    const changed = chain[3] as { id: string };
    await setPlan(changed.id, 'business');
    expect((await subtree(root, root.owner.token)).find((child) => child.id === changed.id)?.plan).toBe(
      'business',
    );
    expect(
      (await subtree(chain[1] as { id: string }, (chain[1] as { token: string }).token)).find(
        (child) => child.id === changed.id,
      )?.plan,
    ).toBe('business');
  });

  it('sells child tenants on the Partner plan only, and counts them against its limit when creates race', async () => {
    const professional = await createTenant({ plan: 'professional' });
    const unsold = await call('POST', `/v1/tenants/${professional.id}/children`, {
      token: professional.owner.token,
      body: { name: 'No', slug: unique('no').toLowerCase(), owner: { email: `${unique('n')}@no.test` } },
    });
    expect(unsold.status).toBe(403);
    expect(unsold.body).toMatchObject({ code: 'feature_not_in_plan', feature: 'partners' });
    expect(await countItems(professional.id, 'CHILD#')).toBe(0);

    const partner = await createTenant({ plan: 'partner', limitOverrides: { childTenants: 2 } });
    const answers = await Promise.all(
      Array.from({ length: 5 }, () =>
        call('POST', `/v1/tenants/${partner.id}/children`, {
          token: partner.owner.token,
          body: {
            name: 'Racer',
            slug: unique('race').toLowerCase(),
            owner: { email: `${unique('racer')}@race.test` },
          },
        }),
      ),
    );
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 201)).toHaveLength(2);
    for (const answer of answers.filter((one) => one.status !== 201)) {
      expect(answer.body).toMatchObject({ code: 'quota_exceeded', resource: 'childTenants' });
    }
    expect(await countItems(partner.id, 'CHILD#')).toBe(2);
    expect(await quotaUsed(partner, 'childTenants')).toBe(2);
  });

  it('refuses bad input with 400 and a taken slug with 409, creating nothing', async () => {
    const partner = await createTenant({ plan: 'partner' });
    for (const body of [
      {},
      { name: 'x', slug: 'UPPER', owner: { email: 'a@b.test' } },
      { name: 'x', slug: 'ok-slug', owner: { email: 'not-an-email' } },
      { name: 'x', slug: 'ok-slug', owner: { email: 'a@b.test' }, plan: 'enterprise' },
      { name: 'a\u0000b', slug: 'ok-slug', owner: { email: 'a@b.test' } },
    ]) {
      const refused = await call('POST', `/v1/tenants/${partner.id}/children`, {
        token: partner.owner.token,
        body,
      });
      expect(refused.status, JSON.stringify(body)).toBe(400);
    }
    const taken = await call('POST', `/v1/tenants/${partner.id}/children`, {
      token: partner.owner.token,
      body: { name: 'Taken', slug: partner.slug, owner: { email: `${unique('t')}@taken.test` } },
    });
    expect(taken.status).toBe(409);
    expect(taken.body).toMatchObject({ code: 'slug_taken' });
    expect(await countItems(partner.id, 'CHILD#')).toBe(0);
    expect(await quotaUsed(partner, 'childTenants')).toBe(0);
  });
});
