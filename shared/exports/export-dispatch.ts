import { getConfig } from '../config';
import { workQueue } from '../messaging/work-queue';
import type { ExportTask } from './export-task';

/**
 * Hands a tenant's export to the job worker: through the jobs queue in AWS; in the twin, to the
 * worker in this process once the request has been answered, as the queue would run it.
 */
export const exportQueue = workQueue<ExportTask>({
  name: 'export',
  queueUrl: () => getConfig().jobs.queueUrl,
  describe: (task) => ({ tenantId: task.tenantId, exportId: task.exportId }),
  withoutWorker: 'refuse',
});
