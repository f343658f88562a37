import type { EventEnvelope } from '../events/catalogue';
import { fanOutWebhooks } from '../webhooks/webhook-delivery';
import { emailForEvent } from './event-emails';

/**
 * What happens when a domain event is published: the EventBridge rule's target in AWS (the
 * notifications function), called in-process by the twin. Both consumers read the same catalogue:
 * the email to the event's audience, and the tenant's webhook endpoints that asked for its type.
 */
export async function consumeEvent(event: EventEnvelope): Promise<void> {
  await emailForEvent(event);
  await fanOutWebhooks(event);
}
