import { Entity, type EntityItem } from '../electrodb-entity';
import { TENANT_ID_ATTRIBUTE, UPDATED_AT_ATTRIBUTE } from './record-attributes';
import { TENANT_PARTITION_KEY } from '../table-definition';
import { TABLE_NAME, tenantDocumentClient } from '../clients';

/**
 * A tenant's requests in one UTC hour (`YYYY-MM-DDTHH`), by route: what the operator figures job
 * read from the per-request cost line. One item per tenant and hour with traffic, at most one entry
 * per route of the manifest, replaced whole at each run (the hour so far, then the whole hour), and
 * kept 32 days.
 */
export const RouteStatsEntity = new Entity(
  {
    model: { entity: 'routeStats', version: '1', service: 'tenantry' },
    attributes: {
      ...TENANT_ID_ATTRIBUTE,
      hour: { type: 'string', required: true, readOnly: true },
      routes: {
        type: 'list',
        required: true,
        items: {
          type: 'map',
          properties: {
            route: { type: 'string', required: true },
            requests: { type: 'number', required: true },
            clientErrors: { type: 'number', required: true },
            throttled: { type: 'number', required: true },
            serverErrors: { type: 'number', required: true },
            meanMs: { type: 'number', required: true },
            p99Ms: { type: 'number', required: true },
            maxMs: { type: 'number', required: true },
            readUnits: { type: 'number', required: true },
            writeUnits: { type: 'number', required: true },
          },
        },
      },
      /** When the figures were read, and up to when the hour's requests were counted. */
      countedUntil: { type: 'string', required: true },
      expiresAt: { type: 'number' },
      ...UPDATED_AT_ATTRIBUTE,
    },
    indexes: {
      byTenant: {
        pk: TENANT_PARTITION_KEY,
        sk: { field: 'sk', composite: ['hour'], template: 'ROUTESTATS#${hour}', casing: 'none' },
      },
    },
  },
  { table: TABLE_NAME, client: tenantDocumentClient },
);

export type RouteStatsItem = EntityItem<typeof RouteStatsEntity>;
