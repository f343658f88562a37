import { Entity, type EntityItem } from '../electrodb-entity';
import { CREATED_AT_ATTRIBUTE } from './record-attributes';
import { TABLE_NAME, platformDocumentClient } from '../clients';

/**
 * Work for the billing provider that must not hold up the request that caused it (a new tenant's
 * Stripe customer, its billing email and name when they change, a deleted tenant's subscription to cancel): written in the same transaction as its cause, done by the outbox worker, retried
 * with backoff while Stripe is slow or down. Platform-level: one partition, read by the worker only.
 */
export const BillingOutboxEntity = new Entity(
  {
    model: { entity: 'billingOutbox', version: '1', service: 'tenantry' },
    attributes: {
      kind: {
        type: ['createCustomer', 'updateCustomer', 'cancelSubscription'] as const,
        required: true,
        readOnly: true,
      },
      tenantId: { type: 'string', required: true, readOnly: true },
      /** `cancelSubscription`: the subscription to cancel. */
      subscriptionId: { type: 'string' },
      attempts: { type: 'number', required: true },
      /** Not before this time (ISO): backoff after a failure. */
      nextAttemptAt: { type: 'string', required: true },
      lastError: { type: 'string' },
      ...CREATED_AT_ATTRIBUTE,
    },
    indexes: {
      pending: {
        pk: { field: 'pk', composite: [], template: 'PLATFORM#BILLING#OUTBOX', casing: 'none' },
        sk: { field: 'sk', composite: ['kind', 'tenantId'], template: '${kind}#${tenantId}', casing: 'none' },
      },
    },
  },
  { table: TABLE_NAME, client: platformDocumentClient },
);

export type BillingOutboxItem = EntityItem<typeof BillingOutboxEntity>;
