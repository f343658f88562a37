import { traced } from '../observability/tracer';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { getConfig } from '../config';
import { platformDocumentClient } from '../data/clients';
import { JobRunEntity } from '../data/entities/job-run';
import { TenantEntity } from '../data/entities/tenant';
import { isConditionalFailure } from '../data/dynamo-errors';
import { decodeCursor, encodeCursor } from '../data/cursor';
import { JOBS, type JobName, type TenantJobMessage } from './job-definitions';
import { processTenantJob } from './tenant-job-worker';
import { sdkLogger } from '../observability/sdk-logger';
import { logger } from '../observability/logger';

const config = getConfig();

/**
 * Where the per-tenant messages go: SQS in AWS, the worker in-process locally. `now` is the run's
 * time, which the in-process worker keeps (`npm run job -- tenant-purge <date>`); SQS workers use
 * their own clock.
 */
export interface JobDispatcher {
  dispatch(messages: TenantJobMessage[], now: Date): Promise<void>;
}

const sqs = config.jobs.queueUrl
  ? traced(new SQSClient({ region: config.region, logger: sdkLogger as never }))
  : undefined;

export const sqsDispatcher: JobDispatcher = {
  async dispatch(messages) {
    if (!sqs || !config.jobs.queueUrl) throw new Error('JOBS_QUEUE_URL is not configured');
    for (let i = 0; i < messages.length; i += 10) {
      const batch = messages.slice(i, i + 10);
      const result = await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: config.jobs.queueUrl,
          Entries: batch.map((message, index) => ({
            Id: String(index),
            MessageBody: JSON.stringify(message),
          })),
        }),
      );
      if (result.Failed?.length) throw new Error(`SQS refused ${result.Failed.length} job messages`);
    }
  },
};

/** The local twin's dispatcher: the same worker code, called directly. */
export const inProcessDispatcher: JobDispatcher = {
  async dispatch(messages, now) {
    for (const message of messages) await processTenantJob(message, now);
  },
};

/** The default for the environment: SQS where a queue is configured, in-process otherwise. */
export function defaultDispatcher(): JobDispatcher {
  return config.jobs.queueUrl ? sqsDispatcher : inProcessDispatcher;
}

interface FanOutPosition {
  shard: number;
  cursor: string | null;
}

export interface JobRunResult {
  job: JobName;
  period: string;
  dispatched: number;
  status: 'completed' | 'already-completed';
}

/**
 * Runs a scheduled job for the period `now` falls in: walks every tenant through the sharded platform
 * index (never a Scan) and dispatches one message per tenant. Progress is saved after every page, so
 * a run that stopped resumes from its last page; a completed period is not run again. The workers
 * are idempotent per (tenant, period), so a page dispatched twice does no harm.
 */
export async function runJob(
  job: JobName,
  now: Date = new Date(),
  dispatcher: JobDispatcher = defaultDispatcher(),
): Promise<JobRunResult> {
  const period = JOBS[job].periodOf(now);
  const key = { job, period };
  try {
    await JobRunEntity.create({ ...key, status: 'running', dispatched: 0, startedAt: now.toISOString() }).go({
      response: 'none',
    });
  } catch (error) {
    if (!isConditionalFailure(error)) throw error;
  }
  const run = (await JobRunEntity.get(key).go({ consistent: true })).data;
  if (!run) throw new Error(`Job run ${job} ${period} vanished`);
  if (run.status === 'completed')
    return { job, period, dispatched: run.dispatched, status: 'already-completed' };

  let position: FanOutPosition = run.cursor
    ? (decodeCursor(run.cursor) as FanOutPosition)
    : { shard: 0, cursor: null };
  let dispatched = run.dispatched;
  const definition = JOBS[job] as { tenants?: 'deleted' };
  while (position.shard < config.tenants.platformShards) {
    const listing =
      definition.tenants === 'deleted'
        ? TenantEntity.query.platformListing({ shard: position.shard, status: 'deleted' })
        : TenantEntity.query
            .platformListing({ shard: position.shard })
            .where((attr, op) => op.ne(attr.status, 'deleted'));
    const page = await listing.go({ client: platformDocumentClient, count: 100, cursor: position.cursor });
    await dispatcher.dispatch(
      page.data.map((tenant) => ({ job, tenantId: tenant.tenantId, period })),
      now,
    );
    dispatched += page.data.length;
    logger.debug('Job: tenants dispatched', {
      job,
      period,
      shard: position.shard,
      tenants: page.data.length,
    });
    position = page.cursor
      ? { shard: position.shard, cursor: page.cursor }
      : { shard: position.shard + 1, cursor: null };
    await JobRunEntity.patch(key)
      .set({ cursor: encodeCursor(position), dispatched })
      .go({ response: 'none' });
  }
  await JobRunEntity.patch(key)
    .set({ status: 'completed', completedAt: new Date().toISOString() })
    .go({ response: 'none' });
  return { job, period, dispatched, status: 'completed' };
}
