import { describe, expect, it } from 'vitest';
import { ROUTES, type RouteId } from '../../shared/api/manifest';
import { isMutation, type RouteDefinition } from '../../shared/http/route';
import { pathFor, sampleBody, type PathIds } from '../helpers/route-samples';
import {
  activate,
  createChild,
  addUser,
  adminToken,
  call,
  createApiKey,
  createResources,
  loggedDelivery,
  createTenant,
  storedAuditEvents,
  storedRecordTimes,
  twin,
  unique,
  type StoredAuditEvent,
  type TestTenant,
} from '../helpers/twin-api';

import { platformDocumentClient } from '../../shared/data/clients';
import { giveStripeCustomerNow } from '../helpers/stripe-customer';
import { QuotaCounterEntity, STANDING_PERIOD } from '../../shared/data/entities/quota-counter';
import { addRecord } from '../../infra/local/dns-local';
import { pngOf } from '../helpers/images';
import { verifiedSsoDomain } from '../helpers/sso-sign-in';

interface Scenario {
  /** Who acts: the tenant's owner, or the platform admin. */
  actor: 'owner' | 'platformAdmin' | 'newOwner';
  /** The plan of the scenario's tenant (professional unless said). */
  plan?: string;
  /** The scenario's tenant, where a new one of a plan will not do (a child below a partner). */
  tenant?: () => Promise<TestTenant>;
  prepare?: (tenant: TestTenant) => Promise<Partial<PathIds>>;
  action: string;
  /** The body, where the route's sample will not do (it depends on the tenant). */
  body?: (tenant: TestTenant) => unknown;
  before?: Record<string, unknown>;
  /** False for a route whose change carries no `createdAt`/`updatedAt` in the tenant's partition. */
  stamps?: false;
  after?: Record<string, unknown>;
  /** Actions the route's work also audits on their own (an import's counters set from its items). */
  alsoAudited?: string[];
}

/** A domain of the tenant verified for SSO (SCIM provisions its addresses), remembered per tenant. */
const scimDomains = new Map<string, string>();
async function scimDomain(tenant: TestTenant): Promise<string> {
  const domain = await verifiedSsoDomain(tenant, `audit-${unique('scim').toLowerCase()}.example`);
  scimDomains.set(tenant.id, domain);
  return domain;
}

/** A user the tenant's directory provisioned (by the owner, who holds `directory:sync`). */
async function scimUser(tenant: TestTenant): Promise<Partial<PathIds>> {
  const domain = await scimDomain(tenant);
  const user = await call<{ id: string }>('POST', `/v1/tenants/${tenant.id}/scim/v2/Users`, {
    token: tenant.owner.token,
    body: { userName: `person@${domain}`, displayName: 'Before' },
  });
  if (user.status !== 201) throw new Error(user.text);
  return { userId: user.body.id };
}

async function scimGroup(tenant: TestTenant): Promise<Partial<PathIds>> {
  const group = await call<{ id: string }>('POST', `/v1/tenants/${tenant.id}/scim/v2/Groups`, {
    token: tenant.owner.token,
    body: { displayName: 'Before' },
  });
  if (group.status !== 201) throw new Error(group.text);
  return { groupId: group.body.id };
}

/** The partner asks for a viewer's delegation to its child; its id. */
async function askDelegation(partner: TestTenant, childId: string): Promise<string> {
  const asked = await call<{ id: string }>('POST', `/v1/tenants/${partner.id}/delegations`, {
    token: partner.owner.token,
    body: { childId, role: 'viewer', durationDays: 30 },
  });
  if (asked.status !== 201) throw new Error(asked.text);
  return asked.body.id;
}

/** What a delegation scenario's tenant was prepared with: its child, or its partner and delegation. */
const delegationFixtures = new Map<string, { childId?: string; partnerId?: string; delegationId?: string }>();

