import { Entity, type EntityItem } from '../electrodb-entity';
import { TENANT_ID_ATTRIBUTE, UPDATED_AT_ATTRIBUTE } from './record-attributes';
import { SECRET_NAMES } from '../../model/secret-names';
import { SEALED_VALUE_ATTRIBUTES } from './sealed-attributes';
import { TENANT_PARTITION_KEY } from '../table-definition';
import { TABLE_NAME, tenantDocumentClient } from '../clients';

/**
 * A tenant's secret setting, envelope-encrypted: the value under a data key (AES-256-GCM), the
 * data key under the key-encryption key (KMS in AWS, a local key in the twin). Only ciphertext is
 * stored; the API never returns the value.
 */
export const SecretSettingEntity = new Entity(
  {
    model: { entity: 'secretSetting', version: '1', service: 'tenantry' },
    attributes: {
      ...TENANT_ID_ATTRIBUTE,
      name: { type: SECRET_NAMES, required: true, readOnly: true },
      ...SEALED_VALUE_ATTRIBUTES,
      updatedBy: { type: 'string', required: true },
      ...UPDATED_AT_ATTRIBUTE,
    },
    indexes: {
      byTenant: {
        pk: TENANT_PARTITION_KEY,
        sk: { field: 'sk', composite: ['name'], template: 'SECRET#${name}', casing: 'none' },
      },
    },
  },
  { table: TABLE_NAME, client: tenantDocumentClient },
);

export type SecretSettingItem = EntityItem<typeof SecretSettingEntity>;
