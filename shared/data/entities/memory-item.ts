import { Entity, type EntityItem } from '../electrodb-entity';
import { TENANT_ID_ATTRIBUTE, CREATED_AT_ATTRIBUTE } from './record-attributes';
import { TENANT_PARTITION_KEY } from '../table-definition';
import { TABLE_NAME, tenantDocumentClient } from '../clients';

/**
 * Text or JSON an agent remembers. Its size in bytes counts against the plan's `storageBytes`.
 * Keyed under its agent so an agent's memory is one key-condition query.
 */
export const MemoryItemEntity = new Entity(
  {
    model: { entity: 'memoryItem', version: '1', service: 'tenantry' },
    attributes: {
      ...TENANT_ID_ATTRIBUTE,
      agentId: { type: 'string', required: true, readOnly: true },
      memoryId: { type: 'string', required: true, readOnly: true },
      kind: { type: ['text', 'json'] as const, required: true, readOnly: true },
      content: { type: 'any', required: true, readOnly: true },
      sizeBytes: { type: 'number', required: true, readOnly: true },
      ...CREATED_AT_ATTRIBUTE,
    },
    indexes: {
      byTenant: {
        pk: TENANT_PARTITION_KEY,
        sk: {
          field: 'sk',
          composite: ['agentId', 'memoryId'],
          template: 'MEMORY#${agentId}#${memoryId}',
          casing: 'none',
        },
      },
    },
  },
  { table: TABLE_NAME, client: tenantDocumentClient },
);

export type MemoryItem = EntityItem<typeof MemoryItemEntity>;
