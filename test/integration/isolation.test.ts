import { beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../shared/api/manifest';
import { REFUSAL_AUDIT_LIMIT } from '../../shared/http/admission/refusal-audit';
import type { RouteDefinition } from '../../shared/http/route';
import { pathFor, sampleBody, SAMPLE_BODIES } from '../helpers/route-samples';
import { ssoTenant } from '../helpers/sso-sign-in';
import { isScimPath } from '../../shared/http/problem';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import {
  activate,
  addUser,
  adminToken,
  call,
  createApiKey,
  exportOf,
  createResources,
  createTenant,
  loggedDelivery,
  OWNER_SCOPES,
  storedAuditEvents,
  table,
  twin,
  unique,
  type TestApiKey,
  type TestTenant,
  type TestUser,
} from '../helpers/twin-api';
import { giveStripeCustomerNow } from '../helpers/stripe-customer';

type ResourceIds = Awaited<ReturnType<typeof createResources>>;

/** The user a rightful call acts on: a pending invitee for the routes that need one, else the member. */
async function rightfulUser(route: RouteDefinition, tenant: TestTenant, member: TestUser): Promise<string> {
  // A member of their own to sign out (the walk's member may have been removed by then).
  if (route.id === 'users.signOut') return (await addUser(tenant, 'viewer')).id;
  if (route.id !== 'users.resendInvitation') return member.id;
  const invited = await call<{ id: string }>('POST', `/v1/tenants/${tenant.id}/users`, {
    token: tenant.owner.token,
    body: { email: `${unique('pending')}@example.test`, role: 'viewer' },
  });
  return invited.body.id;
}

/**
 * The positive control of the routes that change a tenant's life, start its one export at a time,
 * or add to its few webhook endpoints:
 * on a tenant of its own (D), which the walk can spare, by D's owner or D's full-scope key. A
 * restore needs D deleted first; reading an export needs one.
 */
async function lifecycleControl(route: RouteDefinition, credential: 'owner' | 'key') {
  if (route.id.startsWith('scim.')) return scimControl(route, credential);
  if (route.id.startsWith('delegations.')) return delegationControl(route, credential);
  const d = await createTenant(
    route.function === 'sso'
      ? { plan: 'enterprise' }
      : route.id.startsWith('children.')
        ? { plan: 'partner' }
        : {},
  );
  // A person's own routes are theirs alone: no key acts on them.
  const token =
    credential === 'owner' || route.auth === 'user'
      ? d.owner.token
      : (await createApiKey(d, OWNER_SCOPES)).secret;
  if (route.function === 'sso' && route.method !== 'PUT') {
    const set = await call('PUT', `/v1/tenants/${d.id}/sso`, {
      token: d.owner.token,
      body: SAMPLE_BODIES['sso.put']('sso'),
    });
    expect(set.status, set.text).toBe(200);
  }
  const ssoDomain =
    route.function === 'sso' && route.path.includes('{domain}')
      ? (
          await call<{ domain: string }>('POST', `/v1/tenants/${d.id}/sso/domains`, {
            token: d.owner.token,
            body: SAMPLE_BODIES['sso.domains.add'](unique('d')),
          })
        ).body.domain
      : undefined;
  if (route.id === 'tenants.restore') {
    const deleted = await call('DELETE', `/v1/tenants/${d.id}`, { token, body: { confirm: d.slug } });
    expect(deleted.status, deleted.text).toBe(200);
  }
  const exportId = route.id === 'tenants.exports.get' ? (await exportOf(d, token)).id : undefined;
  // D's owner's one session (its first request reached D), which the control ends.
  const sessionId =
    route.id === 'users.sessions.end'
      ? (await call<{ items: Array<{ id: string }> }>('GET', '/v1/me/sessions', { token })).body.items[0]?.id
      : undefined;
  const endpointId = route.path.includes('{endpointId}') ? (await createResources(d)).endpointId : undefined;
  const childId = route.path.includes('{childId}')
    ? (
        await call<{ tenant: { id: string } }>('POST', `/v1/tenants/${d.id}/children`, {
          token: d.owner.token,
          body: SAMPLE_BODIES['children.create'](unique('k')),
        })
      ).body.tenant.id
    : undefined;
  const deliveryId =
    route.path.includes('{deliveryId}') && endpointId
      ? await loggedDelivery(d, endpointId, token)
      : undefined;
  const ids = {
    tenantId: d.id,
    userId: '',
    agentId: '',
    runId: '',
    memoryId: '',
    keyId: '',
    exportId,
    endpointId,
    deliveryId,
    ...(ssoDomain ? { domain: ssoDomain } : {}),
    ...(sessionId ? { sessionId } : {}),
    ...(childId ? { childId } : {}),
  };
  return call(route.method, pathFor(route, ids), {
    // A deleted tenant takes no key's request: its owner restores it. A platform operation's rightful
    // caller is a platform admin.
    token: route.permission?.startsWith('platform:')
      ? await adminToken()
      : route.id === 'tenants.restore'
        ? d.owner.token
        : token,
    body: route.id === 'tenants.delete' ? { confirm: d.slug } : sampleBody(route, unique('x')),
  });
}

/**
 * The positive control of a SCIM route: on an Enterprise tenant of its own with its provider set and
 * a domain verified (SCIM provisions that domain's addresses), on a user it provisioned or a group
 * it made, by its owner or its full-scope key.
 */
async function scimControl(route: RouteDefinition, credential: 'owner' | 'key') {
  const { tenant: d, domain } = await ssoTenant();
  const token = credential === 'owner' ? d.owner.token : (await createApiKey(d, OWNER_SCOPES)).secret;
  const base = `/v1/tenants/${d.id}/scim/v2`;
  const userName = `${unique('scim').toLowerCase()}@${domain}`;
  const user = await call<{ id: string }>('POST', `${base}/Users`, { token, body: { userName } });
  expect(user.status, user.text).toBe(201);
  const group = await call<{ id: string }>('POST', `${base}/Groups`, {
    token,
    body: { displayName: 'staff' },
  });
  expect(group.status, group.text).toBe(201);
  const body =
    route.id === 'scim.users.create'
      ? { userName: `${unique('new').toLowerCase()}@${domain}` }
      : route.id === 'scim.users.replace'
        ? { userName, displayName: 'Replaced' }
        : sampleBody(route, unique('x'));
  return call(
    route.method,
    pathFor(route, {
      tenantId: d.id,
      userId: user.body.id,
      groupId: group.body.id,
      agentId: '',
      runId: '',
      memoryId: '',
      keyId: '',
    }),
    { token, body },
  );
}

/**
 * The positive control of a delegation route: a partner of its own with a child below it (and, but
 * for the request itself, a pending delegation to it); the partner's owner (or key) acts, but for the
 * approval, the child owner's act.
 */
async function delegationControl(route: RouteDefinition, credential: 'owner' | 'key') {
  const partner = await createTenant({ plan: 'partner' });
  const childEmail = `${unique('customer')}@customer.test`;
  const made = await call<{ tenant: { id: string } }>('POST', `/v1/tenants/${partner.id}/children`, {
    token: partner.owner.token,
    body: { name: 'Customer', slug: unique('k').toLowerCase(), owner: { email: childEmail } },
  });
  expect(made.status, made.text).toBe(201);
  const childId = made.body.tenant.id;
  const ask = { childId, role: 'viewer', durationDays: 30 };
  const asked =
    route.id === 'delegations.request'
      ? undefined
      : await call<{ id: string }>('POST', `/v1/tenants/${partner.id}/delegations`, {
          token: partner.owner.token,
          body: ask,
        });
  if (asked) expect(asked.status, asked.text).toBe(201);
  const acting =
    route.id === 'delegations.approve'
      ? { id: childId, owner: { id: '', email: childEmail, token: await activate(childEmail) } }
      : partner;
  const token =
    credential === 'owner'
      ? acting.owner.token
      : (await createApiKey(acting as TestTenant, OWNER_SCOPES)).secret;
  const ids = {
    tenantId: acting.id,
    userId: '',
    agentId: '',
    runId: '',
    memoryId: '',
    keyId: '',
    counterpartId: route.id === 'delegations.approve' ? partner.id : childId,
  };
  return call(route.method, pathFor(route, ids), {
    token,
    body:
      route.id === 'delegations.request'
        ? ask
        : route.id === 'delegations.approve'
          ? { delegationId: asked?.body.id }
          : sampleBody(route, unique('x')),
  });
}

/** Routes whose positive control runs on a tenant of its own; webhook endpoints (10 a tenant at most) too. */
const LIFECYCLE = new Set<string>([
  'tenants.delete',
  'tenants.restore',
  'tenants.exports.create',
  'tenants.exports.get',
  // An import goes into an empty tenant (the walk's tenants have resources).
  'tenants.import',
  // Signing out ends the caller's own sessions: a person the walk can spare does it.
  'users.sessions.signOutEverywhere',
  'users.sessions.end',
  // Child tenants are sold on the Partner plan; delegations need a partner and a child.
  'children.create',
  'children.list',
  'children.health',
  'children.allocate',
  'children.billing',
  ...ROUTES.filter((route) => route.id.startsWith('delegations.')).map((route) => route.id),
  // SSO is sold on Enterprise; reading or removing a provider needs one set.
  ...ROUTES.filter((route) => route.function === 'sso').map((route) => route.id),
  ...ROUTES.filter((route) => route.function === 'webhooks').map((route) => route.id),
]);

/**
 * Layer 3 of isolation: every route in the manifest, called with tenant A's owner against tenant B's
 * ids, answers 403 or 404 and shows none of B's data; and B is left unchanged.
 */
describe('cross-tenant isolation, walking the route manifest', () => {
  let a: TestTenant;
  let b: TestTenant;
  let bMember: TestUser;
  let bAuditBefore: number;
  let bIds: ResourceIds;

  let c: TestTenant;
  let cMember: TestUser;
  let cIds: ResourceIds;

  beforeAll(async () => {
    [a, b, c] = await Promise.all([createTenant(), createTenant(), createTenant()]);
    [bMember, cMember] = await Promise.all([addUser(b, 'member'), addUser(c, 'member')]);
    [bIds, cIds] = await Promise.all([
      createResources(b, { project: true }),
      createResources(c, { project: true }),
    ]);
    bAuditBefore = (await storedAuditEvents(b.id)).length;
  });

  // Routes about the signed-in person name no tenant (their own test below shows they leak none).
  const authenticated = ROUTES.filter((route) => route.auth === 'tenant' || route.auth === 'platform');

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
      // Problem+json; on the SCIM routes, SCIM's error format with the problem's members beside it.
      expect(response.headers.get('content-type')).toContain(
        isScimPath(route.path) ? 'application/scim+json' : 'application/problem+json',
      );
      expect(response.body).toMatchObject({
        code: route.auth === 'platform' ? 'platform_admin_required' : 'tenant_mismatch',
      });
      // Ids the caller sent may be echoed (as the problem's `instance`); B's data may not.
      for (const secret of [b.slug, b.name, bMember.email, b.owner.email, b.owner.id]) {
        expect(response.text).not.toContain(secret);
      }

      // Positive control: the rightful caller (C's owner, or a platform admin for platform
      // operations) makes the same call on C's own tenant and resources, and succeeds.
      if (LIFECYCLE.has(route.id)) {
        const control = await lifecycleControl(route, 'owner');
        expect(control.status, control.text).toBeLessThan(300);
        return;
      }
      const platformOperation = route.auth === 'platform' || route.permission?.startsWith('platform:');
      const ids = /\{(agentId|runId|memoryId|keyId|endpointId|domain|projectId)\}/.test(route.path)
        ? await createResources(c, { project: route.path.includes('{projectId}') })
        : cIds;
      const rightful = await call(
        route.method,
        pathFor(route, { tenantId: c.id, userId: await rightfulUser(route, c, cMember), ...ids }),
        {
          token: platformOperation ? await adminToken() : c.owner.token,
          // Enterprise keeps C clear of the limits the later controls would otherwise reach.
          body: route.id === 'tenants.changePlan' ? { plan: 'enterprise' } : sampleBody(route, unique('x')),
          headers: route.path.includes('{tenantId}') ? {} : { 'x-tenant-id': c.id },
        },
      );
      expect(rightful.status, rightful.text).toBeLessThan(300);
    });
  }

  it('leaves tenant B unchanged after every attempt, but for the attempts in its audit log', async () => {
    await expectOnlyRefusalsAudited(b.id, bAuditBefore, a.owner.id);
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

  describe("tenant A's own path with tenant B's resource ids", () => {
    let aMember: TestUser;
    let bPartitionBefore: string;

    /**
     * Every item of B's partition but its API-call counter (B's own reads above move it) and its
     * traffic figures (B's own requests, counted whenever another suite runs the operator figures
     * job; A's refused attempts are never B's: the operator figures suite proves it).
     */
    async function bPartition(): Promise<string> {
      const result = await table.send(
        new QueryCommand({
          TableName: twin.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': `TENANT#${b.id}` },
          ConsistentRead: true,
        }),
      );
      // B's own metering is not A's doing.
      return JSON.stringify(
        (result.Items ?? []).filter(
          (item) =>
            !String(item.sk).startsWith('QUOTA#apiCalls#') && !String(item.sk).startsWith('ROUTESTATS#'),
        ),
      );
    }

    beforeAll(async () => {
      aMember = await addUser(a, 'member');
      await giveStripeCustomerNow(b.id);
      bPartitionBefore = await bPartition();
    });

    const NOT_FOUND: Record<string, string> = {
      userId: 'user_not_found',
      agentId: 'agent_not_found',
      runId: 'run_not_found',
      memoryId: 'memory_not_found',
      keyId: 'api_key_not_found',
      projectId: 'project_not_found',
    };
    // The SCIM routes' users are walked in their own suite (scim.test.ts), on tenants whose plan sells them.
    const withResourceIds = ROUTES.filter(
      (route) =>
        route.auth === 'tenant' &&
        !route.id.startsWith('scim.') &&
        /\{(userId|agentId|runId|memoryId|keyId|projectId)\}/.test(route.path),
    );

    it('covers every route with a resource id', () => {
      expect(withResourceIds.length).toBeGreaterThanOrEqual(15);
    });

    for (const route of withResourceIds) {
      it(`${route.method} ${route.path} (${route.id}) finds none of B's resources, and A's own`, async () => {
        const own = {
          tenantId: a.id,
          userId: await rightfulUser(route, a, aMember),
          ...(await createResources(a, { project: route.path.includes('{projectId}') })),
        };
        const foreign = { tenantId: a.id, userId: bMember.id, ...bIds };
        const attack = await call(route.method, pathFor(route, foreign), {
          token: a.owner.token,
          body: sampleBody(route, unique('x')),
        });
        expect(attack.status).toBe(404);
        const deepest = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? '').pop() ?? '';
        expect(attack.body).toMatchObject({ code: NOT_FOUND[deepest] });
        for (const secret of [b.slug, b.name, bMember.email, b.owner.email])
          expect(attack.text).not.toContain(secret);

        // Positive control: the same call on A's own resources succeeds.
        const rightful = await call(route.method, pathFor(route, own), {
          token: a.owner.token,
          body: sampleBody(route, unique('x')),
        });
        expect(rightful.status, rightful.text).toBeLessThan(300);
      });
    }

    it("leaves every item of B's partition as it was", async () => {
      expect(await bPartition()).toBe(bPartitionBefore);
    });
  });
});

