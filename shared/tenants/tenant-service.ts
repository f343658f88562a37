import { auditSourceOf } from '../audit/actor';
import { auditEventItem, changedFieldsOf } from '../audit/audit-log';
import { getConfig } from '../config';
import { tenantDocumentClient } from '../data/clients';
import { TenantEntity, type TenantItem } from '../data/entities/tenant';
import { writeTransaction } from '../data/transactions';
import { ConflictError, NotFoundError, ValidationError } from '../errors';
import {
  principalId,
  type RequestMeta,
  type TenantContext,
  requestTime,
  type UserPrincipal,
} from '../context/tenant-context';
import { announce } from '../events/publish';
import { cancelRunningRuns } from '../runs/run-cancellation';
import { forgetTenant } from '../data/cached-records';
import { allowlistAllows } from '../tenancy/ip-allowlist';
import {
  effectiveLimits,
  PLANS,
  type LimitName,
  type LimitOverrides,
  type Limits,
  type PlanId,
} from '../model/plans';
import { provisionTenant, type ProvisionTenantInput, type ProvisionedTenant } from './tenant-provisioning';
import { toTenantView, type TenantView } from './tenant-view';

const config = getConfig();

/** The tenant record, read strongly consistent: what was just changed is what is seen. */
async function readTenant(ctx: TenantContext): Promise<TenantItem> {
  const result = await TenantEntity.get({ tenantId: ctx.tenantId }).go({ consistent: true });
  if (!result.data) throw new NotFoundError('No tenant has this id.', 'tenant_not_found');
  return result.data;
}

export async function getTenant(ctx: TenantContext): Promise<TenantView> {
  return viewFor(ctx, await readTenant(ctx));
}

/** A platform admin creates a tenant on any plan; audited in the new tenant as that admin. */
export function createTenantAsPlatformAdmin(
  admin: UserPrincipal,
  meta: RequestMeta,
  input: ProvisionTenantInput,
): Promise<ProvisionedTenant> {
  return provisionTenant(
    input,
    () => ({
      actor: { type: 'user', id: admin.userId, tenantId: admin.homeTenantId, isPlatformAdmin: true },
      meta,
    }),
    meta.receivedAt ?? new Date(),
  );
}

type MutableField =
  | 'name'
  | 'settings'
  | 'plan'
  | 'status'
  | 'statusReason'
  | 'internalNote'
  | 'limitOverrides'
  | 'deletedAt'
  | 'deletedBy'
  | 'statusBeforeDeletion'
  | 'purgeAfter';
/** The fields to change; a field given as `undefined` is removed. */
type TenantChange = Partial<Pick<TenantItem, MutableField>>;

/** Kept out of the tenant's own audit log, which its admins read: the platform's internal note. */
const UNAUDITED = new Set(['internalNote']);

function viewFor(ctx: TenantContext, item: TenantItem): TenantView {
  return toTenantView(item, { internal: ctx.principal.isPlatformAdmin });
}

/** Actions that may change a deleted tenant: none but its restoration. */
const ALLOWED_WHEN_DELETED = new Set(['tenant.restored']);

/**
 * Applies a change computed from the current record: one transaction updates the tenant, on the
 * condition that nobody changed it since it was read, and writes the audit event with the fields
 * that moved. A lost race is retried from a fresh read, a few times.
 */
async function mutateTenant(
  ctx: TenantContext,
  action: string,
  compute: (current: TenantItem) => TenantChange,
): Promise<TenantView> {
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const current = await readTenant(ctx);
    if (current.status === 'deleted' && !ALLOWED_WHEN_DELETED.has(action)) {
      throw new ConflictError('A deleted tenant cannot be changed; restore it first.', 'tenant_deleted');
    }
    const change = compute(current);
    const now = requestTime(ctx);
    const next: TenantItem = { ...current, ...change, updatedAt: now.toISOString() };
    const set = Object.fromEntries(Object.entries(change).filter(([, value]) => value !== undefined));
    const removed = (Object.keys(change) as MutableField[]).filter((field) => change[field] === undefined);
    const audited = Object.keys(change).filter((field) => !UNAUDITED.has(field));
    const { before, after } = changedFieldsOf(current, next, audited);
    if (Object.keys(after).length === 0) return viewFor(ctx, current);
    const audit = auditEventItem(
      ctx.tenantId,
      auditSourceOf(ctx),
      { action, targetType: 'tenant', targetId: ctx.tenantId, before, after },
      now,
    );
    try {
      await writeTransaction(tenantDocumentClient, ({ tenant, auditEvent }) => ({
        tenant: tenant
          .patch({ tenantId: ctx.tenantId })
          .set({ ...set, updatedAt: next.updatedAt })
          .remove(removed)
          .where((attr, op) => op.eq(attr.updatedAt, current.updatedAt))
          .commit(),
        audit: auditEvent.create(audit).commit(),
      }));
      forgetTenant(ctx.tenantId);
      return viewFor(ctx, next);
    } catch (error) {
      if (!(error instanceof ConflictError) || attempt === 2) throw error;
    }
  }
  throw new ConflictError('The tenant is being changed by someone else; retry.', 'concurrent_modification');
}

