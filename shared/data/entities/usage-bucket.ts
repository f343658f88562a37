import { Entity, type EntityItem } from '../electrodb-entity';
import { TENANT_ID_ATTRIBUTE } from './record-attributes';
import { PERIODIC_RESOURCES } from '../../model/plans';

/** The usage series of what serving a tenant consumed, beside its resources. */
export const CAPACITY_SERIES = ['readUnits', 'writeUnits'] as const;
import { TENANT_PARTITION_KEY } from '../table-definition';
import { TABLE_NAME, tenantDocumentClient } from '../clients';

/**
 * Usage of one resource in one UTC hour (`YYYY-MM-DDTHH`), added to atomically: never an item per
 * request. For API calls the same item also holds the per-minute counts (`m00`…`m59`) that the rate
 * limit checks, so one write both meters and limits a request.
 */
export const UsageBucketEntity = new Entity(
  {
    model: { entity: 'usageBucket', version: '1', service: 'tenantry' },
    attributes: {
      ...TENANT_ID_ATTRIBUTE,
      /** A monthly resource, or the DynamoDB capacity units the tenant's requests consumed. */
      resource: {
        type: [...PERIODIC_RESOURCES, ...CAPACITY_SERIES] as const,
        required: true,
        readOnly: true,
      },
      hour: { type: 'string', required: true, readOnly: true },
      used: { type: 'number', required: true },
      expiresAt: { type: 'number' },
    },
    indexes: {
      byTenant: {
        pk: TENANT_PARTITION_KEY,
        sk: {
          field: 'sk',
          composite: ['resource', 'hour'],
          template: 'USAGE#${resource}#${hour}',
          casing: 'none',
        },
      },
    },
  },
  { table: TABLE_NAME, client: tenantDocumentClient },
);

export type UsageBucketItem = EntityItem<typeof UsageBucketEntity>;
