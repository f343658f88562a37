import { describe, expect, it } from 'vitest';
import {
  activate,
  addUser,
  call,
  createChild,
  createTenant,
  inbox,
  storedAuditEvents,
  unique,
  type TestTenant,
} from '../helpers/twin-api';

interface Delegation {
  id: string;
  side: 'granted' | 'held';
  status: string;
  role: string;
  partner: { id: string; name: string };
  child: { id: string; name: string };
  expiresAt: string | null;
}

/** A child of the partner: its id, slug, owner's address and token. */
async function newChild(partner: TestTenant) {
  const child = await createChild(partner);
  return { id: child.id, slug: child.slug, email: child.owner.email, ownerToken: child.owner.token };
}

async function requestDelegation(
  partner: TestTenant,
  childId: string,
  body: Record<string, unknown> = {},
  token = partner.owner.token,
) {
  return call<Delegation>('POST', `/v1/tenants/${partner.id}/delegations`, {
    token,
    body: { childId, role: 'admin', durationDays: 30, ...body },
  });
}

async function approve(
  child: { id: string; ownerToken: string },
  partnerId: string,
  delegationId: string,
  at?: Date,
) {
  return call<Delegation>('POST', `/v1/tenants/${child.id}/delegations/${partnerId}/approve`, {
    token: child.ownerToken,
    body: { delegationId },
    ...(at ? { at } : {}),
  });
}

/** A partner, a child below it, and a delegation the child's owner approved. */
async function delegated(role = 'admin') {
  const partner = await createTenant({ plan: 'partner' });
  const child = await newChild(partner);
  const asked = await requestDelegation(partner, child.id, { role });
  expect(asked.status, asked.text).toBe(201);
  const approved = await approve(child, partner.id, asked.body.id);
  expect(approved.status, approved.text).toBe(200);
  return { partner, child, delegation: approved.body };
}

