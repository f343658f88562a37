import { getConfig } from '../config';
import { platformDocumentClient } from './clients';
import { ApiKeyEntity, type ApiKeyItem } from './entities/api-key';
import { DelegationEntity, type DelegationItem } from './entities/delegation';
import { MembershipEntity, type MembershipItem } from './entities/membership';
import { PlatformAdminEntity } from './entities/platform-admin';
import { SlugClaimEntity } from './entities/slug-claim';
import { DomainClaimEntity } from './entities/domain-claim';
import { SsoDomainClaimEntity } from './entities/sso-domain-claim';
import { TenantEntity, type TenantItem } from './entities/tenant';
import { TtlCache } from './ttl-cache';
import { capturedDomainOf } from '../email-domain';
import { PersonSignOutEntity, type PersonSignOutItem } from './entities/person-session';

/**
 * Reads the records that decide who may act on a tenant, before any tenant context exists. These are
 * platform reads by nature (resolving identity to tenant), so they go through the platform client.
 */
const config = getConfig();
const tenants = new TtlCache<TenantItem | null>(config.cache.tenantTtlMs);
const memberships = new TtlCache<MembershipItem | null>(config.cache.membershipTtlMs);
const platformAdmins = new TtlCache<boolean>(config.cache.membershipTtlMs);
const signOuts = new TtlCache<PersonSignOutItem | null>(config.cache.membershipTtlMs);
const apiKeys = new TtlCache<ApiKeyItem | null>(config.cache.membershipTtlMs);
const slugs = new TtlCache<string | null>(config.cache.hostTtlMs, 10_000);
const domains = new TtlCache<{ tenantId: string; serving: boolean } | null>(config.cache.hostTtlMs, 10_000);
const ssoDomains = new TtlCache<string | null>(config.cache.hostTtlMs, 10_000);

export function loadTenant(tenantId: string): Promise<TenantItem | null> {
  return tenants.get(tenantId, async () => {
    const result = await TenantEntity.get({ tenantId }).go({ client: platformDocumentClient });
    return result.data;
  });
}

/**
 * The tenant a slug names (a host `<slug>.<base domain>`), remembered for the host cache's time: a
 * warm lookup reads nothing. A slug no tenant has is not remembered (the next request reads again),
 * so a tenant made a moment ago answers at once.
 */
export async function tenantIdOfSlug(slug: string): Promise<string | null> {
  const tenantId = await slugs.get(slug, async () => {
    const result = await SlugClaimEntity.get({ slug }).go({ client: platformDocumentClient });
    return result.data?.tenantId ?? null;
  });
  if (tenantId === null) slugs.delete(slug);
  return tenantId;
}

/**
 * Which tenant holds a verified custom domain, and whether the host names it now (active or at risk),
 * remembered for the host cache's time like slugs; a host no tenant holds is not remembered.
 */
export async function tenantOfDomain(domain: string): Promise<{ tenantId: string; serving: boolean } | null> {
  const held = await domains.get(domain, async () => {
    const result = await DomainClaimEntity.get({ domain }).go({ client: platformDocumentClient });
    return result.data ? { tenantId: result.data.tenantId, serving: result.data.serving } : null;
  });
  if (held === null) domains.delete(domain);
  return held;
}

/**
 * The tenant that has captured an address's email domain for its identity provider, remembered for the
 * host cache's time (read only for tenants that require single sign-on).
 */
export async function tenantCapturingAddress(email: string): Promise<string | null> {
  const domain = capturedDomainOf(email);
  if (!domain) return null;
  return ssoDomains.get(domain, async () => {
    const result = await SsoDomainClaimEntity.get({ domain }).go({ client: platformDocumentClient });
    return result.data?.tenantId ?? null;
  });
}

/** What tenant resolution looks hosts up with (shared/tenancy/tenant-resolution.ts `HostLookups`). */
export const hostLookups = { tenantOfSlug: tenantIdOfSlug, tenantOfDomain };

/** After a domain's guard changed in this process: the next request here reads it again. */
export function forgetDomain(domain: string): void {
  domains.delete(domain);
}

export function loadMembership(tenantId: string, userId: string): Promise<MembershipItem | null> {
  return memberships.get(`${tenantId}/${userId}`, async () => {
    const result = await MembershipEntity.get({ tenantId, userId }).go({ client: platformDocumentClient });
    return result.data;
  });
}

/**
 * An API key's record, re-read as often as memberships: revoking or expiring a key ends its access
 * within this cache time, whatever the authorizer cached.
 */
export function loadApiKey(tenantId: string, keyId: string): Promise<ApiKeyItem | null> {
  return apiKeys.get(`${tenantId}/${keyId}`, async () => {
    const result = await ApiKeyEntity.get({ tenantId, keyId }).go({ client: platformDocumentClient });
    return result.data;
  });
}

export function forgetApiKey(tenantId: string, keyId: string): void {
  apiKeys.delete(`${tenantId}/${keyId}`);
}

/** Whether a platform-admin record exists for the user (cached as briefly as memberships). */
export function hasPlatformAdminRecord(userId: string): Promise<boolean> {
  return platformAdmins.get(userId, async () => {
    const result = await PlatformAdminEntity.get({ userId }).go({ consistent: true });
    return result.data !== null;
  });
}

/** What the person has signed out, if anything (cached as briefly as memberships). */
export function loadSignOut(userId: string): Promise<PersonSignOutItem | null> {
  return signOuts.get(
    userId,
    async () => (await PersonSignOutEntity.get({ userId }).go({ consistent: true })).data,
  );
}

export function forgetSignOut(userId: string): void {
  signOuts.delete(userId);
}

export function forgetPlatformAdmin(userId: string): void {
  platformAdmins.delete(userId);
}

/** After a write in this process, forget the cached copy so the next request here sees it at once. */
export function forgetTenant(tenantId: string): void {
  tenants.delete(tenantId);
}

export function forgetMembership(tenantId: string, userId: string): void {
  memberships.delete(`${tenantId}/${userId}`);
}

const grantedDelegations = new TtlCache<DelegationItem[]>(config.cache.membershipTtlMs);

/**
 * The delegations a tenant granted (its partners' access, any state), read as briefly cached as
 * memberships: a revocation ends access within that time everywhere, at once where it was made.
 * Whether one is in force is decided at each request (its expiry against the request's time).
 */
export function loadGrantedDelegations(tenantId: string): Promise<DelegationItem[]> {
  return grantedDelegations.get(tenantId, async () => {
    const result = await DelegationEntity.query
      .byTenant({ tenantId, side: 'granted' })
      .go({ client: platformDocumentClient, pages: 'all' });
    return result.data;
  });
}

export function forgetGrantedDelegations(tenantId: string): void {
  grantedDelegations.delete(tenantId);
}
