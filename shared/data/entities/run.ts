import { Entity, type EntityItem } from 'electrodb';
import { RUN_STATUSES } from '../../runs/run-status';
import { TENANT_PARTITION_KEY } from '../table-definition';
import { TABLE_NAME, tenantDocumentClient } from '../clients';

/** One run of an agent. Starting one consumes the monthly `runs` quota; completing it, `tokens`. */
export const RunEntity = new Entity(
  {
    model: { entity: 'run', version: '1', service: 'tenantry' },
    attributes: {
      tenantId: { type: 'string', required: true, readOnly: true },
      runId: { type: 'string', required: true, readOnly: true },
      agentId: { type: 'string', required: true, readOnly: true },
      status: { type: RUN_STATUSES, required: true },
      input: { type: 'any' },
      output: { type: 'any' },
      tokensUsed: { type: 'number' },
      period: { type: 'string', required: true, readOnly: true },
      startedBy: { type: 'string', required: true, readOnly: true },
      startedAt: { type: 'string', required: true, readOnly: true },
      completedAt: { type: 'string' },
    },
    indexes: {
      byTenant: {
        pk: TENANT_PARTITION_KEY,
        sk: { field: 'sk', composite: ['runId'], template: 'RUN#${runId}', casing: 'none' },
      },
    },
  },
  { table: TABLE_NAME, client: tenantDocumentClient },
);

export type RunItem = EntityItem<typeof RunEntity>;
