import { processBillingOutbox, type OutboxRun } from '../../shared/billing/billing-outbox';
import { stripeBilling } from '../../shared/billing/stripe-billing';
import { logger } from '../../shared/observability/logger';

/** Every minute (EventBridge): works the billing outbox (new tenants' Stripe customers), with backoff. */
export async function handler(): Promise<OutboxRun> {
  const run = await processBillingOutbox(stripeBilling);
  if (run.done || run.failed) logger.info('Billing outbox worked', { ...run });
  return run;
}
