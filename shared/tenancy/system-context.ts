import { platformDocumentClient } from '../data/clients';
import { TenantEntity, type TenantItem } from '../data/entities/tenant';
import { entitlementsOf, poolsDrawn } from '../model/entitlements';
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
  return (await systemContextAndRecord(tenantId, requestId, actorId))?.ctx ?? null;
}

/** The same context, and the tenant's record it was made from (what the context does not carry). */
export async function systemContextAndRecord(
  tenantId: string,
  requestId: string,
  actorId: string,
): Promise<{ ctx: TenantContext; tenant: TenantItem } | null> {
  const read = async (id: string) =>
    (await TenantEntity.get({ tenantId: id }).go({ client: platformDocumentClient, consistent: true })).data;
  const tenant = await read(tenantId);
  if (!tenant) return null;
  // A child drawing on its partner's pool is limited by the partner's record too.
  const parent = poolsDrawn(tenant).length > 0 && tenant.parentId ? await read(tenant.parentId) : null;
  return { ctx: systemContextOf(tenant, requestId, actorId, parent ?? undefined), tenant };
}

/**
 * The same context, from a tenant record already read (and its parent's, for a child drawing on its
 * partner's pool; without it, the pool is closed to this context: see `entitlementsOf`).
 */
export function systemContextOf(
  tenant: TenantItem,
  requestId: string,
  actorId: string,
  parent?: TenantItem,
): TenantContext {
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
    ...entitlementsOf(tenant, parent),
    tenantStatus: tenant.status,
    typedSettings: tenant.typedSettings as TenantContext['typedSettings'],
    requestId,
    sourceIp: '0.0.0.0',
    userAgent: 'tenantry-jobs',
  };
}
