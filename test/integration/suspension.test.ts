import { beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../shared/api/manifest';
import { pathFor, sampleBody } from '../helpers/route-samples';
import {
  addUser,
  adminToken,
  call,
  createResources,
  createTenant,
  unique,
  type TestTenant,
  type TestUser,
} from '../helpers/twin-api';

/** Open while suspended, but their samples cannot succeed on this tenant (which must not go). */
const PAST_THE_GATE: Record<string, string> = {
  'tenants.delete': 'confirmation_mismatch',
  'tenants.restore': 'not_deleted',
};

describe('a suspended tenant', () => {
  let tenant: TestTenant;
  let member: TestUser;
  let ids: { agentId: string; runId: string; memoryId: string; keyId: string };

  beforeAll(async () => {
    tenant = await createTenant();
    member = await addUser(tenant, 'member');
    ids = await createResources(tenant);
    const suspended = await call('POST', `/v1/tenants/${tenant.id}/suspend`, {
      token: await adminToken(),
      body: { reason: 'Payment overdue' },
    });
    expect(suspended.status).toBe(200);
  });

  const tenantRoutes = ROUTES.filter((route) => route.auth === 'tenant');

  for (const route of tenantRoutes) {
    // Reading its own status, and billing (so that it can pay), stay open.
    const stillOpen = 'allowWhenSuspended' in route && route.allowWhenSuspended === true;
    const readsOwnStatus = route.id === 'tenants.getCurrent' || route.id === 'tenants.get';
    it(`${route.id}: its owner gets ${stillOpen ? 'an answer' : '403 tenant_suspended'}`, async () => {
      const response = await call(
        route.method,
        pathFor(route, { tenantId: tenant.id, userId: member.id, ...ids }),
        {
          token: tenant.owner.token,
          body: sampleBody(route, unique('s')),
        },
      );
      if (stillOpen && PAST_THE_GATE[route.id]) {
        // Past the suspension gate, the route's own answer to a sample that cannot succeed here.
        expect(response.body).toMatchObject({ code: PAST_THE_GATE[route.id] });
      } else if (stillOpen) {
        expect(response.status, response.text).toBeLessThan(300);
        if (readsOwnStatus) {
          expect(response.body).toMatchObject({ status: 'suspended', statusReason: 'Payment overdue' });
        }
      } else {
        expect(response.status).toBe(403);
        expect(response.body).toMatchObject({ code: 'tenant_suspended' });
      }
    });
  }

  it('is reactivated by a platform admin, after which its users work again', async () => {
    const reactivated = await call('POST', `/v1/tenants/${tenant.id}/reactivate`, {
      token: await adminToken(),
    });
    expect(reactivated.status).toBe(200);
    expect(reactivated.body).toMatchObject({ status: 'active', statusReason: null });
    expect((await call('GET', `/v1/tenants/${tenant.id}/users`, { token: member.token })).status).toBe(200);
  });
});