/** What each mutating route must leave in the audit log. Typed by route id: a new mutation needs a row. */
const SCENARIOS: Partial<Record<RouteId, Scenario>> = {
  'tenants.signup': { actor: 'newOwner', action: 'tenant.created' },
  'tenants.create': { actor: 'platformAdmin', action: 'tenant.created' },
  'tenants.createOwn': { actor: 'owner', action: 'tenant.created' },
  'tenants.update': {
    actor: 'owner',
    action: 'tenant.updated',
    before: { settings: {} },
    after: { settings: { timezone: 'Europe/Paris' } },
  },
  'tenants.profile.update': {
    actor: 'owner',
    action: 'tenant.profile_updated',
    after: { profile: { company: 'Sample Company Ltd', primaryColor: '#1d4ed8' } },
  },
  'tenants.logo.set': {
    actor: 'owner',
    action: 'tenant.logo_set',
    after: { contentType: 'image/png', width: 32, height: 32 },
  },
  'tenants.logo.remove': {
    actor: 'owner',
    prepare: async (tenant) => {
      const set = await call('PUT', `/v1/tenants/${tenant.id}/profile/logo`, {
        token: tenant.owner.token,
        body: { contentType: 'image/png', data: pngOf(20, 20).toString('base64') },
      });
      if (set.status !== 200) throw new Error(`logo: ${set.status} ${set.text}`);
      return {};
    },
    action: 'tenant.logo_removed',
    before: { contentType: 'image/png' },
  },
  'tenants.import': {
    actor: 'platformAdmin',
    action: 'tenant.imported',
    after: { format: 'tenantry-import/1', imported: { agent: 1 } },
    // The agents counter set from the imported agent is audited on its own.
    alsoAudited: ['quota.reconciled'],
  },
  'tenants.changePlan': {
    actor: 'platformAdmin',
    action: 'tenant.plan_changed',
    before: { plan: 'professional' },
    after: { plan: 'starter' },
  },
  'tenants.suspend': {
    actor: 'platformAdmin',
    action: 'tenant.suspended',
    before: { status: 'active', statusReason: null },
    after: { status: 'suspended', statusReason: 'Unpaid invoices' },
  },
  'tenants.secrets.put': { actor: 'owner', action: 'secret.set' },
  'tenants.secrets.delete': {
    actor: 'owner',
    prepare: async (tenant) => {
      const response = await call('PUT', `/v1/tenants/${tenant.id}/secrets/webhookSigningSecret`, {
        token: tenant.owner.token,
        body: { value: 'to be deleted' },
      });
      expect(response.status).toBe(200);
      return {};
    },
    action: 'secret.deleted',
  },
  'quotas.reconcile': {
    actor: 'platformAdmin',
    // It corrects counters only (left out of the time check).
    stamps: false,
    // One counter off its items, as a request that died half-way leaves it (a while ago).
    prepare: async (tenant) => {
      await QuotaCounterEntity.patch({ tenantId: tenant.id, resource: 'users', period: STANDING_PERIOD })
        .set({ used: 3, updatedAt: new Date(Date.now() - 5 * 60_000).toISOString() })
        .go({ client: platformDocumentClient, response: 'none' });
      return {};
    },
    action: 'quota.reconciled',
    before: { used: 3 },
    after: { used: 1 },
  },
  'tenants.reactivate': {
    actor: 'platformAdmin',
    prepare: async (tenant) => {
      const response = await call('POST', `/v1/tenants/${tenant.id}/suspend`, {
        token: await adminToken(),
        body: { reason: 'Test' },
      });
      expect(response.status).toBe(200);
      return {};
    },
    action: 'tenant.reactivated',
    before: { status: 'suspended' },
    after: { status: 'active' },
  },
  'tenants.delete': {
    actor: 'owner',
    body: (tenant) => ({ confirm: tenant.slug }),
    action: 'tenant.deleted',
    before: { status: 'active' },
    after: { status: 'deleted' },
  },
  'tenants.restore': {
    actor: 'owner',
    prepare: async (tenant) => {
      const response = await call('DELETE', `/v1/tenants/${tenant.id}`, {
        token: tenant.owner.token,
        body: { confirm: tenant.slug },
      });
      expect(response.status).toBe(200);
      return {};
    },
    action: 'tenant.restored',
    before: { status: 'deleted' },
    after: { status: 'active' },
  },
  'tenants.exports.create': { actor: 'owner', action: 'export.requested' },
  'webhooks.create': { actor: 'owner', action: 'webhook.created', after: { events: ['tenant.reactivated'] } },
  'webhooks.update': {
    actor: 'owner',
    prepare: async (tenant) => ({ endpointId: (await createResources(tenant)).endpointId }),
    action: 'webhook.updated',
    after: { description: 'Changed' },
  },
  'webhooks.delete': {
    actor: 'owner',
    prepare: async (tenant) => ({ endpointId: (await createResources(tenant)).endpointId }),
    action: 'webhook.deleted',
  },
  'webhooks.test': {
    actor: 'owner',
    prepare: async (tenant) => ({ endpointId: (await createResources(tenant)).endpointId }),
    action: 'webhook.test_requested',
    after: { type: 'tenant.reactivated' },
    // The request writes only its audit event; the delivery's worker logs the attempt.
    stamps: false,
  },
  'webhooks.retry': {
    actor: 'owner',
    prepare: async (tenant) => {
      const { endpointId } = await createResources(tenant);
      if (!endpointId) throw new Error('no endpoint');
      return { endpointId, deliveryId: await loggedDelivery(tenant, endpointId) };
    },
    action: 'webhook.delivery_retried',
    stamps: false,
  },
  'domains.add': { actor: 'owner', action: 'domain.added', after: { state: 'claimed' } },
  'sso.put': {
    actor: 'owner',
    plan: 'enterprise',
    action: 'sso.configured',
    after: { type: 'oidc', enabled: true, defaultRole: 'member' },
  },
  'users.signOut': {
    actor: 'owner',
    prepare: async (tenant) => ({ userId: (await addUser(tenant, 'member')).id }),
    action: 'user.signed_out',
    after: { signedOutAt: expect.any(String) },
  },
  'scim.users.create': {
    actor: 'owner',
    plan: 'enterprise',
    prepare: async (tenant) => (await scimDomain(tenant), {}),
    body: (tenant) => ({ userName: `new@${scimDomains.get(tenant.id)}` }),
    action: 'user.provisioned',
    after: { role: 'member', status: 'active', via: 'scim' },
  },
  'scim.users.replace': {
    actor: 'owner',
    plan: 'enterprise',
    prepare: scimUser,
    body: (tenant) => ({ userName: `person@${scimDomains.get(tenant.id)}`, displayName: 'After' }),
    action: 'user.updated',
    before: { name: 'Before' },
    after: { name: 'After', via: 'scim' },
  },
  'scim.users.patch': {
    actor: 'owner',
    plan: 'enterprise',
    prepare: scimUser,
    body: () => ({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'replace', path: 'active', value: false }],
    }),
    action: 'user.deactivated',
    before: { status: 'active' },
    after: { status: 'disabled', via: 'scim' },
  },
  'scim.users.delete': {
    actor: 'owner',
    plan: 'enterprise',
    prepare: scimUser,
    action: 'user.removed',
    before: { role: 'member', status: 'active' },
  },
  'scim.groups.create': {
    actor: 'owner',
    plan: 'enterprise',
    action: 'directory.group_created',
    after: { members: 0 },
  },
  'scim.groups.replace': {
    actor: 'owner',
    plan: 'enterprise',
    prepare: scimGroup,
    body: () => ({ displayName: 'After' }),
    action: 'directory.group_updated',
    before: { displayName: 'Before' },
    after: { displayName: 'After', added: [], removed: [] },
  },
  'scim.groups.patch': {
    actor: 'owner',
    plan: 'enterprise',
    prepare: scimGroup,
    action: 'directory.group_updated',
    before: { displayName: 'Before' },
    after: { displayName: 'Renamed' },
  },
  'scim.groups.delete': {
    actor: 'owner',
    plan: 'enterprise',
    prepare: scimGroup,
    action: 'directory.group_deleted',
    before: { displayName: 'Before', members: 0 },
  },
  'sso.domains.add': {
    actor: 'owner',
    plan: 'enterprise',
    action: 'sso.domain_added',
    after: { state: 'pending' },
  },
  'sso.domains.check': {
    actor: 'owner',
    plan: 'enterprise',
    prepare: async (tenant) => {
      const domain = `audit-${unique('s').toLowerCase()}.example`;
      const added = await call<{ verification: { name: string; value: string } }>(
        'POST',
        `/v1/tenants/${tenant.id}/sso/domains`,
        { token: tenant.owner.token, body: { domain } },
      );
      addRecord(twin.dnsRecordsFile, { type: 'TXT', ...added.body.verification });
      return { domain };
    },
    action: 'sso.domain_verified',
    before: { state: 'pending' },
    after: { state: 'verified', verifiedBy: 'dns' },
  },
  'sso.domains.remove': {
    actor: 'owner',
    plan: 'enterprise',
    prepare: async (tenant) => {
      const domain = `audit-${unique('s').toLowerCase()}.example`;
      await call('POST', `/v1/tenants/${tenant.id}/sso/domains`, {
        token: tenant.owner.token,
        body: { domain },
      });
      return { domain };
    },
    action: 'sso.domain_removed',
    before: { state: 'pending' },
  },
  'sso.remove': {
    actor: 'owner',
    plan: 'enterprise',
    prepare: async (tenant) => {
      const set = await call('PUT', `/v1/tenants/${tenant.id}/sso`, {
        token: tenant.owner.token,
        body: sampleBody(ROUTES.find((route) => route.id === 'sso.put') as RouteDefinition, 'x'),
      });
      if (set.status !== 200) throw new Error(set.text);
      return {};
    },
    action: 'sso.removed',
    before: { type: 'oidc', enabled: true },
  },
  'domains.check': {
    actor: 'owner',
    prepare: async (tenant) => {
      const domain = `audit-${unique('d').toLowerCase()}.example`;
      const added = await call<{ verification: { name: string; value: string } }>(
        'POST',
        `/v1/tenants/${tenant.id}/domains`,
        { token: tenant.owner.token, body: { domain } },
      );
      addRecord(twin.dnsRecordsFile, { type: 'TXT', ...added.body.verification });
      return { domain };
    },
    // The TXT record proves control; with no CNAME yet the check stops at verified.
    action: 'domain.verified',
    before: { state: 'claimed' },
    after: { state: 'verified' },
  },
  'domains.remove': {
    actor: 'owner',
    prepare: async (tenant) => {
      const domain = `audit-${unique('d').toLowerCase()}.example`;
      await call('POST', `/v1/tenants/${tenant.id}/domains`, { token: tenant.owner.token, body: { domain } });
      return { domain };
    },
    action: 'domain.removed',
    before: { state: 'claimed' },
  },
  'users.invite': { actor: 'owner', action: 'user.invited', after: { role: 'member' } },
  'users.changeRole': {
    actor: 'owner',
    prepare: async (tenant) => ({ userId: (await addUser(tenant, 'member')).id }),
    action: 'user.role_changed',
    before: { role: 'member' },
    after: { role: 'viewer' },
  },
  'users.resendInvitation': {
    actor: 'owner',
    prepare: async (tenant) => {
      const invited = await call<{ id: string }>('POST', `/v1/tenants/${tenant.id}/users`, {
        token: tenant.owner.token,
        body: { email: `${unique('pending')}@example.test`, role: 'viewer' },
      });
      expect(invited.status).toBe(201);
      return { userId: invited.body.id };
    },
    action: 'user.invitation_resent',
  },
  'users.remove': {
    actor: 'owner',
    prepare: async (tenant) => ({ userId: (await addUser(tenant, 'member')).id }),
    action: 'user.removed',
    before: { role: 'member', status: 'active' },
  },
  'apiKeys.create': {
    actor: 'owner',
    action: 'api_key.created',
    after: { scopes: ['agents:read', 'runs:read'], expiresAt: null },
  },
  'apiKeys.revoke': {
    actor: 'owner',
    prepare: async (tenant) => ({ keyId: (await createApiKey(tenant, ['agents:read'])).id }),
    action: 'api_key.revoked',
    before: { status: 'active' },
    after: { status: 'revoked' },
  },
  // The checkout and the portal change no record: Stripe holds the session.
  'billing.checkout': {
    actor: 'owner',
    action: 'billing.checkout_started',
    after: { plan: 'starter' },
    stamps: false,
  },
  'billing.portal': { actor: 'owner', action: 'billing.portal_opened', stamps: false },
  'projects.create': { actor: 'owner', action: 'project.created' },
  'children.create': { actor: 'owner', plan: 'partner', action: 'tenant.child_created' },
  'children.allocate': {
    actor: 'owner',
    plan: 'partner',
    prepare: async (tenant) => ({ childId: (await createChild(tenant)).id }),
    action: 'tenant.allocation_changed',
    before: { allocation: {} },
    after: { allocation: { agents: 1 } },
  },
  'children.billing': {
    actor: 'owner',
    plan: 'partner',
    prepare: async (tenant) => ({ childId: (await createChild(tenant)).id }),
    action: 'tenant.billing_changed',
    before: { paidBy: 'child', plan: 'free' },
    after: { paidBy: 'partner', plan: 'starter' },
  },
  'delegations.request': {
    actor: 'owner',
    plan: 'partner',
    prepare: async (tenant) => {
      delegationFixtures.set(tenant.id, { childId: (await createChild(tenant)).id });
      return {};
    },
    body: (tenant) => ({
      childId: delegationFixtures.get(tenant.id)?.childId,
      role: 'viewer',
      durationDays: 30,
    }),
    action: 'delegation.requested',
    after: { role: 'viewer', durationDays: 30 },
  },
  // The child's owner approves what its partner asked for.
  'delegations.approve': {
    actor: 'owner',
    tenant: async () => {
      const partner = await createTenant({ plan: 'partner' });
      const child = await createChild(partner);
      delegationFixtures.set(child.id, {
        partnerId: partner.id,
        delegationId: await askDelegation(partner, child.id),
      });
      return child;
    },
    prepare: async (tenant) => ({ counterpartId: delegationFixtures.get(tenant.id)?.partnerId }),
    body: (tenant) => ({ delegationId: delegationFixtures.get(tenant.id)?.delegationId }),
    action: 'delegation.approved',
    before: { status: 'pending' },
    after: { status: 'active', role: 'viewer' },
  },
  // The partner withdraws its pending request.
  'delegations.end': {
    actor: 'owner',
    plan: 'partner',
    prepare: async (tenant) => {
      const child = await createChild(tenant);
      await askDelegation(tenant, child.id);
      return { counterpartId: child.id };
    },
    action: 'delegation.withdrawn',
    before: { status: 'pending' },
    after: { status: 'withdrawn' },
  },
  'projects.update': {
    actor: 'owner',
    prepare: async (tenant) => ({ projectId: (await createResources(tenant, { project: true })).projectId }),
    action: 'project.updated',
    before: { description: null },
    after: { description: 'The agents of one product.' },
  },
  'projects.delete': {
    actor: 'owner',
    prepare: async (tenant) => ({ projectId: (await createResources(tenant, { project: true })).projectId }),
    action: 'project.deleted',
  },
  'agents.create': { actor: 'owner', action: 'agent.created', after: { model: 'claude-sonnet' } },
  'agents.update': {
    actor: 'owner',
    prepare: (tenant) => createResources(tenant),
    action: 'agent.updated',
    before: { instructions: null },
    after: { instructions: 'Be brief.' },
  },
  'agents.delete': {
    actor: 'owner',
    prepare: async (tenant) => ({ agentId: await createAgentOnly(tenant) }),
    action: 'agent.deleted',
    before: { name: 'Solo' },
  },
  'memory.create': {
    actor: 'owner',
    prepare: (tenant) => createResources(tenant),
    action: 'memory.created',
    after: { kind: 'text' },
  },
  'memory.delete': {
    actor: 'owner',
    prepare: (tenant) => createResources(tenant),
    action: 'memory.deleted',
    before: { kind: 'json' },
  },
  'tenants.settings.put': {
    actor: 'owner',
    action: 'tenant.setting_changed',
    after: { typedSettings: { 'agents.defaultModel': { value: 'claude-sonnet' } } },
  },
  'tenants.settings.delete': {
    actor: 'owner',
    prepare: async (tenant) => {
      const set = await call('PUT', `/v1/tenants/${tenant.id}/settings/agents.defaultModel`, {
        token: tenant.owner.token,
        body: { value: 'claude-haiku' },
      });
      if (set.status !== 200) throw new Error(`setting: ${set.status} ${set.text}`);
      return {};
    },
    action: 'tenant.setting_changed',
    before: { typedSettings: { 'agents.defaultModel': { value: 'claude-haiku' } } },
    after: { typedSettings: {} },
  },
  'runs.start': {
    actor: 'owner',
    prepare: async (tenant) => ({ agentId: await createAgentOnly(tenant) }),
    action: 'run.started',
    after: { status: 'running' },
  },
  'runs.complete': {
    actor: 'owner',
    prepare: (tenant) => createResources(tenant),
    action: 'run.completed',
    before: { status: 'running' },
    after: { status: 'succeeded', tokensUsed: 1234 },
  },
};

