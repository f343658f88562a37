import { getConfig } from '../config';
import type { TenantItem } from '../data/entities/tenant';
import { logger } from '../observability/logger';
import type { TenantContext } from '../context/tenant-context';
import { suspendTenant } from '../tenants/tenant-lifecycle';
import type { BillingProvider } from '../billing/billing-provider';
import { owesPayment, PAYMENT_OVERDUE, refreshTenantBilling } from '../billing/subscription-sync';

/**
 * Dunning, for one tenant: a payment owed for longer than the grace (`BILLING_GRACE_DAYS`) suspends
 * the tenant with reason `payment_overdue`, audited with the system as actor. Before it suspends it
 * asks the provider: the subscription's state now, not the one the last webhook left, decides (a
 * payment whose event was late or lost clears the debt instead). The provider unreachable suspends
 * nobody: the error fails the job message, which is retried. A paid invoice lifts a suspension again
 * (the webhook). Returns whether it suspended the tenant.
 */
export async function enforceDunning(
  ctx: TenantContext,
  tenant: TenantItem,
  now: Date,
  provider: BillingProvider,
): Promise<boolean> {
  if (!tenant.pastDueSince || tenant.status !== 'active') return false;
  const graceMs = getConfig().stripe.graceDays * 86_400_000;
  if (now.getTime() - Date.parse(tenant.pastDueSince) < graceMs) return false;
  const meta = { requestId: ctx.requestId, sourceIp: ctx.sourceIp, userAgent: ctx.userAgent };
  const subscription = await refreshTenantBilling(provider, tenant, meta, now);
  if (subscription && !owesPayment(subscription)) {
    logger.info('Dunning found the payment settled at the provider; the tenant stays active', {
      tenantId: tenant.tenantId,
      subscriptionStatus: subscription.status,
    });
    return false;
  }
  await suspendTenant(ctx, { reason: PAYMENT_OVERDUE }, now);
  return true;
}
