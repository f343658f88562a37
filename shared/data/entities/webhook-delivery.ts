import { Entity, type EntityItem } from '../electrodb-entity';
import { DELIVERY_TRIGGERS } from '../../model/webhook-deliveries';
import { TENANT_ID_ATTRIBUTE } from './record-attributes';
import { TENANT_PARTITION_KEY } from '../table-definition';
import { TABLE_NAME, tenantDocumentClient } from '../clients';

/** One attempt to deliver an event to an endpoint: the delivery log (kept 30 days). */
export const WebhookDeliveryEntity = new Entity(
  {
    model: { entity: 'webhookDelivery', version: '1', service: 'tenantry' },
    attributes: {
      ...TENANT_ID_ATTRIBUTE,
      endpointId: { type: 'string', required: true, readOnly: true },
      deliveryId: { type: 'string', required: true, readOnly: true },
      eventId: { type: 'string', required: true, readOnly: true },
      eventType: { type: 'string', required: true, readOnly: true },
      attempt: { type: 'number', required: true, readOnly: true },
      ok: { type: 'boolean', required: true, readOnly: true },
      statusCode: { type: 'number', readOnly: true },
      error: { type: 'string', readOnly: true },
      durationMs: { type: 'number', required: true, readOnly: true },
      /** When the next attempt is due, if there is one. */
      nextAttemptAt: { type: 'string', readOnly: true },
      at: { type: 'string', required: true, readOnly: true },
      /** Why it was made (`event`, `test`, `retry`); absent on attempts logged before it was kept. */
      trigger: { type: DELIVERY_TRIGGERS, readOnly: true },
      /** The exact body posted, so that the tenant can have it delivered again. */
      payload: { type: 'string', readOnly: true },
      /** The first kilobyte of the endpoint's answer. */
      response: { type: 'string', readOnly: true },
      expiresAt: { type: 'number', required: true, readOnly: true },
    },
    indexes: {
      byEndpoint: {
        pk: TENANT_PARTITION_KEY,
        sk: {
          field: 'sk',
          composite: ['endpointId', 'deliveryId'],
          template: 'WHDELIVERY#${endpointId}#${deliveryId}',
          casing: 'none',
        },
      },
    },
  },
  { table: TABLE_NAME, client: tenantDocumentClient },
);

export type WebhookDeliveryItem = EntityItem<typeof WebhookDeliveryEntity>;
