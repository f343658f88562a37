import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { isExportTask, type ExportTask } from '../../shared/exports/export-task';
import { isJobName, type TenantJobMessage } from '../../shared/jobs/job-definitions';
import { processExportTask, processTenantJob } from '../../shared/jobs/tenant-job-worker';
import { logger } from '../../shared/observability/logger';

function parse(body: string): TenantJobMessage | ExportTask | null {
  try {
    const value = JSON.parse(body) as Partial<TenantJobMessage>;
    if (isExportTask(value)) return { task: 'export', tenantId: value.tenantId, exportId: value.exportId };
    if (isJobName(value.job) && typeof value.tenantId === 'string' && typeof value.period === 'string') {
      return { job: value.job, tenantId: value.tenantId, period: value.period };
    }
  } catch {
    // fall through
  }
  return null;
}

/**
 * The SQS worker: one tenant's share of a scheduled job, or one export, per message; failed messages
 * are returned for retry (then the DLQ).
 */
export async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
  const failures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    const message = parse(record.body);
    if (!message) {
      logger.error('Dropping a malformed job message', { messageId: record.messageId });
      continue;
    }
    try {
      if ('task' in message) await processExportTask(message);
      else await processTenantJob(message);
    } catch (error) {
      logger.error('Job message failed', { error, ...message });
      failures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures: failures };
}
