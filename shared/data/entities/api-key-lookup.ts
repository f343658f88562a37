import { Entity, type EntityItem } from '../electrodb-entity';
import { API_KEY_LOOKUP_KEY_PREFIX, API_KEY_LOOKUP_SORT_KEY } from '../table-definition';
import { TABLE_NAME, platformDocumentClient } from '../clients';

/**
 * The platform lookup item that finds an API key by the SHA-256 of its secret: what the authorizer
 * reads (and all it may read, by IAM). Written and deleted in the same transaction as the key's
 * tenant item; `expiresAt` (epoch seconds) lets DynamoDB's TTL remove it after the key expires.
 */
export const ApiKeyLookupEntity = new Entity(
  {
    model: { entity: 'apiKeyLookup', version: '1', service: 'tenantry' },
    attributes: {
      secretHash: { type: 'string', required: true, readOnly: true },
      tenantId: { type: 'string', required: true, readOnly: true },
      keyId: { type: 'string', required: true, readOnly: true },
      validUntil: { type: 'string', readOnly: true },
      expiresAt: { type: 'number', readOnly: true },
    },
    indexes: {
      byHash: {
        pk: {
          field: 'pk',
          composite: ['secretHash'],
          template: `${API_KEY_LOOKUP_KEY_PREFIX}\${secretHash}`,
          casing: 'none',
        },
        sk: { field: 'sk', composite: [], template: API_KEY_LOOKUP_SORT_KEY, casing: 'none' },
      },
    },
  },
  { table: TABLE_NAME, client: platformDocumentClient },
);

export type ApiKeyLookupItem = EntityItem<typeof ApiKeyLookupEntity>;
