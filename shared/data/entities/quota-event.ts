import { Entity, type EntityItem } from '../electrodb-entity';
import { TENANT_ID_ATTRIBUTE } from './record-attributes';
import { QUOTA_RESOURCES } from '../../model/plans';
import { TENANT_PARTITION_KEY } from '../table-definition';
import { TABLE_NAME, tenantDocumentClient } from '../clients';

/**
 * A quota threshold crossed (80/90/95 % by default), once per threshold, resource and period: the
 * item is created with `attribute_not_exists`, so however many requests race past the line, one
 * event exists. It is also the record that the event was published (or, locally, kept).
 */
export const QuotaEventEntity = new Entity(
  {
    model: { entity: 'quotaEvent', version: '1', service: 'tenantry' },
    attributes: {
      ...TENANT_ID_ATTRIBUTE,
      period: { type: 'string', required: true, readOnly: true },
      resource: { type: QUOTA_RESOURCES, required: true, readOnly: true },
      threshold: { type: 'number', required: true, readOnly: true },
      used: { type: 'number', required: true, readOnly: true },
      limit: { type: 'number', required: true, readOnly: true },
      occurredAt: { type: 'string', required: true, readOnly: true },
      publishedTo: { type: 'string' },
    },
    indexes: {
      byTenant: {
        pk: TENANT_PARTITION_KEY,
        sk: {
          field: 'sk',
          composite: ['period', 'resource', 'threshold'],
          template: 'QEVENT#${period}#${resource}#${threshold}',
          casing: 'none',
        },
      },
    },
  },
  { table: TABLE_NAME, client: tenantDocumentClient },
);

export type QuotaEventItem = EntityItem<typeof QuotaEventEntity>;
