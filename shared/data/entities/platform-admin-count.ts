import { Entity } from '../electrodb-entity';
import { TABLE_NAME, platformDocumentClient } from '../clients';

/**
 * How many platform admins are recorded, kept in step with the records in the same transactions,
 * so that "the last platform admin stays" is one conditional update, safe under concurrency.
 */
export const PlatformAdminCountEntity = new Entity(
  {
    model: { entity: 'platformAdminCount', version: '1', service: 'tenantry' },
    attributes: {
      count: { type: 'number', required: true },
    },
    indexes: {
      total: {
        pk: { field: 'pk', composite: [], template: 'PLATFORM#ADMINS', casing: 'none' },
        sk: { field: 'sk', composite: [], template: 'COUNT', casing: 'none' },
      },
    },
  },
  { table: TABLE_NAME, client: platformDocumentClient },
);
