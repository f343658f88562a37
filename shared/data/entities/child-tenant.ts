import { Entity, type EntityItem } from '../electrodb-entity';
import { TENANT_ID_ATTRIBUTE, RECORD_TIMESTAMPS } from './record-attributes';
import { PLAN_IDS } from '../../model/plans';
import { TENANT_STATUSES } from '../../model/tenant-status';
import { TENANT_PARTITION_KEY } from '../table-definition';
import { TABLE_NAME, tenantDocumentClient } from '../clients';

/**
 * A tenant below a partner, as the partner (and each of its ancestors) sees it: in the ancestor's own
 * partition (`tenantId` is the ancestor's), so a partner lists its subtree without reading outside
 * it. Name, plan and status only: what a partner may see of a child without a delegation.
 */
export const ChildTenantEntity = new Entity(
  {
    model: { entity: 'childTenant', version: '1', service: 'tenantry' },
    attributes: {
      ...TENANT_ID_ATTRIBUTE,
      childId: { type: 'string', required: true, readOnly: true },
      parentId: { type: 'string', required: true, readOnly: true },
      /** 1 for the ancestor's own child, 2 for a grandchild, and so on. */
      depth: { type: 'number', required: true, readOnly: true },
      name: { type: 'string', required: true },
      slug: { type: 'string', required: true, readOnly: true },
      plan: { type: PLAN_IDS, required: true },
      status: { type: TENANT_STATUSES, required: true },
      /** The slices of the parent's limits the child was given (its parent's copy only). */
      allocation: { type: 'any' },
      /** The resources the child draws from the parent’s pool (its parent’s copy only). */
      pooled: { type: 'list', items: { type: 'string' } },
      /** The parent, when it pays for the child (its parent's copy only). */
      billedTo: { type: 'string' },
      /** When it last stopped drawing runs from the pool (its runs of that month are on the parent's counter). */
      poolEndedAt: { type: 'string' },
      ...RECORD_TIMESTAMPS,
    },
    indexes: {
      byTenant: {
        pk: TENANT_PARTITION_KEY,
        sk: { field: 'sk', composite: ['childId'], template: 'CHILD#${childId}', casing: 'none' },
      },
    },
  },
  { table: TABLE_NAME, client: tenantDocumentClient },
);

export type ChildTenantItem = EntityItem<typeof ChildTenantEntity>;
