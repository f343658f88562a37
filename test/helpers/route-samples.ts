import type { RouteId } from '../../shared/api/manifest';
import type { RouteDefinition } from '../../shared/http/route';
import { inject } from 'vitest';
import { pngOf } from './images';

let sampleIdp: { issuer: string; clientId: string; clientSecret: string } | undefined;

/**
 * The OpenID provider the `sso.put` sample names: in the test suites the twin's (vitest's `inject`);
 * a benchmark, outside vitest, names its own twin's.
 */
export function useSampleIdp(idp: { issuer: string; clientId: string; clientSecret: string }): void {
  sampleIdp = idp;
}

/**
 * A valid request body for every route in the manifest (`undefined` where it takes none). Typed by
 * route id, so a route added to the manifest does not compile here until someone gives it a sample,
 * and the suites that walk the manifest cover it from then on.
 */
export const SAMPLE_BODIES: Record<RouteId, (unique: string) => unknown> = {
  'tenants.signup': (u) => ({ name: `Signup ${u}`, slug: `s-${u}`, owner: { email: `${u}@signup.test` } }),
  'tenants.createOwn': (u) => ({ name: `Own ${u}`, slug: `o-${u}` }),
  'tenants.create': (u) => ({ name: `Created ${u}`, slug: `c-${u}`, owner: { email: `${u}@create.test` } }),
  'tenants.list': () => undefined,
  'children.create': (u) => ({
    name: `Customer ${u}`,
    slug: `k-${u}`.toLowerCase().slice(0, 40),
    owner: { email: `${u}@customer.test` },
  }),
  'children.list': () => undefined,
  'children.health': () => undefined,
  'children.allocate': () => ({ limits: { agents: 1 } }),
  'children.billing': () => ({ paidBy: 'partner', plan: 'starter' }),
  'delegations.list': () => undefined,
  'delegations.request': () => ({
    childId: 'ten_01AAAAAAAAAAAAAAAAAAAAAAAA',
    role: 'viewer',
    durationDays: 30,
  }),
  'delegations.get': () => undefined,
  'delegations.approve': () => ({ delegationId: 'dlg_01AAAAAAAAAAAAAAAAAAAAAAAA' }),
  'delegations.end': () => undefined,
  'tenants.getCurrent': () => undefined,
  'tenants.get': () => undefined,
  'tenants.update': (u) => ({ name: `Renamed ${u}`, settings: { timezone: 'Europe/Paris' } }),
  'tenants.changePlan': () => ({ plan: 'starter' }),
  'tenants.suspend': () => ({ reason: 'Unpaid invoices' }),
  'tenants.reactivate': () => undefined,
  // Not the tenant's slug: the suites that walk the manifest must not delete their tenants.
  'tenants.delete': () => ({ confirm: 'not-the-slug' }),
  'tenants.restore': () => undefined,
  'tenants.exports.create': () => undefined,
  'tenants.exports.list': () => undefined,
  'tenants.exports.get': () => undefined,
  'webhooks.create': () => ({ url: 'http://127.0.0.1:9/hooks', events: ['tenant.reactivated'] }),
  'webhooks.list': () => undefined,
  'webhooks.get': () => undefined,
  'webhooks.update': () => ({ description: 'Changed' }),
  'webhooks.delete': () => undefined,
  'webhooks.deliveries': () => undefined,
  'webhooks.test': () => ({ type: 'tenant.reactivated' }),
  'webhooks.retry': () => undefined,
  'tenants.profile.get': () => undefined,
  'tenants.profile.update': () => ({ company: 'Sample Company Ltd', primaryColor: '#1d4ed8' }),
  'tenants.logo.set': () => ({ contentType: 'image/png', data: pngOf(32, 32).toString('base64') }),
  'tenants.logo.remove': () => undefined,
  'branding.get': () => undefined,
  'tenants.import': (u) => ({
    file: `{"format":"tenantry-import/1"}\n{"type":"agent","ref":"${u}","name":"Imported ${u}","model":"claude-sonnet"}`,
  }),
  'domains.add': (u) => ({ domain: `app-${u.toLowerCase()}.sample.test` }),
  'domains.list': () => undefined,
  'domains.get': () => undefined,
  'domains.check': () => ({}),
  'domains.remove': () => undefined,
  'sso.get': () => undefined,
  'sso.put': () => {
    const { issuer, clientId, clientSecret } = sampleIdp ?? inject('twin').oidcIdp;
    return { type: 'oidc', oidc: { issuer, clientId, clientSecret } };
  },
  'sso.remove': () => undefined,
  'sso.domains.add': (u) => ({ domain: `sso-${u.toLowerCase()}.sample.test` }),
  'sso.domains.list': () => undefined,
  'sso.domains.check': () => ({}),
  'sso.domains.remove': () => undefined,
  'sso.discover': (u) => ({ email: `${u.toLowerCase()}@northwind.example` }),
  'scim.config': () => undefined,
  'scim.users.list': () => undefined,
  // An address of no captured domain: refused (400) without a change wherever the walks send it.
  'scim.users.create': (u) => ({ userName: `${u.toLowerCase()}@scim-sample.test`, active: true }),
  'scim.users.get': () => undefined,
  'scim.users.replace': (u) => ({ userName: `${u.toLowerCase()}@scim-sample.test`, active: true }),
  'scim.users.patch': () => ({
    schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
    Operations: [{ op: 'replace', path: 'displayName', value: 'Sample' }],
  }),
  'scim.users.delete': () => undefined,
  'scim.groups.list': () => undefined,
  'scim.groups.create': (u) => ({ displayName: `Group ${u}` }),
  'scim.groups.get': () => undefined,
  'scim.groups.replace': (u) => ({ displayName: `Group ${u}` }),
  'scim.groups.patch': () => ({
    schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
    Operations: [{ op: 'replace', path: 'displayName', value: 'Renamed' }],
  }),
  'scim.groups.delete': () => undefined,
  'tenants.secrets.list': () => undefined,
  'tenants.secrets.put': (u) => ({ value: `whsec_${u}` }),
  'tenants.settings.get': () => undefined,
  'tenants.settings.put': () => ({ value: 'claude-sonnet' }),
  'tenants.settings.delete': () => undefined,
  'tenants.secrets.delete': () => undefined,
  'users.me': () => undefined,
  'users.list': () => undefined,
  'users.get': () => undefined,
  'users.invite': (u) => ({ email: `${u}@invite.test`, role: 'member' }),
  'users.changeRole': () => ({ role: 'viewer' }),
  'users.resendInvitation': () => undefined,
  'users.remove': () => undefined,
  'users.sessions.list': () => undefined,
  // Signs its caller out everywhere: the walks run it as a person of their own (isolation LIFECYCLE).
  'users.sessions.signOutEverywhere': () => undefined,
  'users.sessions.end': () => undefined,
  'users.signOut': () => ({}),
  'apiKeys.create': (u) => ({ name: `Key ${u}`, scopes: ['agents:read', 'runs:read'] }),
  'apiKeys.list': () => undefined,
  'apiKeys.get': () => undefined,
  'apiKeys.revoke': () => undefined,
  'audit.list': () => undefined,
  'audit.export': () => undefined,
  'projects.list': () => undefined,
  'projects.create': (u) => ({ name: `Project ${u}` }),
  'projects.get': () => undefined,
  'projects.update': () => ({ description: 'The agents of one product.' }),
  'projects.delete': () => undefined,
  'agents.list': () => undefined,
  'agents.create': (u) => ({ name: `Agent ${u}`, model: 'claude-sonnet' }),
  'agents.get': () => undefined,
  'agents.update': () => ({ instructions: 'Be brief.' }),
  'agents.delete': () => undefined,
  'memory.list': () => undefined,
  'memory.create': (u) => ({ kind: 'text', content: `remember ${u}` }),
  'memory.get': () => undefined,
  'memory.delete': () => undefined,
  'quotas.reconcile': () => undefined,
  'runs.start': () => ({ input: { prompt: 'hello' } }),
  'runs.complete': () => ({ status: 'succeeded', tokensUsed: 1234 }),
  'quotas.check': () => ({ resource: 'tokens', amount: 1000 }),
  'usage.record': (u) => ({ resource: 'toolCalls', amount: 1, description: `sample tool call ${u}` }),
  'usage.events': () => undefined,
  'runs.list': () => undefined,
  'runs.get': () => undefined,
  'quotas.get': () => undefined,
  'plans.list': () => undefined,
  'billing.get': () => undefined,
  'billing.checkout': () => ({ plan: 'starter' }),
  'billing.portal': () => undefined,
  'billing.webhook': (u) => ({ id: `evt_${u}`, type: 'customer.created' }),
  'usage.get': () => undefined,
  'usage.routes': () => undefined,
  'tenants.health': () => undefined,
  'platform.admins.list': () => undefined,
  // The seeded platform admin: granting an admin again changes nothing, so the walks may repeat it.
  'platform.admins.grantByEmail': () => ({ email: 'admin@tenantry.local' }),
  'platform.admins.grant': () => undefined,
  'platform.admins.revoke': () => undefined,
  'platform.audit.list': () => undefined,
  'platform.metrics': () => undefined,
  'docs.openapi': () => undefined,
  'docs.reference': () => undefined,
  'docs.problems': () => undefined,
  'docs.asset': () => undefined,
};

