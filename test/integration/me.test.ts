import { beforeAll, describe, expect, it } from 'vitest';
import { adminToken, call, createTenant, twin, type TestTenant } from '../helpers/twin-api';

interface Me {
  user: { id: string; email: string | null; platformAdmin: boolean; defaultTenantId: string | null };
  memberships: Array<{ tenantId: string; tenantName: string; role: string; status: string }>;
}

/** `GET /v1/me`: the signed-in person and their own memberships, nothing of anyone else's tenants. */
describe('the signed-in person', () => {
  let a: TestTenant;
  let b: TestTenant;

  beforeAll(async () => {
    [a, b] = await Promise.all([createTenant(), createTenant()]);
  });

  it('shows the caller and the tenants they belong to, with their role there', async () => {
    const response = await call<Me>('GET', '/v1/me', { token: a.owner.token });
    expect(response.status).toBe(200);
    expect(response.body.user).toMatchObject({
      id: a.owner.id,
      email: a.owner.email,
      platformAdmin: false,
      defaultTenantId: a.id,
    });
    expect(response.body.memberships).toEqual([
      expect.objectContaining({ tenantId: a.id, tenantName: a.name, role: 'owner', status: 'active' }),
    ]);
  });

  it('shows nothing of another tenant, whatever the request names', async () => {
    const response = await call<Me>('GET', '/v1/me', {
      token: a.owner.token,
      headers: { 'x-tenant-id': b.id },
    });
    expect(response.status).toBe(200);
    expect(response.body.memberships.map((membership) => membership.tenantId)).toEqual([a.id]);
    for (const secret of [b.id, b.name, b.slug, b.owner.email]) expect(response.text).not.toContain(secret);
  });

  it('shows a platform admin as one, with no memberships of their own', async () => {
    const response = await call<Me>('GET', '/v1/me', { token: await adminToken() });
    expect(response.body.user).toMatchObject({ id: twin.platformAdmin.userId, platformAdmin: true });
    expect(response.body.memberships).toEqual([]);
  });

  it('answers 401 without a token, as the gateway does', async () => {
    const response = await call('GET', '/v1/me');
    expect(response.status).toBe(401);
    expect(response.text).toBe('{"message":"Unauthorized"}');
  });
});
