import { traced } from '../observability/tracer';
import { outsideRequest } from '../data/call-budget';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { getConfig } from '../config';
import { newId } from '../ids';
import { logger } from '../observability/logger';
import { sdkLogger } from '../observability/sdk-logger';
import type { EventData, EventEnvelope, EventType } from './catalogue';
import { EVENT_SOURCE } from '../model/event-source';

let eventBridge: EventBridgeClient | undefined;
let inProcess: ((event: EventEnvelope) => Promise<void>) | undefined;

/**
 * The twin's stand-in for EventBridge and its rule: the consumers' own code, in its process. Set by
 * the twin at start, so that no API function bundles the consumers (in AWS the bus carries them).
 */
export function consumeEventsInProcess(consumer: (event: EventEnvelope) => Promise<void>): void {
  inProcess = consumer;
}

/**
 * Publishes a domain event of the catalogue: to EventBridge (source `tenantry`, detail type the
 * event's type, detail its envelope) where a bus is configured; in the twin, to the consumers in its
 * process once the caller has moved on. Returns where it went (`kept-locally`: nowhere but the
 * caller's own record, when neither exists, as in unit tests).
 */
export async function publishEvent<T extends EventType>(
  tenantId: string,
  type: T,
  data: EventData[T],
  now: Date = new Date(),
): Promise<'eventbridge' | 'in-process' | 'kept-locally'> {
  const event: EventEnvelope<T> = {
    id: newId('event', now.getTime()),
    type,
    tenantId,
    occurredAt: now.toISOString(),
    data,
  };
  const config = getConfig();
  if (config.events.busName) {
    eventBridge ??= traced(new EventBridgeClient({ region: config.region, logger: sdkLogger as never }));
    const result = await eventBridge.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: config.events.busName,
            Source: EVENT_SOURCE,
            DetailType: type,
            Detail: JSON.stringify(event),
          },
        ],
      }),
    );
    if (result.FailedEntryCount)
      throw new Error(`EventBridge refused the event: ${result.Entries?.[0]?.ErrorMessage}`);
    return 'eventbridge';
  }
  const consumer = inProcess;
  if (!consumer) return 'kept-locally';
  setImmediate(() => outsideRequest(() => void consumeWithRetries(consumer, event as EventEnvelope)));
  return 'in-process';
}

/** What Lambda does for an asynchronous invocation that fails: two retries, a minute or so apart. */
const IN_PROCESS_RETRY_DELAYS_MS = [1_000, 2_000];

/**
 * The twin's consumer runs as Lambda runs one invoked by EventBridge: a failure is retried twice,
 * then given up and logged (in AWS it goes to the on-failure queue). The consumers are idempotent
 * per event, so a retry never sends twice what the first attempt sent.
 */
async function consumeWithRetries(
  consumer: (event: EventEnvelope) => Promise<void>,
  event: EventEnvelope,
): Promise<void> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      await consumer(event);
      return;
    } catch (error) {
      const delay = IN_PROCESS_RETRY_DELAYS_MS[attempt];
      const fields = {
        eventId: event.id,
        type: event.type,
        tenantId: event.tenantId,
        attempt: attempt + 1,
        error,
      };
      if (delay === undefined) {
        logger.error('Event consumer failed; given up after its retries', fields);
        return;
      }
      logger.warn('Event consumer failed; retrying', fields);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

/** Publishes, and logs instead of throwing: for events that ride on a change already made. */
export async function announce<T extends EventType>(
  tenantId: string,
  type: T,
  data: EventData[T],
  now: Date = new Date(),
): Promise<void> {
  await publishEvent(tenantId, type, data, now).catch((error: unknown) =>
    logger.error('Event not published', { tenantId, type, error }),
  );
}
