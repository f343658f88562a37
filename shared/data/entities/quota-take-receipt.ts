import { Entity } from '../electrodb-entity';
import { TENANT_ID_ATTRIBUTE } from './record-attributes';
import { TENANT_PARTITION_KEY } from '../table-definition';
import { TABLE_NAME, tenantDocumentClient } from '../clients';

/**
 * The receipt of a monthly quota take: written in the same transaction as the operation it was
 * taken for (`operation-commit.ts`), so it exists exactly when that operation took effect. A take
 * still pending on its counter once its request cannot be running any more is settled by it: kept
 * with a receipt, given back without one. Kept (TTL) past the month it counts in.
 */
export const QuotaTakeReceiptEntity = new Entity(
  {
    model: { entity: 'quotaTakeReceipt', version: '1', service: 'tenantry' },
    attributes: {
      ...TENANT_ID_ATTRIBUTE,
      takeId: { type: 'string', required: true, readOnly: true },
      resource: { type: 'string', required: true, readOnly: true },
      period: { type: 'string', required: true, readOnly: true },
      expiresAt: { type: 'number', required: true },
    },
    indexes: {
      byTenant: {
        pk: TENANT_PARTITION_KEY,
        sk: { field: 'sk', composite: ['takeId'], template: 'QTAKE#${takeId}', casing: 'none' },
      },
    },
  },
  { table: TABLE_NAME, client: tenantDocumentClient },
);
