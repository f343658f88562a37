import { isJobName } from '../../shared/jobs/job-definitions';
import { runJob, sqsDispatcher, type JobRunResult } from '../../shared/jobs/job-runner';
import { logger } from '../../shared/observability/logger';
import { countJobRun } from '../../shared/observability/metrics';

/** The EventBridge schedule target: `{ "job": "monthly-reset" }` fans out one SQS message per tenant. */
export async function handler(event: { job?: unknown }): Promise<JobRunResult> {
  if (!isJobName(event.job)) throw new Error(`Unknown job ${String(event.job)}`);
  const result = await runJob(event.job, new Date(), sqsDispatcher);
  logger.info('Job fanned out', { ...result });
  // The heartbeat the operator alarms watch: a daily job without one for two days is late.
  countJobRun(event.job);
  return result;
}
