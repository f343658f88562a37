import { getConfig } from '../config';
import type { TenantItem } from '../data/entities/tenant';
import type { TenantContext } from '../tenancy/context';
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
