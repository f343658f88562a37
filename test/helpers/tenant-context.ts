import type { TenantContext } from '../../shared/tenancy/context';
import { ROLE_PERMISSIONS } from '../../shared/tenancy/roles';
import { effectiveLimits, PLANS, type LimitOverrides, type PlanId } from '../../shared/tenants/plans';

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
    },
    role: 'owner',
    permissions: ROLE_PERMISSIONS.owner,
    plan,
    limits: effectiveLimits(plan, overrides),
    features: new Set(PLANS[plan].features),
    tenantStatus: 'active',
    requestId: 'test',
    sourceIp: '127.0.0.1',
    userAgent: 'vitest',
  };
}
