import { Entity, type EntityItem } from '../electrodb-entity';
import { TENANT_ID_ATTRIBUTE, RECORD_TIMESTAMPS } from './record-attributes';
import { TENANT_PARTITION_KEY } from '../table-definition';
import { TABLE_NAME, tenantDocumentClient } from '../clients';
import { DOMAIN_STATES } from '../../model/domain-states';

/**
 * A tenant's custom domain (`DOMAIN#<host>` under the tenant): its state, the verification token (the
 * same across retries, so a record once added keeps proving), the last check's findings, and the
 * serving resource made for it. Which tenant a host names is the guard item `DOMAIN#<host>`
 * (domain-claim.ts), held only once the domain is verified.
 */
export const CustomDomainEntity = new Entity(
  {
    model: { entity: 'customDomain', version: '1', service: 'tenantry' },
    attributes: {
      ...TENANT_ID_ATTRIBUTE,
      /** ASCII, lower case, no trailing dot. */
      domain: { type: 'string', required: true, readOnly: true },
      state: { type: DOMAIN_STATES, required: true },
      verificationToken: { type: 'string', required: true, readOnly: true },
      /** The last check's findings (shared/custom-domains/domain-findings.ts), as checked. */
      findings: { type: 'any' },
      lastCheckedAt: { type: 'string' },
      verifiedAt: { type: 'string' },
      activeAt: { type: 'string' },
      /** When a re-check first missed the TXT record (at risk, then suspended, then released). */
      missingSince: { type: 'string' },
      /** The serving resource (a CloudFront distribution tenant's id in AWS). */
      servingId: { type: 'string' },
      /** Moves by one at every write: what a write is conditioned on. */
      version: { type: 'number', required: true },
      createdBy: { type: 'string', required: true, readOnly: true },
      ...RECORD_TIMESTAMPS,
    },
    indexes: {
      byTenant: {
        pk: TENANT_PARTITION_KEY,
        sk: { field: 'sk', composite: ['domain'], template: 'DOMAIN#${domain}', casing: 'none' },
      },
    },
  },
  { table: TABLE_NAME, client: tenantDocumentClient },
);

export type CustomDomainItem = EntityItem<typeof CustomDomainEntity>;
