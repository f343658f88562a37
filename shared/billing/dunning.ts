import { getConfig } from '../config';
import type { TenantItem } from '../data/entities/tenant';
import type { TenantContext } from '../tenancy/context';
import { suspendTenant } from '../tenants/tenant-service';
import { PAYMENT_OVERDUE } from './subscription-sync';

/**
 * Dunning, for one tenant: a payment owed for longer than the grace (`BILLING_GRACE_DAYS`) suspends
 * the tenant with reason `payment_overdue`, audited with the system as actor. A paid invoice lifts
 * it again (the webhook). Returns whether it suspended the tenant.
 */
export async function enforceDunning(ctx: TenantContext, tenant: TenantItem, now: Date): Promise<boolean> {
  if (!tenant.pastDueSince || tenant.status !== 'active') return false;
  const graceMs = getConfig().stripe.graceDays * 86_400_000;
  if (now.getTime() - Date.parse(tenant.pastDueSince) < graceMs) return false;
  await suspendTenant(ctx, { reason: PAYMENT_OVERDUE }, now);
  return true;
}
