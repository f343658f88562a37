import { Entity, type EntityItem } from '../electrodb-entity';
import { TABLE_NAME, platformDocumentClient } from '../clients';

/**
 * A platform admin, recorded on the server: platform-admin power needs this record beside the
 * Cognito group claim, so removing it ends the power within the cache time whatever tokens say.
 * Platform-level (no tenant prefix): only the platform client touches it.
 */
export const PlatformAdminEntity = new Entity(
  {
    model: { entity: 'platformAdmin', version: '1', service: 'tenantry' },
    attributes: {
      userId: { type: 'string', required: true, readOnly: true },
      grantedBy: { type: 'string', required: true, readOnly: true },
      grantedAt: { type: 'string', required: true, readOnly: true },
      /** The admin's email (their Cognito username), when the grant knew it. */
      email: { type: 'string', readOnly: true },
      /** The granting admin's email, when known. */
      grantedByEmail: { type: 'string', readOnly: true },
    },
    indexes: {
      byUser: {
        pk: { field: 'pk', composite: [], template: 'PLATFORM#ADMINS', casing: 'none' },
        sk: { field: 'sk', composite: ['userId'], template: 'USER#${userId}', casing: 'none' },
      },
    },
  },
  { table: TABLE_NAME, client: platformDocumentClient },
);

export type PlatformAdminItem = EntityItem<typeof PlatformAdminEntity>;
