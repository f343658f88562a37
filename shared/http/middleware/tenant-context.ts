import type { MiddlewareObj } from '@middy/core';
import * as z from 'zod/mini';
import { apiKeyStatusOf, noteApiKeyUse } from '../../api-keys/key-use';
import { auditSourceOf } from '../../audit/actor';
import { recordAuditEvent } from '../../audit/audit-log';
import { authorizerContextSchema } from '../../auth/authorizer-context';
import { getConfig } from '../../config';
import { hasPlatformAdminRecord, loadApiKey, loadMembership, loadTenant } from '../../data/cached-records';
import type { ApiKeyItem } from '../../data/entities/api-key';
import type { MembershipItem } from '../../data/entities/membership';
import type { TenantItem } from '../../data/entities/tenant';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  UnauthorizedError,
  ValidationError,
} from '../../errors';
import { isIdOf } from '../../ids';
import {
  runWithTenantContext,
  type Principal,
  type RequestMeta,
  type TenantContext,
} from '../../tenancy/context';
import { allowlistAllows } from '../../tenancy/ip-allowlist';
import { PLATFORM_ADMIN_PERMISSIONS, ROLE_PERMISSIONS } from '../../tenancy/roles';
import { entitlementsOf } from '../../tenants/entitlements';
import { activateInvitedMembership } from '../../users/membership-activation';
import { invitationExpiry } from '../../users/user-view';
import {
  receivedAtOf,
  requestMetaOf,
  type ApiEvent,
  type ApiResult,
  type RequestScope,
  type ScopedContext,
} from '../request-scope';
import { isMutation, type RouteDefinition } from '../route';

const config = getConfig();

/**
 * The caller, from the authorizer's verified context: a person or a tenant API key. Platform-admin
 * power needs the group claim and a platform-admin record on the server (read only for callers who
 * carry the claim, cached seconds); a key never has it.
 */
async function principalOf(event: ApiEvent): Promise<Principal> {
  const parsed = z.safeParse(authorizerContextSchema, event.requestContext.authorizer?.lambda);
  if (!parsed.success) throw new UnauthorizedError('The request carries no verified identity.');
  const claims = parsed.data;
  if (claims.principalType === 'apiKey') {
    return { type: 'apiKey', keyId: claims.keyId, tenantId: claims.tenantId, isPlatformAdmin: false };
  }
  const groups = claims.groups ? claims.groups.split(',') : [];
  const claimsPlatformAdmin = groups.includes(config.cognito.platformAdminGroup);
  return {
    type: 'user',
    userId: claims.userId,
    sub: claims.sub,
    email: claims.email,
    homeTenantId: claims.tenantId,
    isPlatformAdmin: claimsPlatformAdmin && (await hasPlatformAdminRecord(claims.userId)),
    mfaEnrolled: claims.mfa === 'true',
  };
}

/** The tenant a caller acts on when the request names none: a person's default, a key's own. */
function defaultTenantOf(principal: Principal): string | undefined {
  return principal.type === 'apiKey' ? principal.tenantId : principal.homeTenantId;
}

/** The tenant a request names: the path's `{tenantId}`, else `X-Tenant-ID`, else the caller's default. */
function targetTenantId(event: ApiEvent, principal: Principal): string | undefined {
  const fromPath = event.pathParameters?.tenantId;
  const fromHeader = event.headers['x-tenant-id'];
  if (fromPath && fromHeader && fromPath !== fromHeader) {
    throw new ForbiddenError(
      'The X-Tenant-ID header and the path name different tenants.',
      'tenant_mismatch',
    );
  }
  for (const [named, where] of [
    [fromPath, 'tenantId'],
    [fromHeader, 'X-Tenant-ID'],
  ] as const) {
    // Checked before it is looked up: a malformed id is a 400, never a key sent to DynamoDB.
    if (named !== undefined && !isIdOf('tenant', named)) {
      throw new ValidationError('The tenant named by the request is not a tenant id.', [
        { path: where, message: 'must be a tenant id (ten_…)' },
      ]);
    }
  }
  return fromPath ?? fromHeader ?? defaultTenantOf(principal);
}

