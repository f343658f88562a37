import { platformDocumentClient } from '../data/clients';
import { TenantEntity } from '../data/entities/tenant';
import type { EventEnvelope } from '../events/catalogue';
import { enqueueSubscriptionCancel } from './billing-outbox';

/**
 * Billing's part in a tenant's deletion, as a reaction to `tenant.deleted` (the tenant service knows
 * nothing of billing): a tenant that is still deleted when the event arrives has its subscription
 * cancelled through the outbox. One cancellation per tenant however often the event comes (the
 * outbox item is keyed by tenant); a tenant restored before the event arrived keeps its
 * subscription. If the event is lost, the purge at the end of the retention window cancels it.
 */
export async function cancelSubscriptionOfDeletedTenant(
  event: EventEnvelope<'tenant.deleted'>,
): Promise<void> {
  const tenant = (
    await TenantEntity.get({ tenantId: event.tenantId }).go({
      client: platformDocumentClient,
      consistent: true,
    })
  ).data;
  if (tenant?.status !== 'deleted' || !tenant.subscriptionId) return;
  await enqueueSubscriptionCancel(tenant.tenantId, tenant.subscriptionId, new Date(event.occurredAt));
}