export interface UpdateTenantInput {
  name?: string | undefined;
  settings?: NonNullable<TenantItem['settings']> | undefined;
  /** Apply settings that would lock out this caller (an IP allowlist without its address, MFA before enrolling). */
  force?: boolean | undefined;
}

/**
 * Owner/admin edit: only the name and the settings listed in the schema; settings merge. An IP
 * allowlist that would refuse the caller's own address is refused unless forced (platform admins,
 * whom allowlists do not bind, are not asked).
 */
export function updateTenant(ctx: TenantContext, input: UpdateTenantInput): Promise<TenantView> {
  const allowlist = input.settings?.ipAllowlist;
  if (
    allowlist?.length &&
    !input.force &&
    !ctx.principal.isPlatformAdmin &&
    !allowlistAllows(allowlist, ctx.sourceIp)
  ) {
    throw new ConflictError(
      `The IP allowlist does not include ${ctx.sourceIp}, the address of this request; add it or send force: true.`,
      'ip_allowlist_lockout',
    );
  }
  if (
    input.settings?.mfaRequired &&
    !input.force &&
    ctx.principal.type === 'user' &&
    !ctx.principal.isPlatformAdmin &&
    !ctx.principal.mfaEnrolled
  ) {
    throw new ConflictError(
      'Enrol in MFA before requiring it of everyone, or send force: true.',
      'mfa_lockout',
    );
  }
  return mutateTenant(ctx, 'tenant.updated', (current) => ({
    ...(input.name !== undefined ? { name: input.name } : {}),
    ...(input.settings !== undefined ? { settings: { ...(current.settings ?? {}), ...input.settings } } : {}),
  }));
}

/**
 * A trial that ended with no plan bought: the tenant moves to `plan`, audited as the system. Nothing
 * happens if the tenant left the trial's plan meanwhile (it bought another).
 */
export function endTrialPlan(ctx: TenantContext, trialPlan: PlanId, plan: PlanId): Promise<TenantView> {
  return mutateTenant(ctx, 'tenant.trial_ended', (current) =>
    current.plan === trialPlan && !current.subscriptionId ? { plan } : {},
  );
}

/** Overrides that take away what the plan sells: lower than its limit, or a limit where it has none. */
function overridesBelowPlan(plan: PlanId, overrides: LimitOverrides): LimitName[] {
  return (Object.entries(overrides) as Array<[LimitName, number | null | undefined]>)
    .filter(([name, value]) => {
      const planLimit = PLANS[plan].limits[name];
      return value !== null && value !== undefined && (planLimit === null || value < planLimit);
    })
    .map(([name]) => name);
}

/**
 * A platform admin sets a tenant's plan and overrides, as a PUT: the overrides given replace all the
 * stored ones (none given clears them). An override below the plan's own limit needs
 * `allowBelowPlan`. Applies on the next request; the answer carries the effective limits.
 */
export async function changePlan(
  ctx: TenantContext,
  input: { plan: PlanId; limitOverrides?: LimitOverrides | undefined; allowBelowPlan?: boolean | undefined },
): Promise<TenantView & { limits: Limits }> {
  const overrides = Object.fromEntries(
    Object.entries(input.limitOverrides ?? {}).filter(([, value]) => value !== undefined),
  ) as LimitOverrides;
  const below = overridesBelowPlan(input.plan, overrides);
  if (below.length > 0 && !input.allowBelowPlan) {
    throw new ValidationError(
      `Overrides below the ${input.plan} plan’s own limits: ${below.join(', ')}. Send allowBelowPlan: true to mean it.`,
      below.map((name) => ({
        path: `limitOverrides.${name}`,
        message: `is below the plan’s limit (${PLANS[input.plan].limits[name] ?? 'unlimited'})`,
      })),
      'override_below_plan',
    );
  }
  const view = await mutateTenant(ctx, 'tenant.plan_changed', () => ({
    plan: input.plan,
    limitOverrides: overrides,
  }));
  return { ...view, limits: effectiveLimits(input.plan, overrides) };
}

