import { Entity, type EntityItem } from '../electrodb-entity';
import { TENANT_ID_ATTRIBUTE, RECORD_TIMESTAMPS } from './record-attributes';
import { TENANT_PARTITION_KEY } from '../table-definition';
import { TABLE_NAME, tenantDocumentClient } from '../clients';

/**
 * An email domain a tenant captures for its identity provider (`SSODOMAIN#<domain>` under the tenant):
 * `pending` until a TXT record (`_tenantry-sso.<domain>`) or the tenant's own verified custom domain of
 * the same name proves control, then `verified`, when the guard `SSODOMAIN#<domain>`
 * (sso-domain-claim.ts) makes it this tenant's alone.
 */
export const SsoDomainEntity = new Entity(
  {
    model: { entity: 'ssoDomain', version: '1', service: 'tenantry' },
    attributes: {
      ...TENANT_ID_ATTRIBUTE,
      /** ASCII, lower case, no trailing dot. */
      domain: { type: 'string', required: true, readOnly: true },
      state: { type: ['pending', 'verified'] as const, required: true },
      verificationToken: { type: 'string', required: true, readOnly: true },
      /** How control was proven: the TXT record, or the tenant's custom domain of the same name. */
      verifiedBy: { type: ['dns', 'customDomain'] as const },
      verifiedAt: { type: 'string' },
      lastCheckedAt: { type: 'string' },
      /** The TXT values the last check found at the challenge name, and whether the lookup failed. */
      found: { type: 'list', items: { type: 'string' } },
      lookupError: { type: 'string' },
      createdBy: { type: 'string', required: true, readOnly: true },
      ...RECORD_TIMESTAMPS,
    },
    indexes: {
      byTenant: {
        pk: TENANT_PARTITION_KEY,
        sk: { field: 'sk', composite: ['domain'], template: 'SSODOMAIN#${domain}', casing: 'none' },
      },
    },
  },
  { table: TABLE_NAME, client: tenantDocumentClient },
);

export type SsoDomainItem = EntityItem<typeof SsoDomainEntity>;
