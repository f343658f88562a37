import { beforeAll, describe, expect, it } from 'vitest';
import { AdminGetUserCommand } from '@aws-sdk/client-cognito-identity-provider';
import {
  addUser,
  call,
  cognito,
  createTenant,
  freshSignIn,
  twin,
  type TestTenant,
} from '../helpers/twin-api';

/** Whether Cognito lets the person sign in (cognito-local records it; AWS enforces it). */
async function signInEnabled(email: string): Promise<boolean> {
  const user = await cognito.send(new AdminGetUserCommand({ UserPoolId: twin.userPoolId, Username: email }));
  return user.Enabled !== false;
}

interface Me {
  memberships: Array<{ tenantId: string; role: string; status: string }>;
}

/** One person, many tenants: a membership is the only grant, the token's tenant only a default. */
describe('one person in many tenants', () => {
  let a: TestTenant;
  let b: TestTenant;
  let personId: string;

  beforeAll(async () => {
    [a, b] = await Promise.all([createTenant(), createTenant()]);
  });

  it('invites a person another tenant already has, without a new identity and without revealing it', async () => {
    const invited = await call<{ id: string }>('POST', `/v1/tenants/${a.id}/users`, {
      token: a.owner.token,
      body: { email: b.owner.email, role: 'member' },
    });
    expect(invited.status).toBe(201);
    expect(invited.body).toMatchObject({ id: b.owner.id, role: 'member', status: 'invited' });
    for (const secret of [b.id, b.name, b.slug]) expect(invited.text).not.toContain(secret);
    personId = invited.body.id;
  });

  it('lets the person act on the new tenant by naming it, which accepts the invitation', async () => {
    const token = await freshSignIn(b.owner.email);
    const before = await call<Me>('GET', '/v1/me', { token });
    expect(before.body.memberships).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ tenantId: b.id, role: 'owner', status: 'active' }),
        expect.objectContaining({ tenantId: a.id, role: 'member', status: 'invited' }),
      ]),
    );
    const agents = await call('GET', `/v1/tenants/${a.id}/agents`, { token });
    expect(agents.status).toBe(200);
    const current = await call('GET', '/v1/tenants/current', { token, headers: { 'x-tenant-id': a.id } });
    expect(current.body).toMatchObject({ id: a.id });
    const after = await call<Me>('GET', '/v1/me', { token });
    expect(after.body.memberships).toContainEqual(
      expect.objectContaining({ tenantId: a.id, status: 'active' }),
    );
    // Their default tenant is still their own.
    expect((await call('GET', '/v1/tenants/current', { token })).body).toMatchObject({ id: b.id });
  });

  it('ends access to a tenant with its membership, but keeps the person’s other tenants and sign-in', async () => {
    const removed = await call('DELETE', `/v1/tenants/${a.id}/users/${personId}`, { token: a.owner.token });
    expect(removed.status).toBe(204);
    const token = await freshSignIn(b.owner.email);
    const refused = await call('GET', `/v1/tenants/${a.id}/agents`, { token });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: 'tenant_mismatch' });
    expect((await call('GET', `/v1/tenants/${b.id}/agents`, { token })).status).toBe(200);
    expect(await signInEnabled(b.owner.email)).toBe(true);
  });

  it('disables sign-in with the last membership, and a removed person can be invited back', async () => {
    const member = await addUser(a, 'viewer');
    expect(
      (await call('DELETE', `/v1/tenants/${a.id}/users/${member.id}`, { token: a.owner.token })).status,
    ).toBe(204);
    expect(await signInEnabled(member.email)).toBe(false);
    const again = await call<{ id: string }>('POST', `/v1/tenants/${a.id}/users`, {
      token: a.owner.token,
      body: { email: member.email, role: 'viewer' },
    });
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(member.id);
    expect(await signInEnabled(member.email)).toBe(true);
    const token = await freshSignIn(member.email);
    expect((await call('GET', `/v1/tenants/${a.id}/agents`, { token })).status).toBe(200);
  });
});

describe('a tenant of one’s own', () => {
  it('lets a member of one tenant create and own another, at once', async () => {
    const home = await createTenant();
    const member = await addUser(home, 'member');
    const slug = `own-${Date.now().toString(36)}`;
    const created = await call<{ tenant: { id: string }; owner: { id: string; status: string } }>(
      'POST',
      '/v1/me/tenants',
      { token: member.token, body: { name: 'My own', slug }, from: '127.0.0.9' },
    );
    expect(created.status).toBe(201);
    expect(created.body.owner).toMatchObject({ id: member.id, status: 'active' });
    const own = created.body.tenant.id;
    const me = await call<Me>('GET', '/v1/me', { token: member.token });
    expect(me.body.memberships).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ tenantId: home.id, role: 'member' }),
        expect.objectContaining({ tenantId: own, role: 'owner', status: 'active' }),
      ]),
    );
    // They own it now: they can invite into it; and they are still only a member at home.
    const invite = await call('POST', `/v1/tenants/${own}/users`, {
      token: member.token,
      body: { email: `${Date.now().toString(36)}@own.example.test`, role: 'admin' },
    });
    expect(invite.status).toBe(201);
    const atHome = await call('POST', `/v1/tenants/${home.id}/users`, {
      token: member.token,
      body: { email: `${Date.now().toString(36)}@home.example.test`, role: 'viewer' },
    });
    expect(atHome.status).toBe(403);
    expect(atHome.body).toMatchObject({ code: 'permission_denied' });
  });

  it('refuses a taken slug, and anyone without a token', async () => {
    const home = await createTenant();
    const taken = await call('POST', '/v1/me/tenants', {
      token: home.owner.token,
      body: { name: 'Again', slug: home.slug },
      from: '127.0.0.9',
    });
    expect(taken.status).toBe(409);
    expect(taken.body).toMatchObject({ code: 'slug_taken' });
    const anonymous = await call('POST', '/v1/me/tenants', { body: { name: 'x', slug: 'anon-x' } });
    expect(anonymous.status).toBe(401);
  });
});
