import { beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../shared/api/manifest';
import { pathFor, sampleBody } from '../helpers/route-samples';
import {
  addUser,
  call,
  createResources,
  createTenant,
  storedAuditEvents,
  unique,
  type TestTenant,
  type TestUser,
} from '../helpers/twin-api';

/**
 * Layer 3 of isolation: every route in the manifest, called with tenant A's owner against tenant B's
 * ids, answers 403 or 404 and shows none of B's data; and B is left unchanged.
 */
describe('cross-tenant isolation, walking the route manifest', () => {
  let a: TestTenant;
  let b: TestTenant;
  let bMember: TestUser;
  let bAuditBefore: number;
  let bIds: { agentId: string; runId: string; memoryId: string };

  beforeAll(async () => {
    [a, b] = await Promise.all([createTenant(), createTenant()]);
    bMember = await addUser(b, 'member');
    bIds = await createResources(b);
    bAuditBefore = (await storedAuditEvents(b.id)).length;
  });

  const authenticated = ROUTES.filter((route) => route.auth !== 'public');

  it('covers every authenticated route of the manifest', () => {
    expect(authenticated.length).toBeGreaterThanOrEqual(30);
  });

  for (const route of authenticated) {
    it(`${route.method} ${route.path} (${route.id}) refuses tenant A's owner on tenant B`, async () => {
      const path = pathFor(route, { tenantId: b.id, userId: bMember.id, ...bIds });
      const namesTenantInPath = route.path.includes('{tenantId}');
      const response = await call(route.method, path, {
        token: a.owner.token,
        body: sampleBody(route, unique('x')),
        headers: namesTenantInPath ? {} : { 'x-tenant-id': b.id },
      });
      expect([403, 404]).toContain(response.status);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      // Ids the caller sent may be echoed (as the problem's `instance`); B's data may not.
      for (const secret of [b.slug, b.name, bMember.email, b.owner.email, b.owner.id]) {
        expect(response.text).not.toContain(secret);
      }
    });
  }

  it('leaves tenant B unchanged after every attempt', async () => {
    expect((await storedAuditEvents(b.id)).length).toBe(bAuditBefore);
    const bView = await call('GET', '/v1/tenants/current', { token: b.owner.token });
    expect(bView.body).toMatchObject({ name: b.name, plan: 'professional', status: 'active' });
    const member = await call('GET', `/v1/tenants/${b.id}/users/${bMember.id}`, { token: b.owner.token });
    expect(member.body).toMatchObject({ role: 'member' });
  });

  it("refuses a normal user's X-Tenant-ID naming another tenant (spoofing)", async () => {
    const response = await call('GET', '/v1/tenants/current', {
      token: a.owner.token,
      headers: { 'x-tenant-id': b.id },
    });
    expect(response.status).toBe(403);
    expect(response.body).toMatchObject({ code: 'tenant_mismatch' });
  });

  it('refuses a path and header that name different tenants', async () => {
    const response = await call('GET', `/v1/tenants/${a.id}`, {
      token: a.owner.token,
      headers: { 'x-tenant-id': b.id },
    });
    expect(response.status).toBe(403);
  });

  it('accepts X-Tenant-ID when it names the caller’s own tenant', async () => {
    const response = await call('GET', '/v1/tenants/current', {
      token: a.owner.token,
      headers: { 'x-tenant-id': a.id },
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ id: a.id });
  });

  it('does not find tenant B’s user through tenant A’s path', async () => {
    const response = await call('GET', `/v1/tenants/${a.id}/users/${bMember.id}`, { token: a.owner.token });
    expect(response.status).toBe(404);
    expect(response.text).not.toContain(bMember.email);
  });
});
