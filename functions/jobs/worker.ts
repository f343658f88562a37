import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { isJobName, type TenantJobMessage } from '../../shared/jobs/job-definitions';
import { processTenantJob } from '../../shared/jobs/tenant-job-worker';
import { logger } from '../../shared/observability/logger';

function parse(body: string): TenantJobMessage | null {
  try {
    const value = JSON.parse(body) as Partial<TenantJobMessage>;
    if (isJobName(value.job) && typeof value.tenantId === 'string' && typeof value.period === 'string') {
      return { job: value.job, tenantId: value.tenantId, period: value.period };
    }
  } catch {
    // fall through
  }
  return null;
}

/** The SQS worker: one tenant's job per message; failed messages are returned for retry (then the DLQ). */
export async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
  const failures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    const message = parse(record.body);
    if (!message) {
      logger.error('Dropping a malformed job message', { messageId: record.messageId });
      continue;
    }
    try {
      await processTenantJob(message);
    } catch (error) {
      logger.error('Job message failed', { error, ...message });
      failures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures: failures };
}