/**
 * What the walk may leave in B's audit log: only its attempts, refused as `tenant_mismatch` and
 * audited by the one who made them, no more than the refusal window allows (two windows, if the
 * walk crossed a boundary). Everything else of B is unchanged.
 */
async function expectOnlyRefusalsAudited(tenantId: string, before: number, attacker: string) {
  const events = (await storedAuditEvents(tenantId)).sort((x, y) =>
    String(x.occurredAt).localeCompare(String(y.occurredAt)),
  );
  const added = events.slice(before);
  expect(events.length).toBeGreaterThanOrEqual(before);
  expect(added.length).toBeGreaterThan(0);
  expect(added.length).toBeLessThanOrEqual(2 * REFUSAL_AUDIT_LIMIT.limit);
  for (const event of added) {
    expect(event).toMatchObject({
      action: 'access.refused',
      actorId: attacker,
      after: { code: 'tenant_mismatch' },
    });
  }
}

/** A loopback address of its own, for a call that a per-address limit must not see as a repeat. */
function freshLoopback(): string {
  const part = () => 1 + Math.floor(Math.random() * 250);
  return `127.${part()}.${part()}.${part()}`;
}

/**
 * The same walk with API keys: tenant A's key, scoped to everything A's owner may do, against tenant
 * B on every route that takes a credential. A key acts on its own tenant alone, is no person, and
 * is never a platform admin. Positive control beside each: C's equally scoped key on C succeeds
 * (the platform-scoped operations, which no key can hold, are the platform admin's; the routes about
 * a person, C's owner's).
 */
