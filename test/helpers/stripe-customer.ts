import { giveStripeCustomer } from '../../shared/billing/billing-outbox';
import { stripeBilling } from '../../shared/billing/stripe-billing';
import { platformDocumentClient } from '../../shared/data/clients';
import { TenantEntity } from '../../shared/data/entities/tenant';

/**
 * Gives a new tenant its Stripe customer now, as the billing outbox would later: other suites run
 * the outbox at any moment, and its write to the tenant (the customer's id, a new updatedAt) would
 * otherwise land in the middle of a test that compares the tenant's items before and after.
 */
export async function giveStripeCustomerNow(tenantId: string): Promise<void> {
  const stored = await TenantEntity.get({ tenantId }).go({
    client: platformDocumentClient,
    consistent: true,
  });
  if (stored.data && !stored.data.stripeCustomerId) await giveStripeCustomer(stripeBilling, stored.data);
}
