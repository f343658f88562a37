import { Entity, type EntityItem } from '../electrodb-entity';
import { TENANT_ID_ATTRIBUTE, RECORD_TIMESTAMPS } from './record-attributes';
import { SEALED_VALUE_ATTRIBUTES } from './sealed-attributes';
import { TENANT_PARTITION_KEY } from '../table-definition';
import { TABLE_NAME, tenantDocumentClient } from '../clients';

/**
 * A tenant's webhook endpoint: where its events go, which events, and the signing secret sealed by
 * envelope encryption (shown once, at creation). Disabled by its owners, or by the platform after
 * too many failed deliveries in a row.
 */
export const WebhookEndpointEntity = new Entity(
  {
    model: { entity: 'webhookEndpoint', version: '1', service: 'tenantry' },
    attributes: {
      ...TENANT_ID_ATTRIBUTE,
      endpointId: { type: 'string', required: true, readOnly: true },
      url: { type: 'string', required: true },
      /** Event types, or `*` for all. */
      events: { type: 'list', items: { type: 'string' }, required: true },
      description: { type: 'string' },
      status: { type: ['active', 'disabled'] as const, required: true },
      disabledReason: { type: 'string' },
      consecutiveFailures: { type: 'number', required: true },
      ...SEALED_VALUE_ATTRIBUTES,
      createdBy: { type: 'string', required: true, readOnly: true },
      ...RECORD_TIMESTAMPS,
    },
    indexes: {
      byTenant: {
        pk: TENANT_PARTITION_KEY,
        sk: { field: 'sk', composite: ['endpointId'], template: 'WEBHOOK#${endpointId}', casing: 'none' },
      },
    },
  },
  { table: TABLE_NAME, client: tenantDocumentClient },
);

export type WebhookEndpointItem = EntityItem<typeof WebhookEndpointEntity>;
