import { createContext, useContext, type ReactNode } from 'react';
import { useParams } from 'react-router';
import { delegatedPermissions, ROLE_PERMISSIONS, type Permission, type Role } from '../../shared/model/roles';
import { must, type Schemas } from './api/client';
import { useSession } from './auth/session';
import { useLoad } from './ui/load';
import { ErrorBox, Loading } from './ui/parts';

export type Me = Schemas['Me'];
export type Tenant = Schemas['Tenant'];

interface MeContextValue {
  me: Me;
  reloadMe(): void;
}

const MeContext = createContext<MeContextValue | undefined>(undefined);

/** Who is signed in and the tenants they belong to (`GET /v1/me`), for every page. */
export function MeProvider({ children }: { children: ReactNode }) {
  const { api } = useSession();
  const me = useLoad(() => must(api.GET('/v1/me')), [api]);
  if (me.error) return <ErrorBox error={me.error} />;
  if (!me.data) return <Loading label="Loading your account…" />;
  return <MeContext.Provider value={{ me: me.data, reloadMe: me.reload }}>{children}</MeContext.Provider>;
}

export function useMe(): MeContextValue {
  const value = useContext(MeContext);
  if (!value) throw new Error('useMe outside MeProvider');
  return value;
}

/**
 * A partner's person in a tenant below it, through a delegation: whom they act for, under which role
 * (the lower of the delegation's and their own), until when. Set when they open the tenant from the
 * partner's Customers page, kept for the browser tab; the API decides at each request all the same.
 */
export interface DelegatedVisit {
  partnerId: string;
  partnerName: string;
  role: Role;
  expiresAt: string;
}

const visitKey = (tenantId: string) => `tenantry.delegated.${tenantId}`;

export function rememberDelegatedVisit(tenantId: string, visit: DelegatedVisit): void {
  sessionStorage.setItem(visitKey(tenantId), JSON.stringify(visit));
}

function delegatedVisitTo(tenantId: string): DelegatedVisit | undefined {
  try {
    const stored = sessionStorage.getItem(visitKey(tenantId));
    return stored ? (JSON.parse(stored) as DelegatedVisit) : undefined;
  } catch {
    return undefined;
  }
}

export interface TenantScope {
  tenantId: string;
  tenant: Tenant;
  /** The caller's role here; undefined for a platform admin who is not a member. */
  role: Role | undefined;
  /** A platform admin who is not a member: sees and may do what an owner may, audited as themself. */
  platformVisit: boolean;
  /** A partner's person acting here through a delegation (not a member, not a platform admin). */
  delegatedVisit: DelegatedVisit | undefined;
  can(permission: Permission): boolean;
  reloadTenant(): void;
}

const TenantContext = createContext<TenantScope | undefined>(undefined);

/** Permissions come from the same role table the API enforces (shared/model/roles.ts). */
export function canWith(role: Role | undefined, permission: Permission): boolean {
  return role !== undefined && ROLE_PERMISSIONS[role].has(permission);
}

/** The tenant in the path (`/t/:tenantId/…`): its record and the caller's role in it. */
export function TenantProvider({ children }: { children: ReactNode }) {
  const { tenantId = '' } = useParams();
  const { api } = useSession();
  const { me } = useMe();
  const tenant = useLoad(
    () => must(api.GET('/v1/tenants/{tenantId}', { params: { path: { tenantId } } })),
    [api, tenantId],
  );
  const membership = me.memberships.find((m) => m.tenantId === tenantId);
  if (tenant.error) return <ErrorBox error={tenant.error} />;
  if (!tenant.data) return <Loading label="Loading the tenant…" />;
  // The API lets a platform admin read and act on any tenant (audited in the tenant's log as the
  // admin); the console shows them the owner's pages, with a banner saying whose they are.
  const platformVisit = !membership && me.user.platformAdmin;
  const delegatedVisit = !membership && !platformVisit ? delegatedVisitTo(tenantId) : undefined;
  const role = membership?.role ?? delegatedVisit?.role;
  return (
    <TenantContext.Provider
      value={{
        tenantId,
        tenant: tenant.data,
        role,
        platformVisit,
        delegatedVisit,
        can: (permission) =>
          platformVisit
            ? canWith('owner', permission)
            : delegatedVisit
              ? delegatedPermissions(delegatedVisit.role).has(permission)
              : canWith(role, permission),
        reloadTenant: tenant.reload,
      }}
    >
      {children}
    </TenantContext.Provider>
  );
}

export function useTenant(): TenantScope {
  const value = useContext(TenantContext);
  if (!value) throw new Error('useTenant outside TenantProvider');
  return value;
}
