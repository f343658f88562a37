import { Entity, type EntityItem } from '../electrodb-entity';
import { TENANT_ID_ATTRIBUTE } from './record-attributes';
import { RUN_STATUSES } from '../../model/run-status';
import { TENANT_PARTITION_KEY } from '../table-definition';
import { TABLE_NAME, tenantDocumentClient } from '../clients';

/** One run of an agent. Starting one consumes the monthly `runs` quota; completing it, `tokens`. */
export const RunEntity = new Entity(
  {
    model: { entity: 'run', version: '1', service: 'tenantry' },
    attributes: {
      ...TENANT_ID_ATTRIBUTE,
      runId: { type: 'string', required: true, readOnly: true },
      agentId: { type: 'string', required: true, readOnly: true },
      /** The agent's project when the run started; absent for an agent of no project. */
      projectId: { type: 'string', readOnly: true },
      status: { type: RUN_STATUSES, required: true },
      input: { type: 'any' },
      output: { type: 'any' },
      tokensUsed: { type: 'number' },
      period: { type: 'string', required: true, readOnly: true },
      /** The partner whose pool counted it (`quotas/pools.ts`); absent when its own counter did. */
      countedIn: { type: 'string', readOnly: true },
      startedBy: { type: 'string', required: true, readOnly: true },
      startedAt: { type: 'string', required: true, readOnly: true },
      completedAt: { type: 'string' },
      /** Why the run was cancelled (the suspension's reason). */
      statusReason: { type: 'string' },
    },
    indexes: {
      byTenant: {
        pk: TENANT_PARTITION_KEY,
        sk: { field: 'sk', composite: ['runId'], template: 'RUN#${runId}', casing: 'none' },
      },
      /**
       * The tenant's running runs, a sparse index: a run is in it from its start until it ends (the
       * keys go when the status leaves `running`), so stopping them all reads only them.
       */
      running: {
        index: 'gsi2',
        condition: (attr: { status?: string }) => attr.status === 'running',
        pk: { ...TENANT_PARTITION_KEY, field: 'gsi2pk' },
        sk: {
          field: 'gsi2sk',
          composite: ['status', 'runId'],
          template: 'RUN#${status}#${runId}',
          casing: 'none',
        },
      },
    },
  },
  { table: TABLE_NAME, client: tenantDocumentClient },
);

export type RunItem = EntityItem<typeof RunEntity>;
