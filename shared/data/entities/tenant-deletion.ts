import { Entity, type EntityItem } from '../electrodb-entity';
import { TABLE_NAME, platformDocumentClient } from '../clients';

/**
 * The platform's record of a purged tenant: what it was, who deleted it, when its data went and how
 * much. Platform-level (one partition, no tenant prefix): the only item left of the tenant.
 */
export const TenantDeletionEntity = new Entity(
  {
    model: { entity: 'tenantDeletion', version: '1', service: 'tenantry' },
    attributes: {
      tenantId: { type: 'string', required: true, readOnly: true },
      slug: { type: 'string', required: true },
      name: { type: 'string', required: true },
      plan: { type: 'string', required: true },
      deletedAt: { type: 'string', required: true },
      deletedBy: { type: 'string' },
      purgedAt: { type: 'string', required: true },
      /** Items removed from the table: the tenant's partition and its platform lookups. */
      itemsRemoved: { type: 'number', required: true },
      /** Sign-ins removed from Cognito: members the tenant was the last membership of. */
      usersRemoved: { type: 'number', required: true },
    },
    indexes: {
      byTenant: {
        pk: { field: 'pk', composite: [], template: 'PLATFORM#DELETED_TENANTS', casing: 'none' },
        sk: { field: 'sk', composite: ['tenantId'], template: '${tenantId}', casing: 'none' },
      },
    },
  },
  { table: TABLE_NAME, client: platformDocumentClient },
);

export type TenantDeletionItem = EntityItem<typeof TenantDeletionEntity>;
