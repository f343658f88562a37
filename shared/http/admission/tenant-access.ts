import { apiKeyStatusOf } from '../../api-keys/key-use';
import type { Principal, RequestMeta, TenantContext, UserPrincipal } from '../../context/tenant-context';
import {
  hostLookups,
  loadApiKey,
  loadMembership,
  loadTenant,
  tenantCapturingAddress,
} from '../../data/cached-records';
import { getConfig } from '../../config';
import { resolveTenant } from '../../tenancy/tenant-resolution';
import type { ApiKeyItem } from '../../data/entities/api-key';
import type { MembershipItem } from '../../data/entities/membership';
import type { TenantItem } from '../../data/entities/tenant';
import { ConflictError, ForbiddenError, NotFoundError, UnauthorizedError } from '../../errors';
import { entitlementsOf, poolsDrawn } from '../../model/entitlements';
import { delegatedPermissions, PLATFORM_ADMIN_PERMISSIONS, ROLE_PERMISSIONS } from '../../model/roles';
import { allowlistAllows } from '../../tenancy/ip-allowlist';
import { invitationExpiry } from '../../users/user-view';
import { isSignedOutOfTenant } from '../../users/sessions';
import type { TenantRequest } from '../admitted-request';
import type { ApiEvent } from '../api-event';
import { isMutation, type RouteDefinition } from '../route';
import type { IdentifiedRequest } from './identify';
import { auditRefusedAccess } from './refusal-audit';
import { delegatedGrant, type DelegatedGrant } from './delegated-access';
import { enforceQuotaPolicies } from '../../tenants/overage-suspension';

/**
 * What lets the caller act on the tenant: platform-admin power, a membership, the tenant's own key,
 * or a partner's delegation its owner approved.
 */
export type Grant =
  | { kind: 'platform' }
  | { kind: 'membership'; membership: MembershipItem }
  | { kind: 'apiKey'; key: ApiKeyItem }
  | DelegatedGrant;

/**
 * The caller's grant on the tenant, checked before the tenant is even read. A membership is the only
 * grant a person has (the token's tenant is only the default); a key acts on its own tenant alone,
 * and only while its record says it is active and unexpired, re-read every few seconds whatever the
 * authorizer cached.
 */
async function grantOf(principal: Principal, tenantId: string, now: Date): Promise<Grant> {
  if (principal.isPlatformAdmin) return { kind: 'platform' };
  if (principal.type === 'apiKey') {
    if (tenantId !== principal.tenantId) {
      throw new ForbiddenError('An API key acts only on the tenant it belongs to.', 'tenant_mismatch');
    }
    const key = await loadApiKey(tenantId, principal.keyId);
    if (!key || apiKeyStatusOf(key, now) !== 'active') {
      throw new UnauthorizedError('The API key has been revoked or has expired.');
    }
    return { kind: 'apiKey', key };
  }
  // A session from a tenant's identity provider speaks for that tenant's people there, and in the
  // tenants that tenant holds a delegation to, nowhere else.
  if (principal.ssoTenantId !== undefined && principal.ssoTenantId !== tenantId) {
    const delegated = await delegatedGrant(principal, tenantId, now);
    if (delegated) return delegated;
    throw new ForbiddenError(
      'This session was signed in through another organisation’s identity provider; sign in again for this tenant.',
      'tenant_mismatch',
    );
  }
  const membership = await loadMembership(tenantId, principal.userId);
  if (!membership) {
    // No member, but perhaps a partner's person its owner let in.
    const delegated = await delegatedGrant(principal, tenantId, now);
    if (delegated) return delegated;
    if (tenantId !== principal.homeTenantId) {
      throw new ForbiddenError(
        'The caller is not a member of the tenant the request names.',
        'tenant_mismatch',
      );
    }
    throw new ForbiddenError('The caller is not a member of this tenant.', 'membership_inactive');
  }
  return { kind: 'membership', membership };
}

/**
 * What a platform admin may change on a tenant that is not active: on a deleted one, only what
 * brings it back or out (restore, export); on a suspended one, what is open to its people (billing,
 * export, deletion) and the platform's own acts on it (reactivate, plan). Reads stay open.
 */
function assertPlatformMayChange(tenant: TenantItem, route: RouteDefinition): void {
  if (!isMutation(route)) return;
  if (tenant.status === 'deleted' && !route.allowWhenDeleted) {
    throw new ConflictError('A deleted tenant cannot be changed; restore it first.', 'tenant_deleted');
  }
  const platformAct = route.permission?.startsWith('platform:') === true;
  if (tenant.status === 'suspended' && !route.allowWhenSuspended && !platformAct) {
    throw new ForbiddenError('This tenant is suspended; reactivate it first.', 'tenant_suspended', {
      reason: tenant.statusReason ?? null,
    });
  }
}

/**
 * The tenant exists and admits the request: for its own members and keys, their address and its
 * status; for platform admins, its status (`assertPlatformMayChange`).
 */
