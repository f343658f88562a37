import { Entity, type EntityItem } from '../electrodb-entity';
import { TENANT_ID_ATTRIBUTE } from './record-attributes';
import { TENANT_PARTITION_KEY } from '../table-definition';
import { TABLE_NAME, tenantDocumentClient } from '../clients';

import { EXPORT_STATUSES } from '../../model/export-statuses';

/**
 * One export of everything a tenant owns: asked for by a person, written by the job worker as gzipped
 * NDJSON under the tenant's own prefix, kept `EXPORT_RETENTION_DAYS` (the file by the bucket's
 * lifecycle, this record by TTL).
 */
export const TenantExportEntity = new Entity(
  {
    model: { entity: 'tenantExport', version: '1', service: 'tenantry' },
    attributes: {
      ...TENANT_ID_ATTRIBUTE,
      exportId: { type: 'string', required: true, readOnly: true },
      status: { type: EXPORT_STATUSES, required: true },
      requestedBy: { type: 'string', required: true, readOnly: true },
      requestedAt: { type: 'string', required: true, readOnly: true },
      /** Told by email when the export is ready (a person; a key has no address). */
      requesterEmail: { type: 'string', readOnly: true },
      /** Where the file is, in the export store (S3 key, or the twin's local path). */
      objectKey: { type: 'string', required: true, readOnly: true },
      completedAt: { type: 'string' },
      itemCount: { type: 'number' },
      bytes: { type: 'number' },
      error: { type: 'string' },
      expiresAt: { type: 'number', required: true, readOnly: true },
    },
    indexes: {
      byTenant: {
        pk: TENANT_PARTITION_KEY,
        sk: { field: 'sk', composite: ['exportId'], template: 'EXPORT#${exportId}', casing: 'none' },
      },
    },
  },
  { table: TABLE_NAME, client: tenantDocumentClient },
);

export type TenantExportItem = EntityItem<typeof TenantExportEntity>;
