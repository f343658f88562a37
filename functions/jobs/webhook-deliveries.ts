import { queueWorker } from '../../shared/jobs/queue-worker';
import { deliverWebhook } from '../../shared/webhooks/webhook-delivery';
import { deliveryTaskSchema } from '../../shared/webhooks/webhook-dispatch';

/**
 * The webhook deliveries queue's worker: one attempt per message. An endpoint's failure is logged
 * and retried by the attempt itself (a later message, with a delay); only an error of ours returns
 * the message to the queue (then the dead-letter queue).
 */
export const handler = queueWorker({
  name: 'webhook delivery',
  schema: deliveryTaskSchema,
  handle: (task) => deliverWebhook(task),
  describe: (task) => ({ tenantId: task.tenantId, endpointId: task.endpointId, attempt: task.attempt }),
});
