import { Entity, type EntityItem } from '../electrodb-entity';
import { TENANT_ID_ATTRIBUTE, RECORD_TIMESTAMPS } from './record-attributes';
import { TENANT_PARTITION_KEY } from '../table-definition';
import { TABLE_NAME, tenantDocumentClient } from '../clients';

/**
 * A project: a group of a tenant's agents (and so of their memory and runs), counted against the
 * plan's `projects` limit. `agentCount` moves in the same transaction as every agent that joins or
 * leaves it, so a project with agents cannot be deleted from under them.
 */
export const ProjectEntity = new Entity(
  {
    model: { entity: 'project', version: '1', service: 'tenantry' },
    attributes: {
      ...TENANT_ID_ATTRIBUTE,
      projectId: { type: 'string', required: true, readOnly: true },
      name: { type: 'string', required: true },
      description: { type: 'string' },
      agentCount: { type: 'number', required: true, default: 0 },
      createdBy: { type: 'string', required: true, readOnly: true },
      ...RECORD_TIMESTAMPS,
    },
    indexes: {
      byTenant: {
        pk: TENANT_PARTITION_KEY,
        sk: { field: 'sk', composite: ['projectId'], template: 'PROJECT#${projectId}', casing: 'none' },
      },
    },
  },
  { table: TABLE_NAME, client: tenantDocumentClient },
);

export type ProjectItem = EntityItem<typeof ProjectEntity>;
