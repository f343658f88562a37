import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { parse } from '@aws-lambda-powertools/parser';
import type { StandardSchemaV1 } from '@standard-schema/spec';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { logger } from '../observability/logger';

/**
 * An SQS worker on Powertools' batch processor: each message's body is parsed with `schema`
 * (Powertools' parser) and handed to `handle`; a message whose handling throws is reported in
 * `batchItemFailures`, so SQS retries it alone (then its dead-letter queue), and the others are
 * acknowledged, even when every message of the batch failed. A message that is not JSON or does not
 * fit the schema will never succeed: it is logged with its id and dropped, not retried.
 */
export function queueWorker<S extends StandardSchemaV1>(options: {
  /** What the log calls one message ("job message", "webhook delivery"). */
  name: string;
  schema: S;
  handle: (message: StandardSchemaV1.InferOutput<S>) => Promise<void>;
  /** The fields of a message worth a log line when it fails. */
  describe?: (message: StandardSchemaV1.InferOutput<S>) => Record<string, unknown>;
}): (event: SQSEvent, context?: Context) => Promise<SQSBatchResponse> {
  const processor = new BatchProcessor(EventType.SQS);
  const handleRecord = async (record: SQSRecord): Promise<void> => {
    let body: unknown;
    try {
      body = JSON.parse(record.body);
    } catch {
      logger.error(`Dropping a malformed ${options.name}: not JSON`, { messageId: record.messageId });
      return;
    }
    const parsed = parse(body, undefined, options.schema, true);
    if (!parsed.success) {
      logger.error(`Dropping a malformed ${options.name}`, {
        messageId: record.messageId,
        error: parsed.error,
      });
      return;
    }
    try {
      await options.handle(parsed.data);
    } catch (error) {
      logger.error(`A ${options.name} failed`, { error, ...(options.describe?.(parsed.data) ?? {}) });
      throw error;
    }
  };
  return (event, context) =>
    processPartialResponse(event, handleRecord, processor, {
      ...(context ? { context } : {}),
      throwOnFullBatchFailure: false,
    });
}
