import * as z from 'zod/mini';
import { outsideRequest } from '../data/call-budget';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { eventEnvelopeSchema, type EventEnvelope } from '../events/catalogue';
import { getConfig } from '../config';
import { logger } from '../observability/logger';
import { sdkLogger } from '../observability/sdk-logger';

/** One delivery attempt of an event to an endpoint (the queue's message). */
export interface DeliveryTask {
  task: 'webhook';
  tenantId: string;
  endpointId: string;
  attempt: number;
  event: EventEnvelope;
}

/** A delivery attempt as the deliveries queue carries it. */
export const deliveryTaskSchema = z.pipe(
  z.object({
    task: z.literal('webhook'),
    tenantId: z.string(),
    endpointId: z.string(),
    attempt: z.number(),
    event: eventEnvelopeSchema,
  }),
  z.transform((task) => task as DeliveryTask),
);

let sqs: SQSClient | undefined;
let inProcess: ((task: DeliveryTask) => Promise<void>) | undefined;

/** The twin's stand-in for the deliveries queue: the delivery worker's code, in its process. */
export function deliverWebhooksInProcess(worker: (task: DeliveryTask) => Promise<void>): void {
  inProcess = worker;
}

/**
 * Queues a delivery attempt `delaySeconds` from now: on the webhook deliveries queue in AWS (SQS
 * delays up to 15 minutes), on a timer in the twin.
 */
export async function dispatchDelivery(task: DeliveryTask, delaySeconds: number): Promise<void> {
  const config = getConfig();
  if (config.webhooks.queueUrl) {
    sqs ??= new SQSClient({ region: config.region, logger: sdkLogger as never });
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: config.webhooks.queueUrl,
        MessageBody: JSON.stringify(task),
        DelaySeconds: Math.min(900, Math.ceil(delaySeconds)),
      }),
    );
    return;
  }
  const worker = inProcess;
  if (!worker) {
    logger.warn('Webhook delivery dropped: no queue and no in-process worker', {
      endpointId: task.endpointId,
    });
    return;
  }
  setTimeout(
    () =>
      outsideRequest(() =>
        worker(task).catch((error: unknown) =>
          logger.error('Webhook delivery failed', {
            endpointId: task.endpointId,
            eventId: task.event.id,
            error,
          }),
        ),
      ),
    delaySeconds * 1000,
  ).unref();
}
