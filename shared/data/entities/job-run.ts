import { Entity, type EntityItem } from '../electrodb-entity';
import { TABLE_NAME, platformDocumentClient } from '../clients';

/**
 * One run of a scheduled job for one period (platform-level). It holds the fan-out's position, so a
 * job that stopped half-way resumes where it was, and its completion, so a second run is a no-op.
 */
export const JobRunEntity = new Entity(
  {
    model: { entity: 'jobRun', version: '1', service: 'tenantry' },
    attributes: {
      job: { type: 'string', required: true, readOnly: true },
      period: { type: 'string', required: true, readOnly: true },
      status: { type: ['running', 'completed'] as const, required: true },
      cursor: { type: 'string' },
      dispatched: { type: 'number', required: true },
      startedAt: { type: 'string', required: true, readOnly: true },
      completedAt: { type: 'string' },
    },
    indexes: {
      byJob: {
        pk: { field: 'pk', composite: ['job'], template: 'JOB#${job}', casing: 'none' },
        sk: { field: 'sk', composite: ['period'], template: 'PERIOD#${period}', casing: 'none' },
      },
    },
  },
  { table: TABLE_NAME, client: platformDocumentClient },
);

export type JobRunItem = EntityItem<typeof JobRunEntity>;
