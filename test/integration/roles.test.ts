import { beforeAll, describe, expect, it } from 'vitest';
import { addUser, call, createTenant, type TestTenant, type TestUser } from '../helpers/twin-api';

describe('roles and permissions', () => {
  let tenant: TestTenant;
  let admin: TestUser;
  let viewer: TestUser;
  let member: TestUser;

  beforeAll(async () => {
    tenant = await createTenant();
    [admin, viewer, member] = await Promise.all([
      addUser(tenant, 'admin'),
      addUser(tenant, 'viewer'),
      addUser(tenant, 'member'),
    ]);
  });

  it('lets a viewer read the tenant and its users', async () => {
    expect((await call('GET', `/v1/tenants/${tenant.id}`, { token: viewer.token })).status).toBe(200);
    expect((await call('GET', `/v1/tenants/${tenant.id}/users`, { token: viewer.token })).status).toBe(200);
  });

  it('refuses a viewer who invites, with the permission it lacks', async () => {
    const response = await call('POST', `/v1/tenants/${tenant.id}/users`, {
      token: viewer.token,
      body: { email: 'someone@example.test', role: 'viewer' },
    });
    expect(response.status).toBe(403);
    expect(response.body).toMatchObject({ code: 'permission_denied', requiredPermission: 'users:invite' });
  });

  it('refuses a member who edits the tenant or reads the audit log', async () => {
    expect(
      (await call('PATCH', `/v1/tenants/${tenant.id}`, { token: member.token, body: { name: 'X' } })).status,
    ).toBe(403);
    expect((await call('GET', `/v1/tenants/${tenant.id}/audit-logs`, { token: member.token })).status).toBe(
      403,
    );
  });

  it('refuses an admin who invites an owner', async () => {
    const response = await call('POST', `/v1/tenants/${tenant.id}/users`, {
      token: admin.token,
      body: { email: 'future-owner@example.test', role: 'owner' },
    });
    expect(response.status).toBe(403);
    expect(response.body).toMatchObject({ code: 'role_above_own' });
  });

  it('refuses an admin who promotes someone to owner', async () => {
    const response = await call('PATCH', `/v1/tenants/${tenant.id}/users/${member.id}`, {
      token: admin.token,
      body: { role: 'owner' },
    });
    expect(response.status).toBe(403);
    expect(response.body).toMatchObject({ code: 'role_above_own' });
  });

  it('refuses an admin who demotes or removes the owner', async () => {
    const demote = await call('PATCH', `/v1/tenants/${tenant.id}/users/${tenant.owner.id}`, {
      token: admin.token,
      body: { role: 'viewer' },
    });
    expect(demote.status).toBe(403);
    const remove = await call('DELETE', `/v1/tenants/${tenant.id}/users/${tenant.owner.id}`, {
      token: admin.token,
    });
    expect(remove.status).toBe(403);
  });

  it('lets an admin invite another admin', async () => {
    const invite = await call('POST', `/v1/tenants/${tenant.id}/users`, {
      token: admin.token,
      body: { email: `second-admin-${Date.now()}@example.test`, role: 'admin' },
    });
    expect(invite.status).toBe(201);
    expect(invite.body).toMatchObject({ role: 'admin', status: 'invited' });
  });

  it('keeps the last owner: no demotion, no removal', async () => {
    const demote = await call('PATCH', `/v1/tenants/${tenant.id}/users/${tenant.owner.id}`, {
      token: tenant.owner.token,
      body: { role: 'admin' },
    });
    expect(demote.status).toBe(409);
    expect(demote.body).toMatchObject({ code: 'last_owner' });
    const remove = await call('DELETE', `/v1/tenants/${tenant.id}/users/${tenant.owner.id}`, {
      token: tenant.owner.token,
    });
    expect(remove.status).toBe(409);
    const self = await call('GET', `/v1/tenants/${tenant.id}/users/${tenant.owner.id}`, {
      token: tenant.owner.token,
    });
    expect(self.body).toMatchObject({ role: 'owner' });
  });

  it('lets two owners not demote each other at once into no owner', async () => {
    const other = await createTenant();
    const second = await addUser(other, 'owner');
    const [one, two] = await Promise.all([
      call('PATCH', `/v1/tenants/${other.id}/users/${second.id}`, {
        token: other.owner.token,
        body: { role: 'admin' },
      }),
      call('PATCH', `/v1/tenants/${other.id}/users/${other.owner.id}`, {
        token: second.token,
        body: { role: 'admin' },
      }),
    ]);
    expect([one.status, two.status].sort()).toEqual([200, 409]);
    const users = await call<{ items: Array<{ role: string }> }>(
      'GET',
      `/v1/tenants/${other.id}/users?role=owner`,
      {
        token: one.status === 200 ? other.owner.token : second.token,
      },
    );
    expect(users.body.items).toHaveLength(1);
  });

  it('takes access away from a removed user at once', async () => {
    const leaving = await addUser(tenant, 'member');
    const removed = await call('DELETE', `/v1/tenants/${tenant.id}/users/${leaving.id}`, {
      token: tenant.owner.token,
    });
    expect(removed.status).toBe(204);
    const after = await call('GET', '/v1/tenants/current', { token: leaving.token });
    expect(after.status).toBe(403);
    expect(after.body).toMatchObject({ code: 'membership_inactive' });
  });

  it('applies a demotion on the next request', async () => {
    const changing = await addUser(tenant, 'admin');
    expect((await call('GET', `/v1/tenants/${tenant.id}/audit-logs`, { token: changing.token })).status).toBe(
      200,
    );
    const demoted = await call('PATCH', `/v1/tenants/${tenant.id}/users/${changing.id}`, {
      token: tenant.owner.token,
      body: { role: 'viewer' },
    });
    expect(demoted.status).toBe(200);
    expect((await call('GET', `/v1/tenants/${tenant.id}/audit-logs`, { token: changing.token })).status).toBe(
      403,
    );
  });
});