export function sampleBody(route: RouteDefinition, unique: string): unknown {
  return SAMPLE_BODIES[route.id as RouteId](unique);
}

export interface PathIds {
  tenantId: string;
  userId: string;
  agentId: string;
  runId: string;
  memoryId: string;
  keyId: string;
  /** An export of the tenant; a well-formed id of none when not given. */
  exportId?: string;
  /** A webhook endpoint of the tenant; a well-formed id of none when not given. */
  endpointId?: string;
  /** A logged delivery of that endpoint; a well-formed id of none when not given. */
  deliveryId?: string;
  /** A custom domain of the tenant; a well-formed name of none when not given. */
  domain?: string;
  /** One of the caller's sessions; a well-formed id of none when not given. */
  sessionId?: string;
  /** A directory group of the tenant (SCIM); a well-formed id of none when not given. */
  groupId?: string;
  /** A project of the tenant; a well-formed id of none when not given. */
  projectId?: string;
  /** The other tenant of a delegation; a well-formed id of none when not given. */
  counterpartId?: string;
  /** A tenant below the tenant; a well-formed id of none when not given. */
  childId?: string;
  file?: string;
}

/** What a path parameter is when the ids given name none: well-formed, and of nothing. */
const NOTHING_NAMED: Record<string, string> = {
  file: 'swagger-ui.css',
  name: 'webhookSigningSecret',
  key: 'agents.defaultModel',
  exportId: 'exp_01AAAAAAAAAAAAAAAAAAAAAAAA',
  endpointId: 'whk_01AAAAAAAAAAAAAAAAAAAAAAAA',
  deliveryId: 'dlv_01AAAAAAAAAAAAAAAAAAAAAAAA',
  domain: 'none.sample.test',
  groupId: 'grp_01AAAAAAAAAAAAAAAAAAAAAAAA',
  projectId: 'prj_01AAAAAAAAAAAAAAAAAAAAAAAA',
  counterpartId: 'ten_01AAAAAAAAAAAAAAAAAAAAAAAA',
  childId: 'ten_01AAAAAAAAAAAAAAAAAAAAAAAA',
  sessionId: 'ses_1000000000',
};

/** Fills a route's path parameters. */
export function pathFor(route: RouteDefinition, ids: PathIds): string {
  return route.path.replace(/\{(\w+)\}/g, (_match, name: string) => {
    const value = name === 'name' ? NOTHING_NAMED.name : (ids[name as keyof PathIds] ?? NOTHING_NAMED[name]);
    if (!value) throw new Error(`no id for {${name}} in ${route.path}`);
    return value;
  });
}
