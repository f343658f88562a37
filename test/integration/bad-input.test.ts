import { beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../shared/api/manifest';
import { isMutation } from '../../shared/http/route';
import { pathFor } from '../helpers/route-samples';
import { adminToken, call, createResources, createTenant, type TestTenant } from '../helpers/twin-api';

const BAD_IDS = [
  'x',
  'ten_short',
  '..%2F..%2Fetc',
  'a'.repeat(300),
  '%E0%A4%A',
  'usr_01AAAAAAAAAAAAAAAAAAAAAAAA',
];
const BAD_BODIES = [
  '{',
  '[]',
  '"text"',
  'null',
  '{"unknown":true}',
  JSON.stringify({ name: 7, model: [], role: 'god', plan: 'x' }),
];

/** Every route of the manifest, fed bad ids, bad bodies and bad query strings: a 4xx, never a 500. */
describe('bad input across the manifest', () => {
  let tenant: TestTenant;
  let ids: { agentId: string; runId: string; memoryId: string; keyId: string };
  let admin: string;

  beforeAll(async () => {
    tenant = await createTenant();
    ids = await createResources(tenant);
    admin = await adminToken();
  });

  for (const route of ROUTES) {
    it(`${route.id} answers bad ids, bodies and queries with a 4xx`, async () => {
      const token = route.auth === 'platform' ? admin : tenant.owner.token;
      const good = { tenantId: tenant.id, userId: tenant.owner.id, ...ids };
      const statuses: number[] = [];
      const params = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as keyof typeof good);
      for (const param of params.filter((name) => name !== 'tenantId')) {
        // A well-formed user id is bad for every parameter but a user id.
        for (const bad of BAD_IDS.filter((id) => !(param === 'userId' && id.startsWith('usr_')))) {
          const response = await call(route.method, pathFor(route, { ...good, [param]: bad }), {
            token,
            ...(isMutation(route) ? { body: {} } : {}),
          });
          statuses.push(response.status);
        }
      }
      if (isMutation(route)) {
        for (const rawBody of BAD_BODIES) {
          const response = await call(route.method, pathFor(route, good), {
            token,
            rawBody,
            headers: { 'content-type': 'application/json' },
          });
          statuses.push(response.status);
        }
      } else {
        const response = await call(
          route.method,
          `${pathFor(route, good)}?limit=-1&cursor=@@@&from=yesterday&zzz=1`,
          { token },
        );
        statuses.push(response.status);
      }
      expect(statuses.length).toBeGreaterThan(0);
      expect(statuses.filter((status) => status < 400 || status >= 500)).toEqual([]);
    });
  }

  it('refuses a malformed X-Tenant-ID with a 400 before looking it up, even from a platform admin', async () => {
    for (const value of ['x'.repeat(3000), 'TENANT#x', '%00', 'ten_short']) {
      const response = await call('GET', '/v1/tenants/current', {
        token: admin,
        headers: { 'x-tenant-id': value },
      });
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ code: 'validation_failed' });
    }
    // Positive control: a well-formed tenant id is looked up (and found).
    const named = await call('GET', '/v1/tenants/current', {
      token: admin,
      headers: { 'x-tenant-id': tenant.id },
    });
    expect(named.status).toBe(200);
    expect(named.body).toMatchObject({ id: tenant.id });
  });
});
