import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { logger } from '../../shared/observability/logger';
import { deliverWebhook } from '../../shared/webhooks/webhook-delivery';
import { isDeliveryTask } from '../../shared/webhooks/webhook-dispatch';

/**
 * The webhook deliveries queue's worker: one attempt per message. An endpoint's failure is logged
 * and retried by the attempt itself (a later message, with a delay); only an error of ours returns
 * the message to the queue (then the dead-letter queue).
 */
export async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
  const failures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    let task: unknown;
    try {
      task = JSON.parse(record.body);
    } catch {
      task = undefined;
    }
    if (!isDeliveryTask(task)) {
      logger.error('Dropping a malformed webhook delivery', { messageId: record.messageId });
      continue;
    }
    try {
      await deliverWebhook(task);
    } catch (error) {
      logger.error('Webhook delivery attempt failed', { error, endpointId: task.endpointId });
      failures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures: failures };
}
