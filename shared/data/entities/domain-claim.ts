import { Entity, type EntityItem } from '../electrodb-entity';
import { RECORD_TIMESTAMPS } from './record-attributes';
import { TABLE_NAME, platformDocumentClient } from '../clients';

/**
 * The guard that gives a verified custom domain to one tenant (`DOMAIN#<host>`, platform-level): put
 * with "absent, or already this tenant's" in the transaction that verifies the domain, and the lookup
 * the `host` strategy reads (one GetItem, cached per instance). `serving` says whether the host names
 * the tenant now (active or at risk); a suspended domain keeps its guard and names no one.
 */
export const DomainClaimEntity = new Entity(
  {
    model: { entity: 'domainClaim', version: '1', service: 'tenantry' },
    attributes: {
      domain: { type: 'string', required: true, readOnly: true },
      tenantId: { type: 'string', required: true, readOnly: true },
      serving: { type: 'boolean', required: true },
      ...RECORD_TIMESTAMPS,
    },
    indexes: {
      byDomain: {
        pk: { field: 'pk', composite: ['domain'], template: 'DOMAIN#${domain}', casing: 'none' },
        sk: { field: 'sk', composite: [], template: 'DOMAIN', casing: 'none' },
      },
    },
  },
  { table: TABLE_NAME, client: platformDocumentClient },
);

export type DomainClaimItem = EntityItem<typeof DomainClaimEntity>;
