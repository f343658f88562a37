import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { getConfig } from '../config';
import { sdkLogger } from '../observability/sdk-logger';

const config = getConfig();
const eventBridge = config.events.busName
  ? new EventBridgeClient({ region: config.region, logger: sdkLogger as never })
  : undefined;

export interface DomainEvent {
  detailType: string;
  detail: Record<string, unknown>;
}

/**
 * Publishes domain events to EventBridge (source `tenantry`). Without a bus (the local twin) it
 * publishes nothing and says so: the caller keeps the event in the table, where it stays visible.
 * Returns where the event went.
 */
export async function publishEvent(event: DomainEvent): Promise<'eventbridge' | 'kept-locally'> {
  if (!eventBridge || !config.events.busName) return 'kept-locally';
  const result = await eventBridge.send(
    new PutEventsCommand({
      Entries: [
        {
          EventBusName: config.events.busName,
          Source: 'tenantry',
          DetailType: event.detailType,
          Detail: JSON.stringify(event.detail),
        },
      ],
    }),
  );
  if (result.FailedEntryCount)
    throw new Error(`EventBridge refused the event: ${result.Entries?.[0]?.ErrorMessage}`);
  return 'eventbridge';
}
