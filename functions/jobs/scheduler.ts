import { isJobName } from '../../shared/jobs/job-definitions';
import { runJob, sqsDispatcher, type JobRunResult } from '../../shared/jobs/job-runner';
import { logger } from '../../shared/observability/logger';
import { countJobRun } from '../../shared/observability/metrics';
import {
  OPERATOR_FIGURES_JOB,
  runOperatorFigures,
  type OperatorFiguresResult,
} from '../../shared/operations/operator-figures';

/**
 * The EventBridge schedule target: `{ "job": "monthly-reset" }` fans out one SQS message per tenant;
 * `{ "job": "operator-figures" }` counts the requests by tenant and route and the platform's figures.
 */
export async function handler(event: { job?: unknown }): Promise<JobRunResult | OperatorFiguresResult> {
  if (event.job === OPERATOR_FIGURES_JOB) {
    const figures = await runOperatorFigures(new Date());
    logger.info('Operator figures counted', { hours: figures.hours, tenants: figures.metrics.tenants.total });
    countJobRun(OPERATOR_FIGURES_JOB);
    return figures;
  }
  if (!isJobName(event.job)) throw new Error(`Unknown job ${String(event.job)}`);
  const result = await runJob(event.job, new Date(), sqsDispatcher);
  logger.info('Job fanned out', { ...result });
  // The heartbeat the operator alarms watch: a daily job without one for two days is late.
  countJobRun(event.job);
  return result;
}
