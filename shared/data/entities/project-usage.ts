import { Entity, type EntityItem } from '../electrodb-entity';
import { TENANT_ID_ATTRIBUTE } from './record-attributes';
import { TENANT_PARTITION_KEY } from '../table-definition';
import { TABLE_NAME, tenantDocumentClient } from '../clients';

/**
 * What a project's runs used in a month (`YYYY-MM`, the month each run started): runs completed and
 * their tokens, added in the transaction that completes a run. Keyed by month first, so one Query
 * reads every project's figures for a month.
 */
export const ProjectUsageEntity = new Entity(
  {
    model: { entity: 'projectUsage', version: '1', service: 'tenantry' },
    attributes: {
      ...TENANT_ID_ATTRIBUTE,
      period: { type: 'string', required: true, readOnly: true },
      projectId: { type: 'string', required: true, readOnly: true },
      runs: { type: 'number', required: true, default: 0 },
      tokens: { type: 'number', required: true, default: 0 },
      updatedAt: { type: 'string' },
    },
    indexes: {
      byTenant: {
        pk: TENANT_PARTITION_KEY,
        sk: {
          field: 'sk',
          composite: ['period', 'projectId'],
          template: 'PUSAGE#${period}#${projectId}',
          casing: 'none',
        },
      },
    },
  },
  { table: TABLE_NAME, client: tenantDocumentClient },
);

export type ProjectUsageItem = EntityItem<typeof ProjectUsageEntity>;
