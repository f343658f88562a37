import { Entity, type EntityItem } from '../electrodb-entity';
import { TENANT_ID_ATTRIBUTE, RECORD_TIMESTAMPS } from './record-attributes';
import { TENANT_PARTITION_KEY } from '../table-definition';
import { TABLE_NAME, tenantDocumentClient } from '../clients';

/**
 * A tenant's logo (`BRANDING#LOGO`): a checked PNG, JPEG or WebP image of at most 64 KB, kept apart
 * from the tenant record, which every request reads, and read only where the branding is shown.
 */
export const TenantLogoEntity = new Entity(
  {
    model: { entity: 'tenantLogo', version: '1', service: 'tenantry' },
    attributes: {
      ...TENANT_ID_ATTRIBUTE,
      contentType: { type: ['image/png', 'image/jpeg', 'image/webp'] as const, required: true },
      /** The image, base64. */
      data: { type: 'string', required: true },
      bytes: { type: 'number', required: true },
      width: { type: 'number', required: true },
      height: { type: 'number', required: true },
      ...RECORD_TIMESTAMPS,
    },
    indexes: {
      byTenant: {
        pk: TENANT_PARTITION_KEY,
        sk: { field: 'sk', composite: [], template: 'BRANDING#LOGO', casing: 'none' },
      },
    },
  },
  { table: TABLE_NAME, client: tenantDocumentClient },
);

export type TenantLogoItem = EntityItem<typeof TenantLogoEntity>;
