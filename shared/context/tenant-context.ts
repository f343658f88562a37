import { AsyncLocalStorage } from 'node:async_hooks';
import type { FeatureFlag, Limits, PlanId, PoolableResource, QuotaResource } from '../model/plans';
import type { Pool } from '../model/entitlements';
import type { TenantStatus } from '../model/tenant-status';
import type { Permission, Role } from '../model/roles';
import type { StoredSetting } from '../setting-registry';

export interface UserPrincipal {
  /** `system` for scheduled jobs acting on a tenant; every request principal is a `user`. */
  type: 'user' | 'system';
  userId: string;
  /** Cognito `sub`. */
  sub: string;
  /** The Cognito user name (`cognito:username`) of a person's request. */
  username?: string | undefined;
  email: string | undefined;
  /** The tenant named by the token's `custom:tenantId`; absent for a platform admin without one. */
  homeTenantId: string | undefined;
  isPlatformAdmin: boolean;
  /** An MFA method is enrolled: the user's sign-ins pass a second factor. */
  mfaEnrolled: boolean;
  /** When the person signed in (the ID token's `auth_time`); absent for system principals. */
  signedInAt?: string | undefined;
  /** Signed in through this tenant's identity provider: the session acts on this tenant alone. */
  ssoTenantId?: string | undefined;
}

/** A tenant API key acting as its own principal: its scopes are its permissions. */
export interface ApiKeyPrincipal {
  type: 'apiKey';
  keyId: string;
  /** The tenant the key belongs to: the only one it may act on. */
  tenantId: string;
  isPlatformAdmin: false;
}

export type Principal = UserPrincipal | ApiKeyPrincipal;

/** The id a principal is recorded by (createdBy, the audit actor, idempotency scopes). */
export function principalId(principal: Principal): string {
  return principal.type === 'apiKey' ? principal.keyId : principal.userId;
}

/** Who is asking, on behalf of which tenant, with what rights. Built from verified identity only. */
export interface TenantContext {
  tenantId: string;
  principal: Principal;
  /**
   * The membership role, or `platform_admin` for a platform admin acting on a tenant; for an API key,
   * its creator's role when it was made (the ceiling for roles it may grant or manage).
   */
  role: Role | 'platform_admin';
  permissions: ReadonlySet<Permission>;
  plan: PlanId;
  /** The plan's limits with the tenant's overrides; `null` is unlimited. */
  limits: Limits;
  features: ReadonlySet<FeatureFlag>;
  /** The resources whose limit is a partner's slice: no grace overage past it. */
  hardLimits?: ReadonlySet<QuotaResource> | undefined;
  /** The typed settings the tenant set (`setting-registry.ts`), as its record holds them. */
  typedSettings?: Readonly<Record<string, StoredSetting>> | undefined;
  /**
   * The monthly resources it draws from its partner’s pool: counted on the partner’s counter, under
   * the partner’s limit (`quotas/pools.ts`). Absent or empty for most tenants.
   */
  pools?: Partial<Record<PoolableResource, Pool>> | undefined;
  /**
   * The project an API key is limited to: it sees and changes that project's agents (their memory
   * and runs) and nothing of the tenant beyond them. Absent for people and whole-tenant keys.
   */
  projectId?: string | undefined;
  /**
   * A partner's person acting in this tenant (below the partner) through a delegation its owner
   * approved: the partner, the delegation, and when it ends. Absent for everyone else.
   */
  delegation?: { partnerId: string; delegationId: string; expiresAt: string } | undefined;
  tenantStatus: TenantStatus;
  requestId: string;
  sourceIp: string;
  userAgent: string | undefined;
  /**
   * When API Gateway received the request: the time of everything the request writes (records,
   * audit events). Absent outside a request (jobs pass their own time).
   */
  receivedAt?: Date;
}

/**
 * The request's one "now" (see {@link TenantContext.receivedAt}); outside a request, the time of the
 * work that runs now ({@link writeTime}).
 */
export function requestTime(ctx: Pick<TenantContext, 'receivedAt'>): Date {
  return ctx.receivedAt ?? writeTime();
}

/** The identity of a request that acts on no single tenant (signup, platform listing). */
export interface RequestMeta {
  requestId: string;
  sourceIp: string;
  userAgent: string | undefined;
  /** When API Gateway received the request (absent for work that is not a request). */
  receivedAt?: Date;
}

/**
 * The tenant context of what runs now, held in AsyncLocalStorage: the one channel the data layer
 * reads the tenant from (the tenant-guarded client checks every key against it). A request opens an
 * empty slot for its whole life and admission enters its tenant into it once; work outside a
 * request (jobs, consumers) runs a function with a context of its own.
 */
interface ContextSlot {
  tenant: TenantContext | undefined;
  /** The time of everything written in the slot: a request's `receivedAt`, a job's run time. */
  at: Date | undefined;
}

const storage = new AsyncLocalStorage<ContextSlot>();

/** Runs `fn` with `ctx` as the tenant of everything it does, including the DynamoDB guard. */
export function runWithTenantContext<T>(ctx: TenantContext, fn: () => T): T {
  return storage.run({ tenant: ctx, at: ctx.receivedAt ?? storage.getStore()?.at }, fn);
}

/**
 * Runs a request in a slot of its own, empty until its admission enters the tenant it acts on; what
 * the request writes is stamped with the time it was received.
 */
export function runInRequestSlot<T>(receivedAt: Date, fn: () => T): T {
  return storage.run({ tenant: undefined, at: receivedAt }, fn);
}

/** Runs work that is not a request (a job, a consumer) with `at` as the time of what it writes. */
export function runAt<T>(at: Date, fn: () => T): T {
  return storage.run({ tenant: storage.getStore()?.tenant, at }, fn);
}

/**
 * The time of a write made now: the request's `receivedAt` or the job's run time, else the clock.
 * ElectroDB stamps records with it (`createdAt`, `updatedAt`: data/entities/record-attributes.ts),
 * so every record a request writes carries the request's one time without a service passing it.
 */
export function writeTime(): Date {
  return storage.getStore()?.at ?? new Date();
}

/**
 * Enters the request's tenant into its slot: once, by admission, and never another tenant after it.
 */
export function enterTenantContext(ctx: TenantContext): void {
  const slot = storage.getStore();
  if (!slot) throw new Error('No request slot to enter a tenant context into.');
  if (slot.tenant) throw new Error('The request has entered its tenant context already.');
  slot.tenant = ctx;
}

/** Runs `fn` in no tenant context (work a request starts that is not its own: see `outsideRequest`). */
export function outsideTenantContext<T>(fn: () => T): T {
  return storage.exit(fn);
}

export function currentTenantContext(): TenantContext | undefined {
  return storage.getStore()?.tenant;
}
