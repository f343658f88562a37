import type { EventEnvelope } from '../events/catalogue';
import { fanOutWebhooks } from '../webhooks/webhook-delivery';
import { emailForEvent } from './event-emails';

/**
 * What happens when a domain event is published: the EventBridge rule's target in AWS (the
 * notifications function), called in-process by the twin. Both consumers read the same catalogue:
 * the email to the event's audience, and the tenant's webhook endpoints that asked for its type.
 * Each runs whatever the other does; a failure of either is thrown for the event to come again, and
 * each does only what it has not done yet (its once-markers).
 */
export async function consumeEvent(event: EventEnvelope): Promise<void> {
  const outcomes = await Promise.allSettled([emailForEvent(event), fanOutWebhooks(event)]);
  const failed = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
  if (failed) throw failed.reason;
}
