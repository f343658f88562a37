import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  currentTenantContext,
  runWithTenantContext,
  type TenantContext,
} from '../../../shared/context/tenant-context';
import { workQueue } from '../../../shared/messaging/work-queue';

const sqs = mockClient(SQSClient);

describe('a work queue', () => {
  afterEach(() => sqs.reset());

  it('sends each task to its SQS queue, with its delay capped at SQS’s 15 minutes', async () => {
    sqs.on(SendMessageCommand).resolves({});
    const queue = workQueue<{ id: string }>({
      name: 'test task',
      queueUrl: () => 'https://sqs.us-east-1.amazonaws.com/123456789012/work',
      describe: (task) => task,
      withoutWorker: 'refuse',
    });
    await queue.send({ id: 'now' });
    await queue.send({ id: 'later' }, { delaySeconds: 3_600 });
    const sent = sqs.commandCalls(SendMessageCommand).map((call) => call.args[0].input);
    expect(sent).toEqual([
      { QueueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/work', MessageBody: '{"id":"now"}' },
      {
        QueueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/work',
        MessageBody: '{"id":"later"}',
        DelaySeconds: 900,
      },
    ]);
  });

  it('in the twin, runs the worker after the caller moved on, outside the caller’s tenant context', async () => {
    const queue = workQueue<{ id: string }>({
      name: 'test task',
      queueUrl: () => undefined,
      describe: (task) => task,
      withoutWorker: 'refuse',
    });
    const ran: Array<{ id: string; tenant: string | undefined }> = [];
    queue.runInProcess(async (task) => {
      ran.push({ id: task.id, tenant: currentTenantContext()?.tenantId });
    });
    await runWithTenantContext({ tenantId: 'ten_01AAAAAAAAAAAAAAAAAAAAAAAA' } as TenantContext, () =>
      queue.send({ id: 'a' }),
    );
    expect(ran).toEqual([]);
    await vi.waitFor(() => expect(ran).toEqual([{ id: 'a', tenant: undefined }]));
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
  });

  it('with neither a queue nor a worker, refuses the task or drops it, as it was told', async () => {
    const options = { name: 'test task', queueUrl: () => undefined, describe: () => ({}) };
    await expect(workQueue({ ...options, withoutWorker: 'refuse' }).send({})).rejects.toThrow(
      /no in-process worker/,
    );
    await expect(workQueue({ ...options, withoutWorker: 'drop' }).send({})).resolves.toBeUndefined();
  });
});