async function admittingTenant(
  tenantId: string,
  grant: Grant,
  route: RouteDefinition,
  meta: RequestMeta,
  receivedAt: Date,
): Promise<TenantItem> {
  let tenant = await loadTenant(tenantId);
  // A quota policy's suspension ends once the tenant is no longer past its limit (a larger plan
  // bought through Stripe, overrides, a new month): its first request after that finds it lifted.
  if (tenant?.status === 'suspended' && tenant.suspendedBy === 'quota_policy') {
    if ((await enforceQuotaPolicies(tenantId, receivedAt, meta.requestId)) === 'reactivated') {
      tenant = await loadTenant(tenantId);
    }
  }
  if (!tenant) {
    if (grant.kind === 'platform') throw new NotFoundError('No tenant has this id.', 'tenant_not_found');
    throw new ForbiddenError('The caller’s tenant no longer exists.', 'tenant_not_found');
  }
  if (grant.kind === 'platform') {
    assertPlatformMayChange(tenant, route);
    return tenant;
  }
  const allowlist = tenant.settings?.ipAllowlist ?? [];
  if (allowlist.length > 0 && !allowlistAllows(allowlist, meta.sourceIp)) {
    throw new ForbiddenError(
      `This tenant accepts requests only from its allowed addresses, and not from ${meta.sourceIp}.`,
      'ip_not_allowed',
    );
  }
  // A deletion ends every key's use at once, even where the owners may still read and restore.
  if (tenant.status === 'deleted' && (!route.allowWhenDeleted || grant.kind === 'apiKey')) {
    throw new ForbiddenError('This tenant has been deleted.', 'tenant_deleted', {
      purgeAfter: tenant.purgeAfter ?? null,
    });
  }
  // A suspension stops machines outright: a key is refused even where people may still read.
  if (tenant.status === 'suspended' && (!route.allowWhenSuspended || grant.kind === 'apiKey')) {
    throw new ForbiddenError('This tenant is suspended.', 'tenant_suspended', {
      reason: tenant.statusReason ?? null,
    });
  }
  return tenant;
}

/**
 * A member's standing in the tenant: not disabled, MFA enrolled where the tenant requires it, and an
 * invitation that has not expired (accepting it is an effect of admission, `admission-effects.ts`).
 */
function assertMemberStanding(
  membership: MembershipItem,
  tenant: TenantItem,
  mfaEnrolled: boolean,
  now: Date,
): void {
  if (membership.status === 'disabled') {
    throw new ForbiddenError('The caller is not a member of this tenant.', 'membership_inactive');
  }
  if (tenant.settings?.mfaRequired && !mfaEnrolled) throw mfaRequired('This tenant requires');

  if (membership.status === 'invited') {
    const expires = invitationExpiry(membership);
    if (expires && expires <= now) {
      throw new ForbiddenError('The invitation to this tenant has expired.', 'invitation_expired');
    }
  }
}

function mfaRequired(who: string): ForbiddenError {
  return new ForbiddenError(`${who} multi-factor authentication.`, 'mfa_required', {
    enrol:
      'Set up an authenticator app (Cognito AssociateSoftwareToken, VerifySoftwareToken, then SetUserMFAPreference with SoftwareTokenMfaSettings enabled), then sign in again.',
  });
}

/**
 * A delegated person acts for their partner, which admits them too: it is active (a suspended or
 * deleted partner's people act nowhere for it), the request comes from an address it allows, and
 * where it (or the child) requires MFA they have it, and where it requires single sign-on they used
 * it. The child's own address rules and status are checked as for its members.
 */
async function assertPartnerStanding(
  grant: DelegatedGrant,
  principal: UserPrincipal,
  child: TenantItem,
  meta: RequestMeta,
): Promise<void> {
  const partner = await loadTenant(grant.delegation.partnerId);
  if (!partner || partner.status !== 'active') {
    throw new ForbiddenError(
      'The partner this delegation is for is not active: its people cannot act for it.',
      'delegation_inactive',
      { partnerId: grant.delegation.partnerId, partnerStatus: partner?.status ?? 'deleted' },
    );
  }
  const allowlist = partner.settings?.ipAllowlist ?? [];
  if (allowlist.length > 0 && !allowlistAllows(allowlist, meta.sourceIp)) {
    throw new ForbiddenError(
      `Your partner accepts requests only from its allowed addresses, and not from ${meta.sourceIp}.`,
      'ip_not_allowed',
    );
  }
  if (partner.settings?.mfaRequired && !principal.mfaEnrolled) throw mfaRequired('Your partner requires');
  if (child.settings?.mfaRequired && !principal.mfaEnrolled) throw mfaRequired('This tenant requires');
  await assertSignInMethod(principal, partner);
}

/**
 * A tenant that requires single sign-on takes its captured addresses' sessions only from its own
 * identity provider: a password session of such an address is refused, but for the break-glass owner
 * the tenant names. Addresses of other domains (contractors) keep their passwords. Reads the domain's
 * guard only for tenants that require it (cached).
 */
