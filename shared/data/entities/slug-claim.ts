import { Entity } from '../electrodb-entity';
import { CREATED_AT_ATTRIBUTE } from './record-attributes';
import { TABLE_NAME, platformDocumentClient } from '../clients';

/**
 * A guard item that makes a tenant slug unique (a GSI cannot): put with `attribute_not_exists` in
 * the same transaction as the tenant. Platform-level: it also resolves a slug to its tenant.
 */
export const SlugClaimEntity = new Entity(
  {
    model: { entity: 'slugClaim', version: '1', service: 'tenantry' },
    attributes: {
      slug: { type: 'string', required: true, readOnly: true },
      tenantId: { type: 'string', required: true, readOnly: true },
      ...CREATED_AT_ATTRIBUTE,
    },
    indexes: {
      bySlug: {
        pk: { field: 'pk', composite: ['slug'], template: 'SLUG#${slug}', casing: 'none' },
        sk: { field: 'sk', composite: [], template: 'SLUG', casing: 'none' },
      },
    },
  },
  { table: TABLE_NAME, client: platformDocumentClient },
);
