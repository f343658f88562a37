import { platformDocumentClient } from '../data/clients';
import { TenantEntity, type TenantItem } from '../data/entities/tenant';
import { entitlementsOf } from '../model/entitlements';
import type { TenantContext } from '../context/tenant-context';
import { PLATFORM_ADMIN_PERMISSIONS } from '../model/roles';

/**
 * The context work done for the platform (a job, an export, an event's consumer) acts on a tenant
 * with: a system principal, the tenant's plan and limits as stored now. `null` if the tenant is gone.
 */
export async function systemContextFor(
  tenantId: string,
  requestId: string,
  actorId: string,
): Promise<TenantContext | null> {
  const tenant = (
    await TenantEntity.get({ tenantId }).go({ client: platformDocumentClient, consistent: true })
  ).data;
  return tenant ? systemContextOf(tenant, requestId, actorId) : null;
}

/** The same context, from a tenant record already read. */
export function systemContextOf(tenant: TenantItem, requestId: string, actorId: string): TenantContext {
  return {
    tenantId: tenant.tenantId,
    principal: {
      type: 'system',
      userId: actorId,
      sub: 'system',
      email: undefined,
      homeTenantId: undefined,
      isPlatformAdmin: false,
      mfaEnrolled: false,
    },
    role: 'platform_admin',
    permissions: PLATFORM_ADMIN_PERMISSIONS,
    ...entitlementsOf(tenant),
    tenantStatus: tenant.status,
    requestId,
    sourceIp: '0.0.0.0',
    userAgent: 'tenantry-jobs',
  };
}
