/** The names of the domain events (their data and emails are in `catalogue.ts`); a base module the manifest and the console may read. */
export const EVENT_TYPE_NAMES = [
  'quota.threshold_crossed',
  'quota.overage_started',
  'tenant.suspended',
  'tenant.reactivated',
  'tenant.deleted',
  'tenant.restored',
  'billing.payment_failed',
  'billing.trial_ending',
  'export.completed',
  'user.invited',
  'webhook.endpoint_disabled',
  'domain.activated',
  'domain.at_risk',
  'domain.suspended',
  'delegation.requested',
  'delegation.approved',
  'delegation.ended',
] as const;

export type EventTypeName = (typeof EVENT_TYPE_NAMES)[number];

/** What each event means, in words for people (the console, the API reference). */
export const EVENT_TYPE_DESCRIPTIONS: Readonly<Record<EventTypeName, string>> = {
  'delegation.requested':
    'A partner above the tenant asked for delegated access to it; an owner approves or declines it.',
  'delegation.approved': 'A tenant below this partner approved its delegated access.',
  'delegation.ended':
    'A delegation between a partner and a tenant below it was declined, withdrawn or revoked by the other side.',
  'quota.threshold_crossed':
    'A monthly or counted resource crossed one of the thresholds (80, 90, 95 % by default).',
  'quota.overage_started':
    'A monthly resource went past its limit under a plan policy that counts time past it: the event says when its overage stops being admitted, or when the tenant is suspended if it is still past the limit.',
  'tenant.suspended':
    'A platform admin, dunning or a quota policy (sustained overage) suspended the tenant; its running runs were cancelled.',
  'tenant.reactivated': 'The tenant’s suspension ended.',
  'tenant.deleted':
    'The tenant was deleted; its data is kept until its purge date, for a restore or an export.',
  'tenant.restored': 'A deleted tenant was restored within its retention window.',
  'billing.payment_failed': 'A payment of the tenant’s subscription failed.',
  'billing.trial_ending': 'The tenant’s trial ends in three days or less, with no plan bought.',
  'export.completed': 'An export of the tenant was written and can be downloaded.',
  'user.invited': 'A person was invited into the tenant.',
  'webhook.endpoint_disabled': 'A webhook endpoint was disabled after too many failed deliveries in a row.',
  'domain.activated': 'A custom domain of the tenant is verified and served: its host names the tenant.',
  'domain.at_risk':
    'A daily check no longer found an active custom domain’s TXT record; it is suspended unless the record comes back.',
  'domain.suspended':
    'A custom domain’s TXT record stayed gone past the grace: its host no longer names the tenant, and it is released unless the record comes back.',
};
