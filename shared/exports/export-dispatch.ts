import { outsideRequest } from '../data/call-budget';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { getConfig } from '../config';
import { logger } from '../observability/logger';
import { sdkLogger } from '../observability/sdk-logger';
import type { ExportTask } from './export-task';

let sqs: SQSClient | undefined;
let inProcess: ((task: ExportTask) => Promise<void>) | undefined;

/**
 * The twin's stand-in for the jobs queue: it runs the worker's own code in its process. Set by the
 * twin at start, so that the API functions never bundle the worker (in AWS the queue carries it).
 */
export function runExportsInProcess(worker: (task: ExportTask) => Promise<void>): void {
  inProcess = worker;
}

/**
 * Hands a tenant's export to the job worker: through the jobs queue in AWS; in the twin, to the
 * worker in this process once the request has been answered, as the queue would run it.
 */
export async function dispatchExport(task: ExportTask): Promise<void> {
  const config = getConfig();
  if (config.jobs.queueUrl) {
    sqs ??= new SQSClient({ region: config.region, logger: sdkLogger as never });
    await sqs.send(
      new SendMessageCommand({ QueueUrl: config.jobs.queueUrl, MessageBody: JSON.stringify(task) }),
    );
    return;
  }
  const worker = inProcess;
  if (!worker)
    throw new Error('No jobs queue is configured (JOBS_QUEUE_URL) and no in-process worker is set.');
  setImmediate(() =>
    outsideRequest(() =>
      worker(task).catch((error: unknown) =>
        logger.error('Export failed', { tenantId: task.tenantId, exportId: task.exportId, error }),
      ),
    ),
  );
}
