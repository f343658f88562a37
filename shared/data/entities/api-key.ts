import { Entity, type EntityItem } from '../electrodb-entity';
import { TENANT_ID_ATTRIBUTE, RECORD_TIMESTAMPS } from './record-attributes';
import { API_KEY_SCOPES, ROLES } from '../../model/roles';
import { TENANT_PARTITION_KEY } from '../table-definition';
import { TABLE_NAME, tenantDocumentClient } from '../clients';

/**
 * A tenant API key: a machine principal of the tenant. The secret itself is never stored, only its
 * SHA-256 (on the platform lookup item that finds the key by it). Counted against `apiKeys`.
 */
export const ApiKeyEntity = new Entity(
  {
    model: { entity: 'apiKey', version: '1', service: 'tenantry' },
    attributes: {
      ...TENANT_ID_ATTRIBUTE,
      keyId: { type: 'string', required: true, readOnly: true },
      name: { type: 'string', required: true },
      /** The permissions the key holds, chosen at creation among its creator's. */
      scopes: { type: 'set', items: API_KEY_SCOPES, required: true, readOnly: true },
      /** The project the key is limited to (its agents, their memory and runs); absent for the whole tenant. */
      projectId: { type: 'string', readOnly: true },
      /** Its creator's role at creation: the ceiling for roles it may grant or manage. */
      role: { type: ROLES, required: true, readOnly: true },
      /** The first characters of the secret, to recognise it in a list (never enough to use it). */
      hint: { type: 'string', required: true, readOnly: true },
      /** SHA-256 of the secret (hex): the lookup item's key, so revocation can delete it. */
      secretHash: { type: 'string', required: true, readOnly: true },
      status: { type: ['active', 'revoked'] as const, required: true },
      createdBy: { type: 'string', required: true, readOnly: true },
      ...RECORD_TIMESTAMPS,
      /** When the key stops working (ISO time); absent for a key that does not expire. */
      validUntil: { type: 'string', readOnly: true },
      /** Written at most once a minute. */
      lastUsedAt: { type: 'string' },
      revokedAt: { type: 'string' },
      revokedBy: { type: 'string' },
    },
    indexes: {
      byTenant: {
        pk: TENANT_PARTITION_KEY,
        sk: { field: 'sk', composite: ['keyId'], template: 'APIKEY#${keyId}', casing: 'none' },
      },
    },
  },
  { table: TABLE_NAME, client: tenantDocumentClient },
);

export type ApiKeyItem = EntityItem<typeof ApiKeyEntity>;
