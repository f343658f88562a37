import type { EventBridgeEvent } from 'aws-lambda';
import { EVENT_TYPES, type EventEnvelope } from '../../shared/events/catalogue';
import { consumeEvent } from '../../shared/jobs/event-consumer';
import { logger } from '../../shared/observability/logger';

/**
 * The target of the rule for Tenantry's domain events: the detail is the event's envelope. A failure
 * is thrown, so EventBridge retries it (the consumers act on an event id once).
 */
export async function handler(event: EventBridgeEvent<string, EventEnvelope>): Promise<void> {
  const envelope = event.detail;
  if (
    !EVENT_TYPES.includes(envelope.type) ||
    typeof envelope.tenantId !== 'string' ||
    typeof envelope.id !== 'string'
  ) {
    logger.error('Dropping an event the catalogue does not know', { detailType: event['detail-type'] });
    return;
  }
  await consumeEvent(envelope);
}
