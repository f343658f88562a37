import * as z from 'zod/mini';
import { eventEnvelopeSchema, type EventEnvelope } from '../events/catalogue';
import { getConfig } from '../config';
import { workQueue } from '../messaging/work-queue';
import { DELIVERY_TRIGGERS, type DeliveryTrigger } from '../model/webhook-deliveries';

/** One delivery attempt of an event to an endpoint (the queue's message). */
export interface DeliveryTask {
  task: 'webhook';
  tenantId: string;
  endpointId: string;
  attempt: number;
  event: EventEnvelope;
  /** Absent: `event`. */
  trigger?: DeliveryTrigger;
  /** A test event's body says so (`"test": true`), and so does a retry of one. */
  test?: boolean;
}

/** A delivery attempt as the deliveries queue carries it. */
export const deliveryTaskSchema = z.pipe(
  z.object({
    task: z.literal('webhook'),
    tenantId: z.string(),
    endpointId: z.string(),
    attempt: z.number(),
    event: eventEnvelopeSchema,
    trigger: z.optional(z.enum(DELIVERY_TRIGGERS)),
    test: z.optional(z.boolean()),
  }),
  z.transform((task) => task as DeliveryTask),
);

/**
 * Queues delivery attempts, each `delaySeconds` from now: on the webhook deliveries queue in AWS
 * (SQS delays up to 15 minutes), on a timer in the twin.
 */
export const deliveryQueue = workQueue<DeliveryTask>({
  name: 'webhook delivery',
  queueUrl: () => getConfig().webhooks.queueUrl,
  describe: (task) => ({ tenantId: task.tenantId, endpointId: task.endpointId, eventId: task.event.id }),
  withoutWorker: 'drop',
});
