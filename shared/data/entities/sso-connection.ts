import { Entity, type EntityItem } from '../electrodb-entity';
import { TENANT_ID_ATTRIBUTE, RECORD_TIMESTAMPS } from './record-attributes';
import { TENANT_PARTITION_KEY } from '../table-definition';
import { TABLE_NAME, tenantDocumentClient } from '../clients';
import { SSO_TYPES } from '../../model/sso';

/**
 * A tenant's identity provider (`SSO` under the tenant; one per tenant): what it is (OIDC or SAML), the
 * Cognito identity provider made from it (`providerName`), who signs in through it with which role.
 * The OIDC client secret is sealed as a secret setting is (envelope encryption, bound to the tenant);
 * Cognito holds its own copy, which is what signs people in.
 */
export const SsoConnectionEntity = new Entity(
  {
    model: { entity: 'ssoConnection', version: '1', service: 'tenantry' },
    attributes: {
      ...TENANT_ID_ATTRIBUTE,
      type: { type: SSO_TYPES, required: true },
      /** The Cognito identity provider's name (`ten-<ULID>`, from the tenant id: one per tenant). */
      providerName: { type: 'string', required: true, readOnly: true },
      enabled: { type: 'boolean', required: true },
      /** OIDC: issuer, client id, scopes and the endpoints discovery found when it was saved. */
      oidc: { type: 'any' },
      /** The OIDC client secret, sealed (`shared/secrets/envelope.ts`). */
      sealedClientSecret: { type: 'any' },
      /** SAML: entity id, sign-in URL, certificates, and the metadata URL or document it came from. */
      saml: { type: 'any' },
      /** The role a person gets at their first sign-in, unless a mapping rule says otherwise. */
      defaultRole: { type: ['admin', 'member', 'viewer'] as const, required: true },
      /** Role from a provider claim or group: `{ attribute, rules: [{ value, role }] }`, first match. */
      roleMapping: { type: 'any' },
      /** Moves by one at every write: what a write is conditioned on. */
      version: { type: 'number', required: true },
      createdBy: { type: 'string', required: true, readOnly: true },
      updatedBy: { type: 'string', required: true },
      ...RECORD_TIMESTAMPS,
    },
    indexes: {
      byTenant: {
        pk: TENANT_PARTITION_KEY,
        sk: { field: 'sk', composite: [], template: 'SSO', casing: 'none' },
      },
    },
  },
  { table: TABLE_NAME, client: tenantDocumentClient },
);

export type SsoConnectionItem = EntityItem<typeof SsoConnectionEntity>;
