import type { EventEnvelope } from '../events/catalogue';
import { emailForEvent } from './event-emails';

/**
 * What happens when a domain event is published: the EventBridge rule's target in AWS (the
 * notifications function), called in-process by the twin. Email today; every consumer reads the same
 * catalogue.
 */
export async function consumeEvent(event: EventEnvelope): Promise<void> {
  await emailForEvent(event);
}
