/** The names of the domain events (their data and words are in `catalogue.ts`); a base module the manifest may read. */
export const EVENT_TYPE_NAMES = [
  'quota.threshold_crossed',
  'tenant.suspended',
  'tenant.reactivated',
  'tenant.deleted',
  'tenant.restored',
  'billing.payment_failed',
  'billing.trial_ending',
  'export.completed',
  'user.invited',
  'webhook.endpoint_disabled',
] as const;
