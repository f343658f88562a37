import { Entity, type EntityItem } from '../electrodb-entity';
import { TABLE_NAME, platformDocumentClient } from '../clients';

/**
 * A billing provider's webhook event that has taken effect: created (`attribute_not_exists`) in the
 * same transaction as its effect, so a redelivered event changes nothing. Kept 30 days (TTL), longer
 * than Stripe retries a delivery.
 */
export const BillingEventEntity = new Entity(
  {
    model: { entity: 'billingEvent', version: '1', service: 'tenantry' },
    attributes: {
      eventId: { type: 'string', required: true, readOnly: true },
      type: { type: 'string', required: true, readOnly: true },
      tenantId: { type: 'string' },
      processedAt: { type: 'string', required: true, readOnly: true },
      expiresAt: { type: 'number', required: true, readOnly: true },
    },
    indexes: {
      byId: {
        pk: { field: 'pk', composite: ['eventId'], template: 'STRIPE#EVENT#${eventId}', casing: 'none' },
        sk: { field: 'sk', composite: [], template: 'EVENT', casing: 'none' },
      },
    },
  },
  { table: TABLE_NAME, client: platformDocumentClient },
);

export type BillingEventItem = EntityItem<typeof BillingEventEntity>;
