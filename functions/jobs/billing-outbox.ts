import { processBillingOutbox, type OutboxRun } from '../../shared/billing/billing-outbox';
import { stripeBilling } from '../../shared/billing/stripe-billing';
import { logger } from '../../shared/observability/logger';
import { countJobRun, recordOutboxBacklog } from '../../shared/observability/metrics';

/** Every minute (EventBridge): works the billing outbox (new tenants' Stripe customers), with backoff. */
export async function handler(): Promise<OutboxRun> {
  const run = await processBillingOutbox(stripeBilling);
  if (run.done || run.failed) logger.info('Billing outbox worked', { ...run });
  // The heartbeat and the backlog the operator alarms watch.
  countJobRun('billing-outbox');
  recordOutboxBacklog(run.pending, run.oldestSeconds);
  return run;
}
