import * as z from 'zod/mini';
import { authorizerContextSchema } from '../../auth/authorizer-context';
import { getConfig } from '../../config';
import type { Principal, RequestMeta } from '../../context/tenant-context';
import { hasPlatformAdminRecord, loadMembership, loadSignOut } from '../../data/cached-records';
import { isIdOf } from '../../ids';
import { isSignInRevoked } from '../../users/sessions';
import { ForbiddenError, UnauthorizedError } from '../../errors';
import { requestMetaOf, type ApiEvent } from '../api-event';
import type { RouteDefinition } from '../route';

const config = getConfig();

/** Stage 1's answer: the route, who sent the request from where and when, and the verified caller. */
export interface IdentifiedRequest {
  route: RouteDefinition;
  meta: RequestMeta & { receivedAt: Date };
  receivedAt: Date;
  /** Absent on `public` routes only. */
  principal: Principal | undefined;
}

/**
 * The caller, from the authorizer's verified context: a person or a tenant API key. Platform-admin
 * power needs the group claim and a platform-admin record on the server (read only for callers who
 * carry the claim, cached seconds); a key never has it.
 */
async function principalOf(event: ApiEvent, route: RouteDefinition): Promise<Principal> {
  const parsed = z.safeParse(authorizerContextSchema, event.requestContext.authorizer?.lambda);
  if (!parsed.success) throw new UnauthorizedError('The request carries no verified identity.');
  const claims = parsed.data;
  if (claims.principalType === 'apiKey') {
    return { type: 'apiKey', keyId: claims.keyId, tenantId: claims.tenantId, isPlatformAdmin: false };
  }
  const signedInAt = claims.authTime ? new Date(Number(claims.authTime) * 1000).toISOString() : undefined;
  // On a tenant route, the membership tenant access will most likely read next (the tenant the path
  // names, else the person's home tenant, which resolves it unless a host or header names another): its
  // read starts now, beside the sign-out marker's, and tenant access takes it from the cache (one round
  // trip, not two, when neither is cached). Only where the cache keeps it, or it would be read twice.
  const pathTenantId = event.pathParameters?.tenantId;
  const likelyTenantId = pathTenantId && pathTenantId !== 'current' ? pathTenantId : claims.tenantId;
  if (
    route.auth === 'tenant' &&
    config.cache.membershipTtlMs > 0 &&
    likelyTenantId &&
    isIdOf('tenant', likelyTenantId)
  ) {
    loadMembership(likelyTenantId, claims.userId).catch(() => undefined);
  }
  const groups = claims.groups ? claims.groups.split(',') : [];
  const claimsPlatformAdmin = groups.includes(config.cognito.platformAdminGroup);
  const [signOut, platformAdminRecord] = await Promise.all([
    loadSignOut(claims.userId),
    claimsPlatformAdmin ? hasPlatformAdminRecord(claims.userId) : false,
  ]);
  // A sign-in the person signed out (everywhere, or this session) is refused, whatever its token's expiry.
  if (isSignInRevoked(signOut, signedInAt)) {
    throw new UnauthorizedError('This session was signed out; sign in again.', 'session_revoked');
  }
  return {
    type: 'user',
    userId: claims.userId,
    sub: claims.sub,
    ...(claims.username ? { username: claims.username } : {}),
    email: claims.email,
    homeTenantId: claims.tenantId,
    isPlatformAdmin: claimsPlatformAdmin && platformAdminRecord,
    mfaEnrolled: claims.mfa === 'true',
    ...(signedInAt ? { signedInAt } : {}),
    ...(claims.ssoTenantId ? { ssoTenantId: claims.ssoTenantId } : {}),
  };
}

/**
 * Stage 1, identify: the caller's principal, and that it is the kind the route is for (a person on
 * `user` routes, a platform admin on `platform` routes; nobody is asked for on `public` ones).
 */
export async function identify(event: ApiEvent, route: RouteDefinition): Promise<IdentifiedRequest> {
  const meta = requestMetaOf(event);
  const identified = { route, meta, receivedAt: meta.receivedAt };
  if (route.auth === 'public') return { ...identified, principal: undefined };
  const principal = await principalOf(event, route);
  if (route.auth === 'user' || route.auth === 'platform') {
    if (principal.type === 'apiKey') {
      throw route.auth === 'user'
        ? new ForbiddenError('This operation is for a signed-in person, not an API key.', 'person_required')
        : new ForbiddenError('This operation is for platform admins.', 'platform_admin_required');
    }
    if (route.auth === 'platform' && !principal.isPlatformAdmin) {
      throw new ForbiddenError('This operation is for platform admins.', 'platform_admin_required');
    }
  }
  return { ...identified, principal };
}
