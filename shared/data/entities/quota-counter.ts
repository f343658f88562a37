import { Entity, type EntityItem } from '../electrodb-entity';
import { TENANT_ID_ATTRIBUTE } from './record-attributes';
import { QUOTA_RESOURCES } from '../../model/plans';
import { TENANT_PARTITION_KEY } from '../table-definition';
import { TABLE_NAME, tenantDocumentClient } from '../clients';

/** The period of a counted resource's standing total. */
export const STANDING_PERIOD = 'ALL';

/**
 * A quota counter: `used` for one resource in one period (`YYYY-MM` for periodic resources, `ALL`
 * for counted ones). Every change is a conditional update, so concurrent callers cannot overshoot.
 */
export const QuotaCounterEntity = new Entity(
  {
    model: { entity: 'quotaCounter', version: '1', service: 'tenantry' },
    attributes: {
      ...TENANT_ID_ATTRIBUTE,
      resource: { type: QUOTA_RESOURCES, required: true, readOnly: true },
      period: { type: 'string', required: true, readOnly: true },
      used: { type: 'number', required: true },
      /** API calls only: the minute (`YYYY-MM-DDTHH:MM`) the per-minute window counts, and its count. */
      windowMinute: { type: 'string' },
      windowCount: { type: 'number' },
      /** API calls only: DynamoDB capacity units the tenant's requests consumed, in the month and in the open minute. */
      readUnits: { type: 'number' },
      writeUnits: { type: 'number' },
      windowReadUnits: { type: 'number' },
      windowWriteUnits: { type: 'number' },
      updatedAt: { type: 'string', required: true },
      /**
       * Monthly resources: the takes (`qtk_…`) whose operation has not been seen to commit yet. Each
       * is added in the same update as its unit, and removed when its request ends, or settled
       * against its receipt once its request cannot be running any more (`quotas/quota-takes.ts`).
       */
      pending: { type: 'set', items: 'string' },
      /**
       * Monthly resources whose plan's policy counts time past the limit (`overage` for some hours,
       * `suspend` after some hours): when the month's use first went past the limit.
       */
      overSince: { type: 'string' },
    },
    indexes: {
      byTenant: {
        pk: TENANT_PARTITION_KEY,
        sk: {
          field: 'sk',
          composite: ['resource', 'period'],
          template: 'QUOTA#${resource}#${period}',
          casing: 'none',
        },
      },
    },
  },
  { table: TABLE_NAME, client: tenantDocumentClient },
);

export type QuotaCounterItem = EntityItem<typeof QuotaCounterEntity>;
