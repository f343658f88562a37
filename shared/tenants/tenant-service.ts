import type { TenantItem } from '../data/entities/tenant';
import { ConflictError, ValidationError } from '../errors';
import {
  requestTime,
  type RequestMeta,
  type TenantContext,
  type UserPrincipal,
} from '../context/tenant-context';
import { enforceQuotaPoliciesAfter } from './overage-suspension';
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
import { mutateTenant, readTenant, viewFor } from './tenant-mutation';
import type { TenantView } from './tenant-view';

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
  // A suspension for sustained overage ends with a plan the tenant is within (`quota-policies.ts`).
  await enforceQuotaPoliciesAfter(ctx.tenantId, requestTime(ctx));
  return { ...view, limits: effectiveLimits(input.plan, overrides) };
}
