import { Entity, type EntityItem } from '../electrodb-entity';
import { TENANT_ID_ATTRIBUTE } from './record-attributes';
import { TENANT_PARTITION_KEY } from '../table-definition';
import { TABLE_NAME, tenantDocumentClient } from '../clients';

/**
 * That something happened once for the tenant: an event's emails sent (its id), a trial's ending
 * told (its date). Created with `attribute_not_exists`, so a redelivered event or a rerun job finds
 * it and does nothing twice; expires after a while (TTL).
 */
export const OnceMarkerEntity = new Entity(
  {
    model: { entity: 'onceMarker', version: '1', service: 'tenantry' },
    attributes: {
      ...TENANT_ID_ATTRIBUTE,
      key: { type: 'string', required: true, readOnly: true },
      at: { type: 'string', required: true, readOnly: true },
      expiresAt: { type: 'number', required: true, readOnly: true },
    },
    indexes: {
      byTenant: {
        pk: TENANT_PARTITION_KEY,
        sk: { field: 'sk', composite: ['key'], template: 'ONCE#${key}', casing: 'none' },
      },
    },
  },
  { table: TABLE_NAME, client: tenantDocumentClient },
);

export type OnceMarkerItem = EntityItem<typeof OnceMarkerEntity>;