describe('cross-tenant isolation with API keys, walking the route manifest', () => {
  let a: TestTenant;
  let b: TestTenant;
  let c: TestTenant;
  let aKey: TestApiKey;
  let cKey: TestApiKey;
  let bMember: TestUser;
  let cMember: TestUser;
  let bIds: ResourceIds;
  let bAuditBefore: number;

  beforeAll(async () => {
    [a, b, c] = await Promise.all([createTenant(), createTenant(), createTenant()]);
    [aKey, cKey] = await Promise.all([createApiKey(a, OWNER_SCOPES), createApiKey(c, OWNER_SCOPES)]);
    [bMember, cMember] = await Promise.all([addUser(b, 'member'), addUser(c, 'member')]);
    bIds = await createResources(b, { project: true });
    bAuditBefore = (await storedAuditEvents(b.id)).length;
  });

  const withCredential: readonly RouteDefinition[] = ROUTES.filter((route) => route.auth !== 'public');

  it('covers every route that takes a credential', () => {
    expect(withCredential.length).toBeGreaterThanOrEqual(40);
  });

  for (const route of withCredential) {
    it(`${route.method} ${route.path} (${route.id}) refuses tenant A's key on tenant B`, async () => {
      const namesTenantInPath = route.path.includes('{tenantId}');
      const response = await call(
        route.method,
        pathFor(route, { tenantId: b.id, userId: bMember.id, ...bIds }),
        {
          token: aKey.secret,
          body: sampleBody(route, unique('x')),
          headers: namesTenantInPath ? {} : { 'x-tenant-id': b.id },
        },
      );
      expect(response.status).toBe(403);
      expect(response.body).toMatchObject({
        code:
          route.auth === 'platform'
            ? 'platform_admin_required'
            : route.auth === 'user'
              ? 'person_required'
              : 'tenant_mismatch',
      });
      for (const secret of [b.slug, b.name, bMember.email, b.owner.email, b.owner.id]) {
        expect(response.text).not.toContain(secret);
      }

      if (LIFECYCLE.has(route.id)) {
        const control = await lifecycleControl(route, 'key');
        expect(control.status, control.text).toBeLessThan(300);
        return;
      }
      const platformOperation = route.auth === 'platform' || route.permission?.startsWith('platform:');
      const ids = /\{(agentId|runId|memoryId|keyId|endpointId|domain|projectId)\}/.test(route.path)
        ? await createResources(c, { project: route.path.includes('{projectId}') })
        : undefined;
      const rightful = await call(
        route.method,
        pathFor(route, {
          tenantId: c.id,
          userId: await rightfulUser(route, c, cMember),
          ...(ids ?? { agentId: '-', runId: '-', memoryId: '-', keyId: '-' }),
        }),
        {
          token: platformOperation ? await adminToken() : route.auth === 'user' ? c.owner.token : cKey.secret,
          body: route.id === 'tenants.changePlan' ? { plan: 'enterprise' } : sampleBody(route, unique('x')),
          headers: namesTenantInPath ? {} : { 'x-tenant-id': c.id },
          ...(route.id === 'tenants.createOwn' ? { from: freshLoopback() } : {}),
        },
      );
      expect(rightful.status, rightful.text).toBeLessThan(300);
    });
  }

  it('leaves tenant B unchanged after every attempt, but for the attempts in its audit log', async () => {
    await expectOnlyRefusalsAudited(b.id, bAuditBefore, aKey.id);
    const bView = await call('GET', '/v1/tenants/current', { token: b.owner.token });
    expect(bView.body).toMatchObject({ name: b.name, plan: 'professional', status: 'active' });
  });
});
