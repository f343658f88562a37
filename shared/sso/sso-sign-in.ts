import { writeAudited } from '../audit/audited-transaction';
import { forgetMembership, loadTenant } from '../data/cached-records';
import { platformDocumentClient } from '../data/clients';
import { isConditionalFailure } from '../data/dynamo-errors';
import { EmailClaimEntity } from '../data/entities/email-claim';
import { MembershipEntity, type MembershipItem } from '../data/entities/membership';
import { normalizedEmail } from '../identity/directory-person';
import { ConflictError } from '../errors';
import { newId } from '../ids';
import { entitlementsOf } from '../model/entitlements';
import { tenantOfSsoProvider, type SsoRole } from '../model/sso';
import { afterCountedTake, takeCounted } from '../quotas/counted-quota';
import { systemContextOf } from '../tenancy/system-context';
import { activateInvitedMembership } from '../users/membership-activation';
import { readSsoConnectionAsPlatform, type RoleMapping } from './sso-service';
import { tenantCapturing } from './sso-domains';

/** A sign-in through a tenant's provider that the platform refuses; the message is what the person sees. */
export class SsoSignInRefused extends Error {}

/** What Cognito tells the pre-token-generation trigger about a federated user. */
export interface FederatedIdentity {
  /** `<provider>_<subject>`. */
  username: string;
  /** The user pool attributes: `identities` (JSON), `email`, `custom:ssoGroups`, … */
  attributes: Readonly<Record<string, string | undefined>>;
}

/** The claims a federated sign-in's tokens carry: the person, their tenant, and that the session is bound to it. */
export interface SsoClaims {
  'custom:userId': string;
  'custom:tenantId': string;
  /** The only tenant the session may act on (the API refuses it elsewhere). */
  sso_tenant: string;
}

/** The provider the user came through, from Cognito's `identities` attribute; `null` for a password sign-in. */
export function federatedProviderOf(attributes: FederatedIdentity['attributes']): string | null {
  const raw = attributes.identities;
  if (!raw) return null;
  try {
    const identities = JSON.parse(raw) as Array<{ providerName?: unknown }>;
    const name = identities[0]?.providerName;
    return typeof name === 'string' ? name : null;
  } catch {
    return null;
  }
}

/** A provider's group or role claim, as Cognito stored it: `[a, b]`, a JSON array, or one value. */
export function groupsOf(value: string | undefined): string[] {
  if (!value) return [];
  const text = value.trim();
  if (text.startsWith('[')) {
    try {
      const parsed = JSON.parse(text) as unknown;
      if (Array.isArray(parsed)) return parsed.map(String);
    } catch {
      // Cognito's own rendering of a list: `[a, b]`, unquoted.
    }
    return text
      .slice(1, -1)
      .split(',')
      .map((part) => part.trim())
      .filter(Boolean);
  }
  return [text];
}

/** The role a person's first sign-in gives: the first rule their groups match, else the default. */
export function roleFor(
  groups: string[],
  mapping: RoleMapping | null | undefined,
  fallback: SsoRole,
): SsoRole {
  for (const rule of mapping?.rules ?? []) if (groups.includes(rule.value)) return rule.role;
  return fallback;
}

/** The person an address names: the one claimed already, or a new one claimed now (once, however many race). */
async function personOf(email: string, now: Date): Promise<string> {
  const stored = await EmailClaimEntity.get({ email }).go({ consistent: true });
  if (stored.data) return stored.data.userId;
  const claim = { email, userId: newId('user', now.getTime()) };
  try {
    await EmailClaimEntity.create(claim).go({ response: 'none' });
    return claim.userId;
  } catch (error) {
    if (!isConditionalFailure(error)) throw error;
  }
  const winner = await EmailClaimEntity.get({ email }).go({ consistent: true });
  if (!winner.data) throw new Error('The address changed meanwhile; sign in again.');
  return winner.data.userId;
}

/**
 * Admits a sign-in through a tenant's identity provider, before Cognito makes its tokens (the
 * pre-token-generation trigger), and at each refresh of them:
 * - the provider must be one of ours, set and enabled, of an active tenant whose plan sells `sso`;
 * - the address must be in a domain that tenant has captured and verified: a provider speaks for its
 *   own company's addresses only, so no tenant's provider can sign in a person of another domain;
 * - the person is the one the address names (claimed once across the platform), and becomes a member
 *   at the first sign-in (just in time: the role from the provider's groups or the default, within the
 *   `users` quota, audited); an invitation waiting is accepted; a disabled membership is refused.
 * The tokens then carry the person, the tenant, and `sso_tenant`, which binds the session to it.
 */
