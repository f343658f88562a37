import { getConfig } from '../config';
import type { TenantItem } from '../data/entities/tenant';
import { claimOnce } from '../data/once';
import { announce } from '../events/publish';
import type { TenantContext } from '../context/tenant-context';
import { endTrialPlan } from '../tenants/tenant-service';

/**
 * Ends one tenant's trial once it is over: a tenant still on the trial plan with no subscription
 * drops to `TRIAL_END_PLAN`. A tenant that bought a plan (a subscription) keeps it. Returns whether
 * the plan changed.
 */
export async function endTrial(ctx: TenantContext, tenant: TenantItem, now: Date): Promise<boolean> {
  const { trialPlan, trialEndPlan } = getConfig().tenants;
  if (!tenant.trialEndsAt || tenant.trialEndsAt > now.toISOString()) return false;
  if (tenant.plan !== trialPlan || tenant.subscriptionId || tenant.status === 'deleted') return false;
  if (trialPlan === trialEndPlan) return false;
  const view = await endTrialPlan(ctx, trialPlan, trialEndPlan);
  return view.plan === trialEndPlan;
}

/** How long before a trial ends its owners are told. */
export const TRIAL_NOTICE_DAYS = 3;

/**
 * Tells the owners, once per trial, that it ends within {@link TRIAL_NOTICE_DAYS} with no plan bought
 * (`billing.trial_ending`). Returns whether it told them.
 */
export async function noticeTrialEnding(ctx: TenantContext, tenant: TenantItem, now: Date): Promise<boolean> {
  const { trialPlan, trialEndPlan } = getConfig().tenants;
  const endsAt = tenant.trialEndsAt;
  if (!endsAt || endsAt <= now.toISOString()) return false;
  if (Date.parse(endsAt) - now.getTime() > TRIAL_NOTICE_DAYS * 86_400_000) return false;
  if (tenant.plan !== trialPlan || tenant.subscriptionId || tenant.status !== 'active') return false;
  if (!(await claimOnce(ctx.tenantId, `trial_ending#${endsAt}`, now))) return false;
  await announce(
    ctx.tenantId,
    'billing.trial_ending',
    { trialEndsAt: endsAt, plan: trialPlan, thenPlan: trialEndPlan },
    now,
  );
  return true;
}
