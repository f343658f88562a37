import * as z from 'zod/mini';
import { exportTaskSchema } from '../../shared/exports/export-task';
import { tenantJobMessageSchema } from '../../shared/jobs/job-definitions';
import { queueWorker } from '../../shared/jobs/queue-worker';
import { processExportTask, processTenantJob } from '../../shared/jobs/tenant-job-worker';

/**
 * The SQS worker: one tenant's share of a scheduled job, or one export, per message; failed messages
 * are returned for retry (then the DLQ).
 */
export const handler = queueWorker({
  name: 'job message',
  schema: z.union([exportTaskSchema, tenantJobMessageSchema]),
  handle: (message) => ('task' in message ? processExportTask(message) : processTenantJob(message)),
  describe: (message) => ({ ...message }),
});
