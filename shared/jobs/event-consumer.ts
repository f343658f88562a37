import { cancelSubscriptionOfDeletedTenant } from '../billing/tenant-deletion';
import type { EventEnvelope } from '../events/catalogue';
import { emailForEvent } from '../notifications/event-emails';
import { fanOutWebhooks } from '../webhooks/webhook-delivery';
import { logger } from '../observability/logger';

/** The domains that react to an event of another: billing ends a deleted tenant's subscription. */
function reactionsTo(event: EventEnvelope): Promise<void>[] {
  if (event.type === 'tenant.deleted')
    return [cancelSubscriptionOfDeletedTenant(event as EventEnvelope<'tenant.deleted'>)];
  return [];
}

/**
 * What happens when a domain event is published: the EventBridge rule's target in AWS (the
 * notifications function), called in-process by the twin. Every consumer reads the same catalogue:
 * the email to the event's audience, the tenant's webhook endpoints that asked for its type, and the
 * domains that react to it. Each runs whatever the others do; a failure of any is thrown for the
 * event to come again, and each does only what it has not done yet (its once-markers, keyed items).
 */
export async function consumeEvent(event: EventEnvelope): Promise<void> {
  logger.debug('Event: consumed', { type: event.type, eventId: event.id, tenantId: event.tenantId });
  const outcomes = await Promise.allSettled([
    emailForEvent(event),
    fanOutWebhooks(event),
    ...reactionsTo(event),
  ]);
  const failed = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
  if (failed) throw failed.reason;
}
