import { beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../shared/api/manifest';
import { isMutation, type RouteDefinition } from '../../shared/http/route';
import { pathFor, sampleBody, type PathIds } from '../helpers/route-samples';
import {
  addUser,
  adminToken,
  call,
  createApiKey,
  createResources,
  createTenant,
  OWNER_SCOPES,
  unique,
  type ApiResponse,
  type TestTenant,
} from '../helpers/twin-api';

type Principal = 'owner' | 'apiKey' | 'platformAdmin';
const PRINCIPALS: readonly Principal[] = ['owner', 'apiKey', 'platformAdmin'];

/** The tenant routes that change something, with the one that ends the status walked sent last. */
function mutatingRoutes(endsStatus: string): RouteDefinition[] {
  return (ROUTES as readonly RouteDefinition[])
    .filter((route) => route.auth === 'tenant' && isMutation(route))
    .sort((a, b) => Number(a.id === endsStatus) - Number(b.id === endsStatus));
}

interface Walked {
  tenant: TestTenant;
  tokens: Record<Principal, string>;
  ids: PathIds;
}

/** A tenant with resources, a second member, an owner-scoped key and the platform admin's token. */
async function walkedTenant(): Promise<Walked> {
  const tenant = await createTenant();
  const member = await addUser(tenant, 'member');
  const resources = await createResources(tenant);
  const key = await createApiKey(tenant, OWNER_SCOPES);
  return {
    tenant,
    tokens: { owner: tenant.owner.token, apiKey: key.secret, platformAdmin: await adminToken() },
    ids: { ...resources, userId: member.id, tenantId: tenant.id },
  };
}

function send(walked: Walked, route: RouteDefinition, principal: Principal): Promise<ApiResponse> {
  return call(route.method, pathFor(route, walked.ids), {
    token: walked.tokens[principal],
    body: sampleBody(route, unique('w')),
  });
}

/** Past the status gate: whatever the route answers, it is not the status's refusal, and not a 5xx. */
function expectPastTheGate(response: ApiResponse, code: string): void {
  expect(response.status, response.text).toBeLessThan(500);
  expect(response.body.code, response.text).not.toBe(code);
}

describe('every mutating route on a suspended tenant, for every kind of principal', () => {
  let walked: Walked;

  beforeAll(async () => {
    walked = await walkedTenant();
    const suspended = await call('POST', `/v1/tenants/${walked.tenant.id}/suspend`, {
      token: await adminToken(),
      body: { reason: 'Abuse report' },
    });
    expect(suspended.status).toBe(200);
  });

  for (const route of mutatingRoutes('tenants.reactivate')) {
    for (const principal of PRINCIPALS) {
      const open =
        principal !== 'apiKey' &&
        (route.allowWhenSuspended === true ||
          (principal === 'platformAdmin' && route.permission?.startsWith('platform:') === true));
      it(`${route.id} as ${principal}: ${open ? 'past the suspension' : '403 tenant_suspended'}`, async () => {
        const response = await send(walked, route, principal);
        if (open) {
          expectPastTheGate(response, 'tenant_suspended');
        } else {
          expect(response.status, response.text).toBe(403);
          expect(response.body).toMatchObject({ code: 'tenant_suspended' });
        }
      });
    }
  }

  it('changed nothing it refused: the agents are as they were', async () => {
    const agent = await call('GET', `/v1/tenants/${walked.tenant.id}/agents/${walked.ids.agentId}`, {
      token: await adminToken(),
    });
    expect(agent.body).toMatchObject({ id: walked.ids.agentId, instructions: null });
  });
});

describe('every mutating route on a deleted tenant, for every kind of principal', () => {
  let walked: Walked;
  let counts: number[];

  const countsOf = async () => {
    const token = await adminToken();
    const listed = await Promise.all(
      ['users', 'api-keys', 'agents', 'webhooks'].map((what) =>
        call<{ items: unknown[] }>('GET', `/v1/tenants/${walked.tenant.id}/${what}`, { token }),
      ),
    );
    return listed.map((response) => response.body.items.length);
  };

  beforeAll(async () => {
    walked = await walkedTenant();
    counts = await countsOf();
    const deleted = await call('DELETE', `/v1/tenants/${walked.tenant.id}`, {
      token: walked.tenant.owner.token,
      body: { confirm: walked.tenant.slug },
    });
    expect(deleted.status).toBe(200);
  });

  for (const route of mutatingRoutes('tenants.restore')) {
    for (const principal of PRINCIPALS) {
      // Its people and platform admins may only export and restore it; its keys nothing.
      const open = principal !== 'apiKey' && route.allowWhenDeleted === true;
      // Restoring ends the walk: only the platform admin, last, restores it.
      if (route.id === 'tenants.restore' && principal === 'owner') continue;
      const refusal = principal === 'platformAdmin' ? 409 : 403;
      it(`${route.id} as ${principal}: ${open ? 'past the deletion' : `${refusal} tenant_deleted`}`, async () => {
        const response = await send(walked, route, principal);
        if (open) {
          expectPastTheGate(response, 'tenant_deleted');
        } else {
          expect(response.status, response.text).toBe(refusal);
          expect(response.body).toMatchObject({ code: 'tenant_deleted' });
        }
      });
    }
  }

  it('invited nobody, minted no key, made no agent and no webhook while deleted', async () => {
    expect(await countsOf()).toEqual(counts);
  });
});
