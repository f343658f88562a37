import { Entity, type EntityItem } from '../electrodb-entity';
import { TABLE_NAME, platformDocumentClient } from '../clients';

/**
 * The platform's figures as the operator figures job last computed them (platform-level, one item):
 * tenants by plan and status, active tenants, recurring revenue, serving cost, and the tenants that
 * need a look. Replaced whole at each run; `computedAt` says how stale it is.
 */
export const PlatformMetricsEntity = new Entity(
  {
    model: { entity: 'platformMetrics', version: '1', service: 'tenantry' },
    attributes: {
      computedAt: { type: 'string', required: true },
      /** The snapshot, as `GET /v1/platform/metrics` answers it (its schema is the route's). */
      figures: { type: 'any', required: true },
    },
    indexes: {
      latest: {
        pk: { field: 'pk', composite: [], template: 'PLATFORM#METRICS', casing: 'none' },
        sk: { field: 'sk', composite: [], template: 'LATEST', casing: 'none' },
      },
    },
  },
  { table: TABLE_NAME, client: platformDocumentClient },
);

export type PlatformMetricsItem = EntityItem<typeof PlatformMetricsEntity>;