/**
 * A platform admin suspends a tenant. The tenant sees `reason`; `internalNote` stays with platform
 * admins (on the record, never in the tenant's audit log). From the next tenant read every request
 * is refused but reading the tenant, its audit log and its billing (owners and admins), and API keys
 * are refused everywhere. Its running runs are cancelled with the reason, and its owners are told by
 * email.
 */
export async function suspendTenant(
  ctx: TenantContext,
  input: { reason: string; internalNote?: string | undefined },
  now: Date = requestTime(ctx),
): Promise<TenantView> {
  const view = await mutateTenant(ctx, 'tenant.suspended', (current) => {
    if (current.status === 'suspended')
      throw new ConflictError('The tenant is already suspended.', 'already_suspended');
    return { status: 'suspended', statusReason: input.reason, internalNote: input.internalNote };
  });
  const cancelled = await cancelRunningRuns(ctx, input.reason, now);
  await announce(ctx.tenantId, 'tenant.suspended', { reason: input.reason, runsCancelled: cancelled }, now);
  return view;
}

export async function reactivateTenant(ctx: TenantContext): Promise<TenantView> {
  const view = await mutateTenant(ctx, 'tenant.reactivated', (current) => {
    if (current.status !== 'suspended')
      throw new ConflictError('Only a suspended tenant can be reactivated.', 'not_suspended');
    return { status: 'active', statusReason: '', internalNote: undefined };
  });
  await announce(ctx.tenantId, 'tenant.reactivated', {});
  return view;
}

/**
 * Deletes a tenant, confirmed with its slug: it becomes `deleted` at once (every member's and key's
 * request is refused from the next tenant read), keeps its data until `purgeAfter` (the retention
 * window, `TENANT_DELETION_RETENTION_DAYS`). Billing reacts to its `tenant.deleted` event by cancelling
 * the subscription through its outbox. Audited; the status it had comes back on restoration.
 */
export async function deleteTenant(
  ctx: TenantContext,
  input: { confirm: string },
  now: Date = requestTime(ctx),
): Promise<TenantView> {
  const view = await mutateTenant(ctx, 'tenant.deleted', (current) => {
    if (input.confirm !== current.slug) {
      throw new ValidationError(
        'To delete the tenant, send its slug as confirm.',
        [{ path: 'confirm', message: 'must be the tenant’s slug, exactly' }],
        'confirmation_mismatch',
      );
    }
    return {
      status: 'deleted',
      statusBeforeDeletion: current.status === 'suspended' ? 'suspended' : 'active',
      deletedAt: now.toISOString(),
      deletedBy: principalId(ctx.principal),
      purgeAfter: new Date(now.getTime() + config.tenants.deletionRetentionDays * 86_400_000).toISOString(),
    };
  });
  await announce(ctx.tenantId, 'tenant.deleted', { purgeAfter: view.purgeAfter ?? '' }, now);
  return view;
}

/**
 * Restores a deleted tenant within its retention window, to the status it had (a suspension stays).
 * Its subscription was cancelled with the deletion: it is on the plan Stripe's cancellation left it
 * (Free), and buys again through Checkout.
 */
export async function restoreTenant(ctx: TenantContext, now: Date = requestTime(ctx)): Promise<TenantView> {
  const view = await mutateTenant(ctx, 'tenant.restored', (current) => {
    if (current.status !== 'deleted')
      throw new ConflictError('Only a deleted tenant can be restored.', 'not_deleted');
    if (current.purgeAfter && current.purgeAfter <= now.toISOString()) {
      throw new ConflictError(
        'The tenant is past its retention window and can no longer be restored.',
        'retention_ended',
      );
    }
    const status = current.statusBeforeDeletion ?? 'active';
    return {
      status,
      ...(status === 'active' ? { statusReason: undefined } : {}),
      statusBeforeDeletion: undefined,
      deletedAt: undefined,
      deletedBy: undefined,
      purgeAfter: undefined,
    };
  });
  await announce(ctx.tenantId, 'tenant.restored', { status: view.status }, now);
  return view;
}