async function createAgentOnly(tenant: TestTenant): Promise<string> {
  const agent = await call<{ id: string }>('POST', `/v1/tenants/${tenant.id}/agents`, {
    token: tenant.owner.token,
    body: { name: 'Solo', model: 'claude-haiku' },
  });
  return agent.body.id;
}

// Platform operations are audited in the platform's own log (platform-admins.test.ts); Stripe's
// webhook audits the changes it makes, with the system as actor (billing.test.ts).
// Home realm discovery is a POST (an address stays out of URLs and logs) that changes nothing.
const mutating = ROUTES.filter(
  (route) =>
    isMutation(route) &&
    route.function !== 'platform' &&
    route.id !== 'billing.webhook' &&
    route.id !== 'sso.discover' &&
    // A quota check is a POST (it takes a body) that changes nothing. A usage record is a service's
    // metering, one of thousands an hour: the usage log is its record (who, what, when, why, the
    // request id), proven in usage-api.test.ts, not the audit log, which is for changes people make.
    route.id !== 'quotas.check' &&
    route.id !== 'usage.record' &&
    // A person ending their own sessions acts on no tenant: no tenant's log holds it.
    route.auth !== 'user',
);

async function actAs(
  scenario: Scenario,
  route: RouteDefinition,
  tenant: TestTenant,
  ids: PathIds,
  at?: Date,
) {
  const token =
    scenario.actor === 'owner'
      ? tenant.owner.token
      : scenario.actor === 'platformAdmin'
        ? await adminToken()
        : undefined;
  return call(route.method, pathFor(route, ids), {
    token,
    body: scenario.body ? scenario.body(tenant) : sampleBody(route, unique('a')),
    ...(at ? { at } : {}),
  });
}

