import { getConfig } from '../config';
import { platformDocumentClient } from '../data/clients';
import { TenantEntity } from '../data/entities/tenant';
import type { TenantContext } from '../tenancy/context';
import { endTrialPlan } from '../tenants/tenant-service';

/**
 * Ends one tenant's trial once it is over: a tenant still on the trial plan with no subscription
 * drops to `TRIAL_END_PLAN`. A tenant that bought a plan (a subscription) keeps it. Returns whether
 * the plan changed.
 */
export async function endTrial(ctx: TenantContext, now: Date): Promise<boolean> {
  const { trialPlan, trialEndPlan } = getConfig().tenants;
  const tenant = (
    await TenantEntity.get({ tenantId: ctx.tenantId }).go({
      client: platformDocumentClient,
      consistent: true,
    })
  ).data;
  if (!tenant?.trialEndsAt || tenant.trialEndsAt > now.toISOString()) return false;
  if (tenant.plan !== trialPlan || tenant.subscriptionId || tenant.status === 'deleted') return false;
  if (trialPlan === trialEndPlan) return false;
  const view = await endTrialPlan(ctx, trialPlan, trialEndPlan);
  return view.plan === trialEndPlan;
}
