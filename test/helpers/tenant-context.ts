import type { TenantContext } from '../../shared/context/tenant-context';
import { ROLE_PERMISSIONS } from '../../shared/model/roles';
import { entitlementsOf } from '../../shared/model/entitlements';
import type { LimitOverrides, PlanId } from '../../shared/model/plans';

/** The context the middleware would build for a tenant's owner, for calling services directly. */
export function ownerContext(
  tenantId: string,
  userId: string,
  plan: PlanId,
  overrides: LimitOverrides = {},
): TenantContext {
  return {
    tenantId,
    principal: {
      type: 'user',
      userId,
      sub: 'sub',
      email: undefined,
      homeTenantId: tenantId,
      isPlatformAdmin: false,
      mfaEnrolled: false,
    },
    role: 'owner',
    permissions: ROLE_PERMISSIONS.owner,
    ...entitlementsOf({ plan, limitOverrides: overrides }),
    tenantStatus: 'active',
    requestId: 'test',
    sourceIp: '127.0.0.1',
    userAgent: 'vitest',
  };
}
