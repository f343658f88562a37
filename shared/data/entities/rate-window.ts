import { Entity } from '../electrodb-entity';
import { TABLE_NAME, platformDocumentClient } from '../clients';

/**
 * A fixed-window counter. `scope` is the whole partition key: `TENANT#<id>` for a tenant's limits,
 * `SIGNUP#IP#<ip>` for the public signup limit. Expires through the table's TTL.
 */
export const RateWindowEntity = new Entity(
  {
    model: { entity: 'rateWindow', version: '1', service: 'tenantry' },
    attributes: {
      scope: { type: 'string', required: true, readOnly: true },
      resource: { type: 'string', required: true, readOnly: true },
      window: { type: 'string', required: true, readOnly: true },
      count: { type: 'number', required: true },
      expiresAt: { type: 'number', required: true },
    },
    indexes: {
      byScope: {
        pk: { field: 'pk', composite: ['scope'], template: '${scope}', casing: 'none' },
        sk: {
          field: 'sk',
          composite: ['resource', 'window'],
          template: 'RATE#${resource}#${window}',
          casing: 'none',
        },
      },
    },
  },
  { table: TABLE_NAME, client: platformDocumentClient },
);