/**
 * The tenant a creating route made, and its owner: from the answer, or, for a signup (whose answer
 * names nothing), as its new owner finds it after signing in.
 */
async function createdTenant(
  route: RouteDefinition,
  body: unknown,
): Promise<{ tenantId: string; ownerId: string } | undefined> {
  if (route.id === 'tenants.signup') {
    const token = await activate((body as { email: string }).email);
    const me = await call<{ user: { id: string }; memberships: Array<{ tenantId: string }> }>(
      'GET',
      '/v1/me',
      {
        token,
      },
    );
    return { tenantId: me.body.memberships[0]?.tenantId ?? '', ownerId: me.body.user.id };
  }
  if (route.id === 'tenants.create' || route.id === 'tenants.createOwn') {
    const made = body as { tenant: { id: string }; owner: { id: string } };
    return { tenantId: made.tenant.id, ownerId: made.owner.id };
  }
  return undefined;
}

function newEvents(before: StoredAuditEvent[], after: StoredAuditEvent[]): StoredAuditEvent[] {
  const seen = new Set(before.map((event) => JSON.stringify(event)));
  return after.filter((event) => !seen.has(JSON.stringify(event)));
}

describe('audit log, walking the mutating routes of the manifest', () => {
  it('has a scenario for every mutating route', () => {
    expect(mutating.map((route) => route.id).filter((id) => !SCENARIOS[id])).toEqual([]);
  });

  for (const route of mutating) {
    const scenario = SCENARIOS[route.id];
    it(`${route.id} leaves exactly one audit event with its actor and before/after, at the request's time`, async () => {
      if (!scenario) throw new Error(`no scenario for ${route.id}`);
      const tenant = scenario.tenant
        ? await scenario.tenant()
        : await createTenant(scenario.plan ? { plan: scenario.plan } : {});
      const prepared = (await scenario.prepare?.(tenant)) ?? {};
      const ids: PathIds = {
        tenantId: tenant.id,
        userId: tenant.owner.id,
        agentId: '',
        runId: '',
        memoryId: '',
        keyId: '',
        ...prepared,
      };
      await giveStripeCustomerNow(tenant.id);
      const before = await storedAuditEvents(tenant.id);
      const timesBefore = await storedRecordTimes(tenant.id);

      // The request's one "now" (when the gateway received it), two minutes from the wall clock's, so
      // an event stamped with the wall clock instead shows.
      const receivedAt = new Date(Math.floor(Date.now() / 1000) * 1000 + 120_000);
      const response = await actAs(scenario, route, tenant, ids, receivedAt);
      expect(response.status).toBeLessThan(300);

      // Creating routes audit into the tenant they create.
      const made = await createdTenant(route, response.body);
      const auditedTenantId = made?.tenantId ?? tenant.id;
      const events = newEvents(
        auditedTenantId === tenant.id ? before : [],
        await storedAuditEvents(auditedTenantId),
      ).filter((event) => !(scenario.alsoAudited ?? []).includes(event.action));
      expect(events).toHaveLength(1);
      const [event] = events;
      expect(event?.action).toBe(scenario.action);
      if (scenario.actor === 'owner') expect(event?.actorId).toBe(tenant.owner.id);
      if (scenario.actor === 'platformAdmin') {
        expect(event?.actorId).toBe(twin.platformAdmin.userId);
        expect(event?.actorIsPlatformAdmin).toBe(true);
      }
      if (scenario.actor === 'newOwner') {
        expect(event?.actorId).toBe(made?.ownerId);
      }
      if (scenario.before) expect(event?.before).toMatchObject(scenario.before);
      if (scenario.after) expect(event?.after).toMatchObject(scenario.after);
      expect(event?.requestId).toBe(response.headers.get('apigw-requestid'));
      expect(event?.occurredAt).toBe(receivedAt.toISOString());

      // Every time the request wrote in the tenant's partition (createdAt, updatedAt, startedAt…) is
      // the request's. Not the quota counters: the metering protocol stamps them with it too, but other
      // suites' jobs, run over every tenant, write them; not an export's completion, which its worker
      // writes; of a tenant the request made, the records' createdAt only: the billing outbox, which
      // other suites run, gives a new tenant its Stripe customer at any time.
      const stamped: string[] = [];
      const madeTenant = auditedTenantId !== tenant.id;
      for (const [sk, times] of await storedRecordTimes(auditedTenantId)) {
        // Audit events are checked above.
        if (sk.startsWith('QUOTA#') || sk.startsWith('AUDIT#')) continue;
        const was = madeTenant ? undefined : timesBefore.get(sk);
        for (const [field, value] of Object.entries(times)) {
          if (madeTenant && field !== 'createdAt') continue;
          if (sk.startsWith('EXPORT#') && field === 'completedAt') continue;
          // A deadline counted from the request's time (a delegation's end), not a stamp of it.
          if (field === 'expiresAt') continue;
          if (value === was?.[field]) continue;
          stamped.push(`${sk} ${field} ${value}`);
          expect(`${sk} ${field} ${value}`).toBe(`${sk} ${field} ${receivedAt.toISOString()}`);
        }
      }
      // A route that changes a record with a time stamps it (a guard against a walk that checks nothing).
      if (scenario.stamps !== false && route.method !== 'DELETE') expect(stamped).not.toEqual([]);
    });
  }

  it('gives an event no TTL: the daily data-retention job removes it past the plan’s days, and not while the tenant is suspended', async () => {
    const tenant = await createTenant({ plan: 'starter' });
    const events = await storedAuditEvents(tenant.id);
    expect(events.length).toBeGreaterThan(0);
    // The job's dates and statuses are proven in data-retention.test.ts.
    for (const event of events) expect(event.expiresAt).toBeUndefined();
  });

  it('records nothing when a mutation fails', async () => {
    const tenant = await createTenant();
    const viewer = await addUser(tenant, 'viewer');
    const before = (await storedAuditEvents(tenant.id)).length;
    const attempts = [
      call('PATCH', `/v1/tenants/${tenant.id}`, { token: tenant.owner.token, body: { name: '' } }),
      call('PATCH', `/v1/tenants/${tenant.id}`, { token: viewer.token, body: { name: 'Nope' } }),
      call('POST', `/v1/tenants/${tenant.id}/users`, {
        token: viewer.token,
        body: { email: 'x@y.test', role: 'member' },
      }),
      call('POST', `/v1/tenants/${tenant.id}/users`, {
        token: tenant.owner.token,
        body: { email: tenant.owner.email, role: 'member' },
      }),
      call('PATCH', `/v1/tenants/${tenant.id}/users/${tenant.owner.id}`, {
        token: tenant.owner.token,
        body: { role: 'admin' },
      }),
      call('DELETE', `/v1/tenants/${tenant.id}/users/${tenant.owner.id}`, { token: tenant.owner.token }),
      call('POST', `/v1/tenants/${tenant.id}/reactivate`, { token: await adminToken() }),
    ];
    const statuses = (await Promise.all(attempts)).map((response) => response.status);
    for (const status of statuses) expect(status).toBeGreaterThanOrEqual(400);
    expect(statuses.every((status) => status < 500)).toBe(true);
    expect((await storedAuditEvents(tenant.id)).length).toBe(before);
  });

  it('lists the log newest first, filtered by action and actor, with a cursor', async () => {
    const tenant = await createTenant();
    for (const name of ['One', 'Two', 'Three']) {
      const response = await call('PATCH', `/v1/tenants/${tenant.id}`, {
        token: tenant.owner.token,
        body: { name },
      });
      expect(response.status).toBe(200);
    }
    const page1 = await call<{
      items: Array<{ action: string; after: { name: string } }>;
      nextCursor: string | null;
    }>(
      'GET',
      `/v1/tenants/${tenant.id}/audit-logs?action=tenant.updated&limit=2&actorId=${tenant.owner.id}`,
      { token: tenant.owner.token },
    );
    expect(page1.status).toBe(200);
    expect(page1.body.items.map((item) => item.after.name)).toEqual(['Three', 'Two']);
    expect(page1.body.nextCursor).toBeTruthy();
    const page2 = await call<{ items: Array<{ after: { name: string } }> }>(
      'GET',
      `/v1/tenants/${tenant.id}/audit-logs?action=tenant.updated&limit=2&cursor=${page1.body.nextCursor}`,
      { token: tenant.owner.token },
    );
    expect(page2.body.items.map((item) => item.after.name)).toEqual(['One']);
  });

  it('names people by email, and filters by a person’s email and by time', async () => {
    const tenant = await createTenant();
    const member = await addUser(tenant, 'admin');
    const hour = 3_600_000;
    const now = Math.floor(Date.now() / 1000) * 1000;
    // A request for a time years ahead (another tenant's): ids made after it, in the same process,
    // carry that later time (they are monotonic), so the filter must not trust an id's time as the
    // event's.
    const ahead = await createTenant();
    await call('PATCH', `/v1/tenants/${ahead.id}`, {
      token: ahead.owner.token,
      body: { name: 'From the future' },
      at: new Date('2041-01-01T00:00:00Z'),
    });
    // Three renames, an hour apart, by the owner; one by the admin.
    for (const [name, ago] of [
      ['Two hours ago', 2],
      ['An hour ago', 1],
      ['Now', 0],
    ] as const) {
      const renamed = await call('PATCH', `/v1/tenants/${tenant.id}`, {
        token: tenant.owner.token,
        body: { name },
        at: new Date(now - ago * hour),
      });
      expect(renamed.status).toBe(200);
    }
    const byMember = await call('PATCH', `/v1/tenants/${tenant.id}`, {
      token: member.token,
      body: { name: 'By the admin' },
    });
    expect(byMember.status).toBe(200);
    type Listed = {
      items: Array<{
        action: string;
        actor: { id: string; email: string | null };
        target: { type: string; id: string; email: string | null };
        after?: { name?: string };
      }>;
    };
    const list = (query: string) =>
      call<Listed>('GET', `/v1/tenants/${tenant.id}/audit-logs?action=tenant.updated&${query}`, {
        token: tenant.owner.token,
      });
    const all = await list('');
    expect(all.body.items.map((item) => [item.after?.name, item.actor.email])).toEqual([
      ['By the admin', member.email],
      ['Now', tenant.owner.email],
      ['An hour ago', tenant.owner.email],
      ['Two hours ago', tenant.owner.email],
    ]);
    // An event about a person names them by email too (the admin's invitation).
    const invited = await call<Listed>('GET', `/v1/tenants/${tenant.id}/audit-logs?action=user.invited`, {
      token: tenant.owner.token,
    });
    expect(invited.body.items[0]?.target).toMatchObject({ id: member.id, email: member.email });
    // By email: the admin's alone; an address no one has, nothing.
    const byAdmin = await list(`actorEmail=${encodeURIComponent(member.email.toUpperCase())}`);
    expect(byAdmin.body.items.map((item) => item.after?.name)).toEqual(['By the admin']);
    expect((await list('actorEmail=nobody%40example.test')).body.items).toEqual([]);
    // By time: the hour ago, alone, between 90 and 30 minutes ago.
    const from = new Date(now - 1.5 * hour).toISOString();
    const to = new Date(now - 0.5 * hour).toISOString();
    const window = await list(`from=${from}&to=${to}`);
    expect(window.body.items.map((item) => item.after?.name)).toEqual(['An hour ago']);
    // A range the wrong way round is refused.
    const backwards = await list(`from=${to}&to=${from}`);
    expect(backwards.status).toBe(400);
    expect(backwards.body).toMatchObject({ code: 'invalid_range' });
  });

  it('exports the log as CSV with emails, and defuses cells a spreadsheet would run', async () => {
    const tenant = await createTenant();
    const renamed = await call('PATCH', `/v1/tenants/${tenant.id}`, {
      token: tenant.owner.token,
      body: { name: 'Acme, Inc.' },
      headers: { 'user-agent': '=HYPERLINK("http://evil.example")' },
    });
    expect(renamed.status).toBe(200);
    const response = await fetch(`${twin.apiUrl}/v1/tenants/${tenant.id}/audit-logs/export?format=csv`, {
      headers: { authorization: `Bearer ${tenant.owner.token}` },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/csv');
    const csv = await response.text();
    const [header, ...rows] = csv.trimEnd().split('\r\n');
    expect(header).toBe(
      'occurredAt,action,actorType,actorId,actorEmail,platformAdmin,targetType,targetId,targetEmail,before,after,sourceIp,userAgent,requestId',
    );
    const update = rows.find((row) => row.includes('tenant.updated')) ?? '';
    expect(update).toContain(tenant.owner.email);
    // A cell with a comma is quoted and its quotes doubled (RFC 4180)…
    expect(update).toContain('"{""name"":""Acme, Inc.""}"');
    // …and one a spreadsheet would run as a formula starts with a quote mark.
    expect(update).toContain(`"'=HYPERLINK(""http://evil.example"")"`);
    // NDJSON stays the default.
    const ndjson = await call('GET', `/v1/tenants/${tenant.id}/audit-logs/export`, {
      token: tenant.owner.token,
    });
    expect(ndjson.headers.get('content-type')).toContain('application/x-ndjson');
  });

  it('refuses a cursor forged for another tenant with 400', async () => {
    const [a, b] = await Promise.all([createTenant(), createTenant()]);
    const forged = Buffer.from(JSON.stringify({ pk: `TENANT#${b.id}`, sk: 'AUDIT#aud_0' })).toString(
      'base64url',
    );
    const response = await call('GET', `/v1/tenants/${a.id}/audit-logs?cursor=${forged}`, {
      token: a.owner.token,
    });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ code: 'invalid_cursor' });
  });

  it('audits a platform admin’s read of another tenant in that tenant', async () => {
    const tenant = await createTenant();
    const response = await call('GET', `/v1/tenants/${tenant.id}/users`, { token: await adminToken() });
    expect(response.status).toBe(200);
    const events = await storedAuditEvents(tenant.id);
    expect(events.some((event) => event.action === 'platform_admin.read' && event.actorIsPlatformAdmin)).toBe(
      true,
    );
  });

  it('shows the tenant a platform admin’s act but not the admin’s own address and user agent', async () => {
    const tenant = await createTenant();
    const read = await call('GET', `/v1/tenants/${tenant.id}/users`, {
      token: await adminToken(),
      headers: { 'user-agent': 'platform-console/1.0' },
    });
    expect(read.status).toBe(200);
    await call('PATCH', `/v1/tenants/${tenant.id}`, {
      token: tenant.owner.token,
      body: { name: 'Owner was here' },
      headers: { 'user-agent': 'owner-browser/1.0' },
    });
    type Listed = {
      items: Array<{ action: string; target: { id: string }; sourceIp?: string; userAgent?: string }>;
    };
    const isAdminRead = (item: Listed['items'][number]) =>
      item.action === 'platform_admin.read' && item.target.id === 'users.list';
    const asOwner = await call<Listed>('GET', `/v1/tenants/${tenant.id}/audit-logs`, {
      token: tenant.owner.token,
    });
    const adminRead = asOwner.body.items.find(isAdminRead);
    expect(adminRead).toBeDefined();
    expect(adminRead?.sourceIp).toBeUndefined();
    expect(adminRead?.userAgent).toBeUndefined();
    // Positive controls: the tenant's own acts keep their source, and platform admins see theirs.
    const ownUpdate = asOwner.body.items.find((item) => item.action === 'tenant.updated');
    expect(ownUpdate).toMatchObject({ userAgent: 'owner-browser/1.0', sourceIp: expect.any(String) });
    const asAdmin = await call<Listed>('GET', `/v1/tenants/${tenant.id}/audit-logs`, {
      token: await adminToken(),
    });
    expect(asAdmin.body.items.find(isAdminRead)).toMatchObject({
      userAgent: 'platform-console/1.0',
    });
  });
});
