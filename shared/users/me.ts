import { platformDocumentClient } from '../data/clients';
import { MembershipEntity } from '../data/entities/membership';
import { TenantEntity } from '../data/entities/tenant';
import type { UserPrincipal } from '../context/tenant-context';

export interface MeView {
  user: {
    id: string;
    email: string | null;
    defaultTenantId: string | null;
    platformAdmin: boolean;
    mfaEnrolled: boolean;
  };
  memberships: Array<{
    tenantId: string;
    tenantName: string;
    tenantSlug: string;
    tenantStatus: 'active' | 'suspended' | 'deleted';
    role: 'owner' | 'admin' | 'member' | 'viewer';
    status: 'invited' | 'active' | 'disabled';
  }>;
}

/**
 * The signed-in person and every tenant they belong to (for a tenant switcher), found through the
 * index keyed by user, a platform lookup, so the platform client reads it. Nothing of any tenant
 * but the caller's own memberships is returned; a single sign-on session, only its tenant's.
 */
export async function describeMe(principal: UserPrincipal): Promise<MeView> {
  // A session from a tenant's identity provider sees that tenant alone (its other memberships are the
  // person's business with a password sign-in, not the provider's).
  const memberships = (
    await MembershipEntity.query
      .byUser({ userId: principal.userId })
      .go({ client: platformDocumentClient, pages: 'all' })
  ).data.filter(
    (membership) => principal.ssoTenantId === undefined || membership.tenantId === principal.ssoTenantId,
  );
  const tenants = memberships.length
    ? (
        await TenantEntity.get(memberships.map((membership) => ({ tenantId: membership.tenantId }))).go({
          client: platformDocumentClient,
        })
      ).data
    : [];
  const byId = new Map(tenants.map((tenant) => [tenant.tenantId, tenant]));
  return {
    user: {
      id: principal.userId,
      email: principal.email ?? null,
      defaultTenantId: principal.homeTenantId ?? null,
      platformAdmin: principal.isPlatformAdmin,
      mfaEnrolled: principal.mfaEnrolled,
    },
    memberships: memberships.flatMap((membership) => {
      const tenant = byId.get(membership.tenantId);
      return tenant
        ? [
            {
              tenantId: tenant.tenantId,
              tenantName: tenant.name,
              tenantSlug: tenant.slug,
              tenantStatus: tenant.status,
              role: membership.role,
              status: membership.status,
            },
          ]
        : [];
    }),
  };
}