/** Polls until `check` passes: what another function caches (a few seconds) catches up. */
async function eventually(check: () => Promise<boolean>, waitMs = 15_000): Promise<boolean> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('delegations: a partner’s people in a tenant below it', () => {
  it('is asked for by the partner, approved by the child’s owner, audited in both, and opens the child under its role', async () => {
    const partner = await createTenant({ plan: 'partner' });
    const child = await newChild(partner);
    const asked = await requestDelegation(partner, child.id, { reason: 'Set up the launch agents' });
    expect(asked.status, asked.text).toBe(201);
    expect(asked.body).toMatchObject({ side: 'held', status: 'pending', role: 'admin', expiresAt: null });
    // The child's owners are told, and see it pending from their side.
    const told = await inbox(child.email, { subject: 'asks for access', waitMs: 10_000 });
    expect(told[0]?.text).toContain('Set up the launch agents');
    const seen = await call<{ items: Delegation[] }>('GET', `/v1/tenants/${child.id}/delegations`, {
      token: child.ownerToken,
    });
    expect(seen.body.items).toEqual([
      expect.objectContaining({ id: asked.body.id, side: 'granted', status: 'pending' }),
    ]);
    // Pending: the partner's people are not in yet, and are told why.
    const early = await call('GET', `/v1/tenants/${child.id}/agents`, { token: partner.owner.token });
    expect(early.status).toBe(403);
    expect(early.body).toMatchObject({
      code: 'delegation_inactive',
      delegationStatus: 'pending',
      partnerId: partner.id,
    });

    const approved = await approve(child, partner.id, asked.body.id);
    expect(approved.status, approved.text).toBe(200);
    expect(approved.body.status).toBe('active');
    expect(Date.parse(approved.body.expiresAt ?? '')).toBeGreaterThan(Date.now() + 29 * 86_400_000);
    for (const tenantId of [partner.id, child.id]) {
      const actions = (await storedAuditEvents(tenantId)).map((event) => event.action);
      expect(actions, tenantId).toEqual(
        expect.arrayContaining(['delegation.requested', 'delegation.approved']),
      );
    }

    // The partner's owner acts in the child as admin: reads and writes, audited as acting for the partner.
    const made = await call<{ id: string }>('POST', `/v1/tenants/${child.id}/agents`, {
      token: partner.owner.token,
      body: { name: 'Launch agent', model: 'claude-sonnet' },
    });
    expect(made.status, made.text).toBe(201);
    const log = await call<{
      items: Array<{ action: string; actor: Record<string, unknown>; target: { id: string } }>;
    }>('GET', `/v1/tenants/${child.id}/audit-logs?action=agent.created`, { token: child.ownerToken });
    expect(log.body.items.find((event) => event.target.id === made.body.id)?.actor).toMatchObject({
      id: partner.owner.id,
      email: partner.owner.email,
      tenantId: partner.id,
      actingFor: { tenantId: partner.id, delegationId: asked.body.id },
    });
    // What a delegation never opens, whatever its role: API keys (they would outlive it), the
    // child's own delegations.
    for (const [method, path, body] of [
      ['POST', `/v1/tenants/${child.id}/api-keys`, { name: 'Backdoor', scopes: ['agents:read'] }],
      ['DELETE', `/v1/tenants/${child.id}/delegations/${partner.id}`, undefined],
    ] as const) {
      const refused = await call(method, path, { token: partner.owner.token, body });
      expect(refused.status, path).toBe(403);
      expect(refused.body).toMatchObject({ code: 'permission_denied' });
    }
  });

  it('tells a new tenant’s owner of a request before their first sign-in', async () => {
    const partner = await createTenant({ plan: 'partner' });
    const email = `${unique('fresh')}@customer.test`;
    const slug = unique('f').toLowerCase();
    const made = await call<{ tenant: { id: string } }>('POST', `/v1/tenants/${partner.id}/children`, {
      token: partner.owner.token,
      body: { name: `Fresh ${slug}`, slug, owner: { email } },
    });
    expect(made.status, made.text).toBe(201);
    // Asked at once: the owner is still invited, and is told with the invitation.
    const asked = await requestDelegation(partner, made.body.tenant.id, { reason: 'Onboarding' });
    expect(asked.status, asked.text).toBe(201);
    const told = await inbox(email, { subject: 'asks for access', waitMs: 10_000 });
    expect(told).toHaveLength(1);
    expect(told[0]?.text).toContain('Onboarding');
  });

  it('caps each of the partner’s people at the lower of the delegation’s role and their own', async () => {
    const { partner, child } = await delegated('member');
    const viewer = await addUser(partner, 'viewer');
    // A partner viewer reads the child, and writes nothing in it.
    expect((await call('GET', `/v1/tenants/${child.id}/agents`, { token: viewer.token })).status).toBe(200);
    const viewerWrite = await call('POST', `/v1/tenants/${child.id}/agents`, {
      token: viewer.token,
      body: { name: 'No', model: 'claude-sonnet' },
    });
    expect(viewerWrite.status).toBe(403);
    expect(viewerWrite.body).toMatchObject({ code: 'permission_denied' });
    // The partner's owner, capped at member: agents yes, the child's people no.
    const ownerWrite = await call('POST', `/v1/tenants/${child.id}/agents`, {
      token: partner.owner.token,
      body: { name: 'Yes', model: 'claude-sonnet' },
    });
    expect(ownerWrite.status, ownerWrite.text).toBe(201);
    const invite = await call('POST', `/v1/tenants/${child.id}/users`, {
      token: partner.owner.token,
      body: { email: `${unique('x')}@example.test`, role: 'viewer' },
    });
    expect(invite.status).toBe(403);
    expect(invite.body).toMatchObject({ code: 'permission_denied', requiredPermission: 'users:invite' });
  });

  it('ends when the child revokes it (access gone within the cache’s seconds), and a new request may follow', async () => {
    const { partner, child, delegation } = await delegated();
    expect((await call('GET', `/v1/tenants/${child.id}/agents`, { token: partner.owner.token })).status).toBe(
      200,
    );
    const revoked = await call<Delegation>('DELETE', `/v1/tenants/${child.id}/delegations/${partner.id}`, {
      token: child.ownerToken,
    });
    expect(revoked.status, revoked.text).toBe(200);
    expect(revoked.body.status).toBe('revoked');
    expect(
      await eventually(async () => {
        const refused = await call('GET', `/v1/tenants/${child.id}/agents`, { token: partner.owner.token });
        return (
          refused.status === 403 &&
          (refused.body as { delegationStatus?: string }).delegationStatus === 'revoked'
        );
      }),
    ).toBe(true);
    // Both sides show it revoked; both logs have it; the partner's owners are told.
    const held = await call<Delegation>('GET', `/v1/tenants/${partner.id}/delegations/${child.id}`, {
      token: partner.owner.token,
    });
    expect(held.body).toMatchObject({ id: delegation.id, side: 'held', status: 'revoked' });
    for (const tenantId of [partner.id, child.id]) {
      expect((await storedAuditEvents(tenantId)).map((event) => event.action)).toContain(
        'delegation.revoked',
      );
    }
    expect((await inbox(partner.owner.email, { subject: 'was revoked', waitMs: 10_000 })).length).toBe(1);
    // Ending it again changes nothing; a new request replaces it.
    const again = await call<Delegation>('DELETE', `/v1/tenants/${partner.id}/delegations/${child.id}`, {
      token: partner.owner.token,
    });
    expect(again.body).toMatchObject({ id: delegation.id, status: 'revoked' });
    const renewed = await requestDelegation(partner, child.id, { role: 'viewer' });
    expect(renewed.status, renewed.text).toBe(201);
    expect(renewed.body.id).not.toBe(delegation.id);
  });

  it('expires mid-session at its end, for the same signed-in person', async () => {
    const partner = await createTenant({ plan: 'partner' });
    const child = await newChild(partner);
    const asked = await requestDelegation(partner, child.id, { durationDays: 1 });
    const start = new Date(Date.now() + 60_000);
    const approved = await approve(child, partner.id, asked.body.id, start);
    expect(approved.body.expiresAt).toBe(new Date(start.getTime() + 86_400_000).toISOString());
    const at = (ms: number) => new Date(start.getTime() + ms);
    const read = (when: Date) =>
      call('GET', `/v1/tenants/${child.id}/agents`, { token: partner.owner.token, at: when });
    expect((await read(at(60_000))).status).toBe(200);
    expect((await read(at(86_400_000 - 1_000))).status).toBe(200);
    const after = await read(at(86_400_000));
    expect(after.status).toBe(403);
    expect(after.body).toMatchObject({ code: 'delegation_inactive', delegationStatus: 'expired' });
    // Expired, it may be asked for again.
    const renewed = await call('POST', `/v1/tenants/${partner.id}/delegations`, {
      token: partner.owner.token,
      body: { childId: child.id, role: 'viewer', durationDays: 7 },
      at: at(86_400_000 + 60_000),
    });
    expect(renewed.status, renewed.text).toBe(201);
  });

  it('is asked for by partner admins, approved by child owners only, once, and only the one the owner saw', async () => {
    const partner = await createTenant({ plan: 'partner' });
    const child = await newChild(partner);
    const partnerMember = await addUser(partner, 'member');
    const byMember = await requestDelegation(partner, child.id, {}, partnerMember.token);
    expect(byMember.status).toBe(403);
    expect(byMember.body).toMatchObject({ code: 'permission_denied' });
    const asked = await requestDelegation(partner, child.id);
    expect(asked.status).toBe(201);
    const twice = await requestDelegation(partner, child.id);
    expect(twice.status).toBe(409);
    expect(twice.body).toMatchObject({
      code: 'delegation_exists',
      delegationId: asked.body.id,
      delegationStatus: 'pending',
    });
    // A child admin may not approve; the owner may, the delegation they were shown only, once.
    const childAdminEmail = `${unique('admin')}@customer.test`;
    const invited = await call('POST', `/v1/tenants/${child.id}/users`, {
      token: child.ownerToken,
      body: { email: childAdminEmail, role: 'admin' },
    });
    expect(invited.status).toBe(201);
    const childAdmin = { id: child.id, ownerToken: await activate(childAdminEmail) };
    const byAdmin = await approve(childAdmin, partner.id, asked.body.id);
    expect(byAdmin.status).toBe(403);
    expect(byAdmin.body).toMatchObject({
      code: 'permission_denied',
      requiredPermission: 'delegations:approve',
    });
    const wrongId = await approve(child, partner.id, 'dlg_01AAAAAAAAAAAAAAAAAAAAAAAA');
    expect(wrongId.status).toBe(404);
    expect(wrongId.body).toMatchObject({ code: 'delegation_not_found' });
    expect((await approve(child, partner.id, asked.body.id)).status).toBe(200);
    const again = await approve(child, partner.id, asked.body.id);
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'delegation_not_pending', delegationStatus: 'active' });
    // A tenant not below the partner cannot be asked for; nor can a partner's own sibling.
    const stranger = await createTenant();
    const outside = await requestDelegation(partner, stranger.id);
    expect(outside.status).toBe(404);
    expect(outside.body).toMatchObject({ code: 'child_not_found' });
  });

  it('refuses a partner without a delegation, a child reaching its parent, a sibling reaching a sibling — each beside its rightful caller', async () => {
    const { partner, child } = await delegated('admin');
    const sibling = await newChild(partner);
    const outsider = await createTenant({ plan: 'partner' });
    // Positive controls: the delegated partner in the child, each owner at home.
    expect((await call('GET', `/v1/tenants/${child.id}/agents`, { token: partner.owner.token })).status).toBe(
      200,
    );
    expect(
      (await call('GET', `/v1/tenants/${sibling.id}/agents`, { token: sibling.ownerToken })).status,
    ).toBe(200);
    expect(
      (await call('GET', `/v1/tenants/${partner.id}/children`, { token: partner.owner.token })).status,
    ).toBe(200);
    for (const [who, token, path, code] of [
      // The partner holds no delegation to the sibling: nothing is open there.
      [
        'partner without a delegation',
        partner.owner.token,
        `/v1/tenants/${sibling.id}/agents`,
        'tenant_mismatch',
      ],
      // The delegation runs downwards only: the child reaches nothing of its partner.
      ['child to its parent', child.ownerToken, `/v1/tenants/${partner.id}/agents`, 'tenant_mismatch'],
      [
        'child to its parent’s delegations',
        child.ownerToken,
        `/v1/tenants/${partner.id}/delegations`,
        'tenant_mismatch',
      ],
      ['sibling to sibling', sibling.ownerToken, `/v1/tenants/${child.id}/agents`, 'tenant_mismatch'],
      ['sibling to sibling', child.ownerToken, `/v1/tenants/${sibling.id}/agents`, 'tenant_mismatch'],
      // Another partner's owner learns nothing of the delegation (not "inactive": not theirs).
      ['another partner', outsider.owner.token, `/v1/tenants/${child.id}/agents`, 'tenant_mismatch'],
    ] as const) {
      const refused = await call('GET', path, { token });
      expect(refused.status, who).toBe(403);
      expect(refused.body, who).toMatchObject({ code });
    }
  });

  it('lets one of an approval and a withdrawal raced against each other win, both sides agreeing', async () => {
    for (let round = 0; round < 3; round += 1) {
      const partner = await createTenant({ plan: 'partner' });
      const child = await newChild(partner);
      const asked = await requestDelegation(partner, child.id);
      const [approval, withdrawal] = await Promise.all([
        approve(child, partner.id, asked.body.id),
        call<Delegation>('DELETE', `/v1/tenants/${partner.id}/delegations/${child.id}`, {
          token: partner.owner.token,
        }),
      ]);
      const held = await call<Delegation>('GET', `/v1/tenants/${partner.id}/delegations/${child.id}`, {
        token: partner.owner.token,
      });
      const granted = await call<Delegation>('GET', `/v1/tenants/${child.id}/delegations/${partner.id}`, {
        token: child.ownerToken,
      });
      expect(granted.body.status).toBe(held.body.status);
      // Whatever the order, each answer says what happened: the approval succeeded exactly when the
      // delegation was in force at some point, the withdrawal exactly when it ended; a loser is a 409.
      const final = held.body.status;
      expect(['active', 'revoked', 'withdrawn']).toContain(final);
      expect(approval.status === 200).toBe(final === 'active' || final === 'revoked');
      expect(withdrawal.status === 200).toBe(final === 'withdrawn' || final === 'revoked');
      for (const answer of [approval, withdrawal]) expect([200, 409]).toContain(answer.status);
    }
  });
});
