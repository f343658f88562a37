import { Entity, type EntityItem } from '../electrodb-entity';
import { TENANT_ID_ATTRIBUTE, RECORD_TIMESTAMPS } from './record-attributes';
import { TENANT_PARTITION_KEY } from '../table-definition';
import { TABLE_NAME, tenantDocumentClient } from '../clients';

/** An AI agent a tenant owns. Counted against the plan's `agents` limit. */
export const AgentEntity = new Entity(
  {
    model: { entity: 'agent', version: '1', service: 'tenantry' },
    attributes: {
      ...TENANT_ID_ATTRIBUTE,
      agentId: { type: 'string', required: true, readOnly: true },
      name: { type: 'string', required: true },
      /** The name case-folded, kept by ElectroDB whenever the name is written: what a search matches. */
      searchName: {
        type: 'string',
        hidden: true,
        watch: ['name'],
        set: (_: unknown, item: { name?: string }) => item.name?.toLocaleLowerCase('en-US'),
      },
      description: { type: 'string' },
      model: { type: 'string', required: true },
      instructions: { type: 'string' },
      /** The project the agent belongs to; absent for an agent of the tenant at large. */
      projectId: { type: 'string' },
      createdBy: { type: 'string', required: true, readOnly: true },
      ...RECORD_TIMESTAMPS,
    },
    indexes: {
      byTenant: {
        pk: TENANT_PARTITION_KEY,
        sk: { field: 'sk', composite: ['agentId'], template: 'AGENT#${agentId}', casing: 'none' },
      },
    },
  },
  { table: TABLE_NAME, client: tenantDocumentClient },
);

export type AgentItem = EntityItem<typeof AgentEntity>;