async function assertSignInMethod(principal: UserPrincipal, tenant: TenantItem): Promise<void> {
  if (!tenant.ssoRequired || principal.ssoTenantId === tenant.tenantId) return;
  if (principal.userId === tenant.ssoBreakGlassUserId || !principal.email) return;
  if ((await tenantCapturingAddress(principal.email)) !== tenant.tenantId) return;
  throw new ForbiddenError(
    'This organisation signs your address in through its identity provider only: use single sign-on.',
    'sso_required',
  );
}

function assertPermission(ctx: TenantContext, route: RouteDefinition): void {
  if (!route.permission || ctx.permissions.has(route.permission)) return;
  const who = ctx.principal.type === 'apiKey' ? 'This API key’s scopes lack' : `The ${ctx.role} role lacks`;
  throw new ForbiddenError(`${who} the ${route.permission} permission.`, 'permission_denied', {
    requiredPermission: route.permission,
  });
}

/** A key limited to a project reaches only the routes that keep it to that project. */
function assertProjectScope(ctx: TenantContext, route: RouteDefinition): void {
  if (ctx.projectId === undefined || route.projectScoped) return;
  throw new ForbiddenError(
    'This API key is limited to one project: it may use the routes of its project, agents, memory and runs only.',
    'project_key_not_allowed',
    { projectId: ctx.projectId },
  );
}

/**
 * Stage 2, tenant access (`tenant` routes): builds the {@link TenantContext} from verified identity
 * only, enforcing in order: the tenant named by path or header is well-formed and one the caller
 * holds a grant on (only platform admins may act on any; a key only on its own); the tenant exists;
 * for members and keys, the request comes from an address the tenant allows and the tenant is not
 * suspended or deleted; a member's membership is current and, where the tenant requires it, has MFA
 * enrolled; the role's permissions, or the key's scopes, include the route's permission.
 */
export async function admitToTenant(
  identified: IdentifiedRequest & { principal: Principal },
  event: ApiEvent,
): Promise<{ request: TenantRequest; grant: Grant }> {
  const { route, meta, receivedAt, principal } = identified;
  const resolved = await resolveTenant(
    {
      pathTenantId: event.pathParameters?.tenantId,
      headers: event.headers,
      query: event.queryStringParameters,
      host: event.requestContext.domainName ?? event.headers.host,
      principal,
    },
    getConfig().resolution,
    hostLookups,
  );
  if (!resolved) throw new ForbiddenError('The caller belongs to no tenant.', 'no_tenant');
  const { tenantId, resolvedBy } = resolved;
  let grant: Grant;
  let tenant: TenantItem;
  try {
    grant = await grantOf(principal, tenantId, receivedAt);
    tenant = await admittingTenant(tenantId, grant, route, meta, receivedAt);
    if (grant.kind === 'membership' && principal.type === 'user') {
      if (isSignedOutOfTenant(grant.membership, principal.signedInAt)) {
        throw new UnauthorizedError(
          'An admin of this tenant signed you out; sign in again.',
          'session_revoked',
        );
      }
      assertMemberStanding(grant.membership, tenant, principal.mfaEnrolled, receivedAt);
      await assertSignInMethod(principal, tenant);
    }
    if (grant.kind === 'delegation' && principal.type === 'user') {
      await assertPartnerStanding(grant, principal, tenant, meta);
    }
  } catch (error) {
    // An attempt against the tenant (someone not of it, a disallowed address, MFA missing, a revoked
    // key) goes in its audit log, rate-limited.
    await auditRefusedAccess(tenantId, principal, route, meta, error);
    throw error;
  }
  const access =
    grant.kind === 'platform'
      ? { role: 'platform_admin' as const, permissions: PLATFORM_ADMIN_PERMISSIONS }
      : grant.kind === 'membership'
        ? { role: grant.membership.role, permissions: ROLE_PERMISSIONS[grant.membership.role] }
        : grant.kind === 'delegation'
          ? { role: grant.role, permissions: delegatedPermissions(grant.role) }
          : { role: grant.key.role, permissions: new Set(grant.key.scopes) };
  // A child drawing on its partner's pool is limited by the partner's record too (cached like its own).
  const parent = poolsDrawn(tenant).length > 0 && tenant.parentId ? await loadTenant(tenant.parentId) : null;
  const ctx: TenantContext = {
    tenantId,
    principal,
    ...access,
    ...entitlementsOf(tenant, parent ?? undefined),
    projectId: grant.kind === 'apiKey' ? grant.key.projectId : undefined,
    ...(grant.kind === 'delegation'
      ? {
          delegation: {
            partnerId: grant.delegation.partnerId,
            delegationId: grant.delegation.delegationId,
            expiresAt: grant.delegation.expiresAt ?? receivedAt.toISOString(),
          },
        }
      : {}),
    tenantStatus: tenant.status,
    typedSettings: tenant.typedSettings as TenantContext['typedSettings'],
    requestId: meta.requestId,
    sourceIp: meta.sourceIp,
    userAgent: meta.userAgent,
    receivedAt,
  };
  // A project key is told it is limited to its project before it is told which scope it lacks.
  assertProjectScope(ctx, route);
  assertPermission(ctx, route);
  return { request: { route, meta, receivedAt, principal, tenant: ctx, resolvedBy }, grant };
}