/** What lets the caller act on the tenant: platform-admin power, a membership, or the tenant's own key. */
type Grant =
  | { kind: 'platform' }
  | { kind: 'membership'; membership: MembershipItem }
  | { kind: 'apiKey'; key: ApiKeyItem };

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
  const membership = await loadMembership(tenantId, principal.userId);
  if (!membership) {
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
): Promise<TenantItem> {
  const tenant = await loadTenant(tenantId);
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
 * invitation accepted by this first request unless it has expired.
 */
async function assertMemberStanding(
  membership: MembershipItem,
  tenant: TenantItem,
  mfaEnrolled: boolean,
  now: Date,
): Promise<void> {
  if (membership.status === 'disabled') {
    throw new ForbiddenError('The caller is not a member of this tenant.', 'membership_inactive');
  }
  if (tenant.settings?.mfaRequired && !mfaEnrolled) {
    throw new ForbiddenError('This tenant requires multi-factor authentication.', 'mfa_required', {
      enrol:
        'Set up an authenticator app (Cognito AssociateSoftwareToken, VerifySoftwareToken, then SetUserMFAPreference with SoftwareTokenMfaSettings enabled), then sign in again.',
    });
  }
  if (membership.status === 'invited') {
    const expires = invitationExpiry(membership);
    if (expires && expires <= now) {
      throw new ForbiddenError('The invitation to this tenant has expired.', 'invitation_expired');
    }
    await activateInvitedMembership(membership, now);
  }
}

function assertPermission(ctx: TenantContext, route: RouteDefinition): void {
  if (!route.permission || ctx.permissions.has(route.permission)) return;
  const who = ctx.principal.type === 'apiKey' ? 'This API key’s scopes lack' : `The ${ctx.role} role lacks`;
  throw new ForbiddenError(`${who} the ${route.permission} permission.`, 'permission_denied', {
    requiredPermission: route.permission,
  });
}

/**
 * Builds the {@link TenantContext} from verified identity only, then enforces, in order: the tenant
 * named by path or header is well-formed and one the caller holds a grant on (only platform admins
 * may act on any, and are audited; a key only on its own); the tenant exists; for members and keys,
 * the request comes from an address the tenant allows and the tenant is not suspended or deleted; a
 * member's membership is current and, where the tenant requires it, has MFA enrolled; the role's
 * permissions, or the key's scopes, include the route's permission.
 */
export function tenantContextMiddleware(
  route: RouteDefinition,
): MiddlewareObj<ApiEvent, ApiResult, Error, ScopedContext> {
  return {
    before: async function resolveTenantContext(request) {
      const event = request.event;
      const meta = requestMetaOf(event);
      const scope: RequestScope = { route, meta, receivedAt: receivedAtOf(event) };
      request.context.scope = scope;
      if (route.auth === 'public') return;

      const principal = await principalOf(event);
      if (route.auth === 'user' || route.auth === 'platform') {
        if (principal.type === 'apiKey') {
          throw route.auth === 'user'
            ? new ForbiddenError(
                'This operation is for a signed-in person, not an API key.',
                'person_required',
              )
            : new ForbiddenError('This operation is for platform admins.', 'platform_admin_required');
        }
        if (route.auth === 'platform' && !principal.isPlatformAdmin) {
          throw new ForbiddenError('This operation is for platform admins.', 'platform_admin_required');
        }
        scope.principal = principal;
        return;
      }

      const tenantId = targetTenantId(event, principal);
      if (!tenantId) throw new ForbiddenError('The caller belongs to no tenant.', 'no_tenant');
      const grant = await grantOf(principal, tenantId, scope.receivedAt);
      const tenant = await admittingTenant(tenantId, grant, route, meta);
      if (grant.kind === 'membership' && principal.type === 'user') {
        await assertMemberStanding(grant.membership, tenant, principal.mfaEnrolled, scope.receivedAt);
      }
      const access =
        grant.kind === 'platform'
          ? { role: 'platform_admin' as const, permissions: PLATFORM_ADMIN_PERMISSIONS }
          : grant.kind === 'membership'
            ? { role: grant.membership.role, permissions: ROLE_PERMISSIONS[grant.membership.role] }
            : { role: grant.key.role, permissions: new Set(grant.key.scopes) };
      const ctx: TenantContext = {
        tenantId,
        principal,
        ...access,
        ...entitlementsOf(tenant),
        tenantStatus: tenant.status,
        requestId: meta.requestId,
        sourceIp: meta.sourceIp,
        userAgent: meta.userAgent,
        receivedAt: scope.receivedAt,
      };
      assertPermission(ctx, route);
      scope.tenant = ctx;

      if (grant.kind === 'apiKey') await noteApiKeyUse(ctx, grant.key, scope.receivedAt);
      // Mutations audit themselves; a platform admin's read of another tenant is audited here.
      if (grant.kind === 'platform' && tenantId !== defaultTenantOf(principal) && !isMutation(route)) {
        await runWithTenantContext(ctx, () =>
          recordAuditEvent(tenantId, auditSourceOf(ctx), {
            action: 'platform_admin.read',
            targetType: 'route',
            targetId: route.id,
          }),
        );
      }
    },
  };
}
