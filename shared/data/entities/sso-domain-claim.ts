import { Entity, type EntityItem } from '../electrodb-entity';
import { RECORD_TIMESTAMPS } from './record-attributes';
import { TABLE_NAME, platformDocumentClient } from '../clients';

/**
 * The guard that gives a verified email domain to one tenant's identity provider (`SSODOMAIN#<domain>`,
 * platform-level): put with "absent, or already this tenant's" in the transaction that verifies the
 * domain, and what home realm discovery reads (one GetItem) to send an address to its tenant's provider.
 */
export const SsoDomainClaimEntity = new Entity(
  {
    model: { entity: 'ssoDomainClaim', version: '1', service: 'tenantry' },
    attributes: {
      domain: { type: 'string', required: true, readOnly: true },
      tenantId: { type: 'string', required: true, readOnly: true },
      ...RECORD_TIMESTAMPS,
    },
    indexes: {
      byDomain: {
        pk: { field: 'pk', composite: ['domain'], template: 'SSODOMAIN#${domain}', casing: 'none' },
        sk: { field: 'sk', composite: [], template: 'SSODOMAIN', casing: 'none' },
      },
    },
  },
  { table: TABLE_NAME, client: platformDocumentClient },
);

export type SsoDomainClaimItem = EntityItem<typeof SsoDomainClaimEntity>;
