import type { MiddlewareObj } from '@middy/core';
import * as z from 'zod/mini';
import { auditSourceOf } from '../../audit/actor';
import { recordAuditEvent } from '../../audit/audit-log';
import { authorizerContextSchema } from '../../auth/authorizer-context';
import { getConfig } from '../../config';
import { hasPlatformAdminRecord, loadMembership, loadTenant } from '../../data/cached-records';
import { ForbiddenError, NotFoundError, UnauthorizedError, ValidationError } from '../../errors';
import { isIdOf } from '../../ids';
import { runWithTenantContext, type TenantContext, type UserPrincipal } from '../../tenancy/context';
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
 * The caller, from the authorizer's verified claims. Platform-admin power needs the group claim and a
 * platform-admin record on the server (read only for callers who carry the claim, cached seconds).
 */
async function principalOf(event: ApiEvent): Promise<UserPrincipal> {
  const parsed = z.safeParse(authorizerContextSchema, event.requestContext.authorizer?.lambda);
  if (!parsed.success) throw new UnauthorizedError('The request carries no verified identity.');
  const claims = parsed.data;
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

/** The tenant a request names: the path's `{tenantId}`, else `X-Tenant-ID`, else the caller's own. */
function targetTenantId(event: ApiEvent, principal: UserPrincipal): string | undefined {
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
  return fromPath ?? fromHeader ?? principal.homeTenantId;
}

/**
 * Builds the {@link TenantContext} from verified identity only, then enforces, in order: the tenant
 * named by path or header is well-formed and the caller's own (only platform admins may act on
 * another, and are audited); the tenant exists; for members, the request comes from an address the
 * tenant allows and the tenant is not suspended or deleted; the caller's membership is current and,
 * where the tenant requires it, has MFA enrolled; the caller's role grants the route's permission.
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
      scope.principal = principal;
      if (route.auth === 'user') return;
      if (route.auth === 'platform') {
        if (!principal.isPlatformAdmin) {
          throw new ForbiddenError('This operation is for platform admins.', 'platform_admin_required');
        }
        return;
      }

      const tenantId = targetTenantId(event, principal);
      if (!tenantId) throw new ForbiddenError('The caller belongs to no tenant.', 'no_tenant');
      const crossTenant = tenantId !== principal.homeTenantId;
      // A membership is the only grant: a person may act on any tenant they belong to, and on no
      // other (the token's tenant is only the default). Checked before the tenant is even read.
      const membership = principal.isPlatformAdmin ? null : await loadMembership(tenantId, principal.userId);
      if (!principal.isPlatformAdmin && !membership) {
        if (crossTenant) {
          throw new ForbiddenError(
            'The caller is not a member of the tenant the request names.',
            'tenant_mismatch',
          );
        }
        throw new ForbiddenError('The caller is not a member of this tenant.', 'membership_inactive');
      }

      const tenant = await loadTenant(tenantId);
      if (!tenant) {
        if (principal.isPlatformAdmin) throw new NotFoundError('No tenant has this id.', 'tenant_not_found');
        throw new ForbiddenError('The caller’s tenant no longer exists.', 'tenant_not_found');
      }
      if (!principal.isPlatformAdmin) {
        const allowlist = tenant.settings?.ipAllowlist ?? [];
        if (allowlist.length > 0 && !allowlistAllows(allowlist, meta.sourceIp)) {
          throw new ForbiddenError(
            `This tenant accepts requests only from its allowed addresses, and not from ${meta.sourceIp}.`,
            'ip_not_allowed',
          );
        }
        if (tenant.status === 'deleted')
          throw new ForbiddenError('This tenant has been deleted.', 'tenant_deleted');
        if (tenant.status === 'suspended' && !route.allowWhenSuspended) {
          throw new ForbiddenError('This tenant is suspended.', 'tenant_suspended', {
            reason: tenant.statusReason ?? null,
          });
        }
      }

      let ctx: TenantContext;
      const base = {
        tenantId,
        principal,
        ...entitlementsOf(tenant),
        tenantStatus: tenant.status,
        requestId: meta.requestId,
        sourceIp: meta.sourceIp,
        userAgent: meta.userAgent,
      };
      if (principal.isPlatformAdmin) {
        ctx = { ...base, role: 'platform_admin', permissions: PLATFORM_ADMIN_PERMISSIONS };
      } else {
        if (!membership || membership.status === 'disabled') {
          throw new ForbiddenError('The caller is not a member of this tenant.', 'membership_inactive');
        }
        if (tenant.settings?.mfaRequired && !principal.mfaEnrolled) {
          throw new ForbiddenError('This tenant requires multi-factor authentication.', 'mfa_required', {
            enrol:
              'Set up an authenticator app (Cognito AssociateSoftwareToken, VerifySoftwareToken, then SetUserMFAPreference with SoftwareTokenMfaSettings enabled), then sign in again.',
          });
        }
        if (membership.status === 'invited') {
          const expires = invitationExpiry(membership);
          if (expires && expires <= scope.receivedAt) {
            throw new ForbiddenError('The invitation to this tenant has expired.', 'invitation_expired');
          }
          await activateInvitedMembership(membership);
        }
        ctx = { ...base, role: membership.role, permissions: ROLE_PERMISSIONS[membership.role] };
      }

      if (route.permission && !ctx.permissions.has(route.permission)) {
        throw new ForbiddenError(
          `The ${ctx.role} role lacks the ${route.permission} permission.`,
          'permission_denied',
          {
            requiredPermission: route.permission,
          },
        );
      }
      scope.tenant = ctx;

      // Mutations audit themselves; a platform admin's read of another tenant is audited here.
      if (principal.isPlatformAdmin && crossTenant && !isMutation(route)) {
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