export async function admitFederatedSignIn(
  identity: FederatedIdentity,
  now: Date = new Date(),
): Promise<SsoClaims> {
  const providerName = federatedProviderOf(identity.attributes);
  const tenantId = providerName ? tenantOfSsoProvider(providerName) : null;
  if (!providerName || !tenantId) throw new SsoSignInRefused('This identity provider is not a tenant’s.');
  const [tenant, connection] = await Promise.all([
    loadTenant(tenantId),
    readSsoConnectionAsPlatform(tenantId),
  ]);
  if (!tenant || tenant.status !== 'active')
    throw new SsoSignInRefused('The organisation’s account is not active.');
  if (!connection?.enabled || connection.providerName !== providerName) {
    throw new SsoSignInRefused('Single sign-on is not set up for this organisation.');
  }
  if (!entitlementsOf(tenant).features.has('sso')) {
    throw new SsoSignInRefused('The organisation’s plan does not include single sign-on.');
  }
  const email = identity.attributes.email ? normalizedEmail(identity.attributes.email) : '';
  if (!email) throw new SsoSignInRefused('The identity provider sent no email address.');
  if ((await tenantCapturing(email)) !== tenantId) {
    throw new SsoSignInRefused(`The organisation has not verified the domain of ${email}.`);
  }
  const userId = await personOf(email, now);
  const membership = (
    await MembershipEntity.get({ tenantId, userId }).go({ client: platformDocumentClient, consistent: true })
  ).data;
  const ctx = systemContextOf(tenant, `sso-${now.getTime()}`, `sso:${providerName}`);
  if (!membership) {
    const role = roleFor(
      groupsOf(identity.attributes['custom:ssoGroups']),
      connection.roleMapping as RoleMapping | undefined,
      connection.defaultRole,
    );
    await provision(ctx, { tenantId, userId, email, role, username: identity.username, providerName }, now);
  } else if (membership.status === 'disabled') {
    throw new SsoSignInRefused('Your access to this organisation has been removed.');
  } else if (membership.status === 'invited') {
    await activateInvitedMembership(ctx, membership);
  }
  if (membership && !membership.cognitoUsername)
    await recordProviderSignIn(tenantId, userId, identity.username);
  return { 'custom:userId': userId, 'custom:tenantId': tenantId, sso_tenant: tenantId };
}

/**
 * A person the tenant's directory provisioned signs in for the first time: their membership learns
 * the Cognito user their provider made, which a deactivation signs out (once, whoever gets here first).
 */
async function recordProviderSignIn(tenantId: string, userId: string, username: string): Promise<void> {
  await MembershipEntity.patch({ tenantId, userId })
    .set({ cognitoUsername: username })
    .where((attr, op) => op.eq(attr.cognitoUsername, ''))
    .go({ client: platformDocumentClient, response: 'none' })
    .catch((error: unknown) => {
      if (!isConditionalFailure(error)) throw error;
    });
  forgetMembership(tenantId, userId);
}

async function provision(
  ctx: ReturnType<typeof systemContextOf>,
  person: {
    tenantId: string;
    userId: string;
    email: string;
    role: SsoRole;
    username: string;
    providerName: string;
  },
  now: Date,
): Promise<void> {
  const item: MembershipItem = {
    tenantId: person.tenantId,
    userId: person.userId,
    email: person.email,
    role: person.role,
    status: 'active',
    cognitoUsername: person.username,
    invitedBy: `sso:${person.providerName}`,
    invitedAt: now.toISOString(),
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
  const noRoom = new ConflictError('The organisation has no room for more people on its plan.');
  const already = new ConflictError('The membership was made meanwhile.');
  try {
    await writeAudited(
      ctx,
      {
        action: 'user.provisioned',
        targetType: 'user',
        targetId: person.userId,
        after: { email: person.email, role: person.role, via: person.providerName },
      },
      ({ membership, quotaCounter }) => ({
        quota: takeCounted(quotaCounter, ctx, 'users', 1, now),
        membership: membership.create(item).commit(),
      }),
      {
        rejections: { quota: () => noRoom, membership: () => already },
        now,
        client: platformDocumentClient,
      },
    );
  } catch (error) {
    // A sign-in racing this one made the membership first: it is there, which is all this wanted.
    if (error === already) return;
    if (error === noRoom) throw new SsoSignInRefused(noRoom.message);
    throw error;
  }
  forgetMembership(person.tenantId, person.userId);
  await afterCountedTake(ctx, 'users', now);
}
