import { parse } from '@aws-lambda-powertools/parser';
import type { EventBridgeEvent } from 'aws-lambda';
import { eventEnvelopeSchema } from '../../shared/events/catalogue';
import { consumeEvent } from '../../shared/jobs/event-consumer';
import { logger } from '../../shared/observability/logger';

/**
 * The target of the rule for Tenantry's domain events: the detail is the event's envelope, parsed
 * with its schema (Powertools' parser). A failure is thrown, so EventBridge retries it (the
 * consumers act on an event id once); an envelope the catalogue does not know is logged and dropped.
 */
export async function handler(event: EventBridgeEvent<string, unknown>): Promise<void> {
  const parsed = parse(event.detail, undefined, eventEnvelopeSchema, true);
  if (!parsed.success) {
    logger.error('Dropping an event the catalogue does not know', {
      detailType: event['detail-type'],
      error: parsed.error,
    });
    return;
  }
  await consumeEvent(parsed.data);
}
