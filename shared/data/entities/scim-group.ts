import { Entity, type EntityItem } from '../electrodb-entity';
import { TENANT_ID_ATTRIBUTE, RECORD_TIMESTAMPS } from './record-attributes';
import { TENANT_PARTITION_KEY } from '../table-definition';
import { TABLE_NAME, tenantDocumentClient } from '../clients';

/**
 * A group of the tenant's directory, pushed by SCIM (`SCIMGROUP#<groupId>` under the tenant): its name
 * and its members (user ids of the tenant). Where the tenant's role mapping names the group, its
 * members' roles follow it (`scim/scim-groups.ts`).
 */
export const ScimGroupEntity = new Entity(
  {
    model: { entity: 'scimGroup', version: '1', service: 'tenantry' },
    attributes: {
      ...TENANT_ID_ATTRIBUTE,
      groupId: { type: 'string', required: true, readOnly: true },
      displayName: { type: 'string', required: true },
      externalId: { type: 'string' },
      members: { type: 'set', items: 'string' },
      ...RECORD_TIMESTAMPS,
    },
    indexes: {
      byTenant: {
        pk: TENANT_PARTITION_KEY,
        sk: { field: 'sk', composite: ['groupId'], template: 'SCIMGROUP#${groupId}', casing: 'none' },
      },
    },
  },
  { table: TABLE_NAME, client: tenantDocumentClient },
);

export type ScimGroupItem = EntityItem<typeof ScimGroupEntity>;
