import type { SQSEvent } from 'aws-lambda';
import * as z from 'zod/mini';
import { describe, expect, it } from 'vitest';
import { queueWorker } from '../../../shared/jobs/queue-worker';

const batch = (...bodies: Array<[string, string]>) =>
  ({
    Records: bodies.map(([messageId, body]) => ({
      messageId,
      body,
      eventSource: 'aws:sqs',
      receiptHandle: messageId,
      attributes: {},
      messageAttributes: {},
      md5OfBody: '',
      eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:jobs',
      awsRegion: 'us-east-1',
    })),
  }) as unknown as SQSEvent;

describe('a queue worker (Powertools batch and parser)', () => {
  const handled: string[] = [];
  const worker = queueWorker({
    name: 'test message',
    schema: z.object({ id: z.string(), fail: z.optional(z.boolean()) }),
    handle: async (message) => {
      if (message.fail) throw new Error(`failed ${message.id}`);
      handled.push(message.id);
    },
  });

  it('hands each well-formed message to its handler, reports only the failed ones, drops the malformed', async () => {
    handled.length = 0;
    const result = await worker(
      batch(
        ['ok', JSON.stringify({ id: 'a' })],
        ['fails', JSON.stringify({ id: 'b', fail: true })],
        ['not-json', '{nope'],
        ['wrong-shape', JSON.stringify({ id: 7 })],
        ['ok-2', JSON.stringify({ id: 'c' })],
      ),
    );
    expect(handled).toEqual(['a', 'c']);
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'fails' }] });
  });

  it('answers a batch whose every message failed with every message, instead of throwing', async () => {
    const result = await worker(
      batch(['x', JSON.stringify({ id: 'x', fail: true })], ['y', JSON.stringify({ id: 'y', fail: true })]),
    );
    expect(result.batchItemFailures.map((failure) => failure.itemIdentifier).sort()).toEqual(['x', 'y']);
  });
});
