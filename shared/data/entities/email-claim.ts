import { Entity, type EntityItem } from '../electrodb-entity';
import { CREATED_AT_ATTRIBUTE } from './record-attributes';
import { TABLE_NAME, platformDocumentClient } from '../clients';

/**
 * One directory person per email address (platform-level, `EMAIL#<normalized email>`): claimed with
 * `attribute_not_exists` before the sign-in is created, so racing invitations and signups for one
 * new address agree on one `usr_` id and never create, or delete, a sign-in twice. Never deleted: a
 * membership anywhere may point at the person it names.
 */
export const EmailClaimEntity = new Entity(
  {
    model: { entity: 'emailClaim', version: '1', service: 'tenantry' },
    attributes: {
      email: { type: 'string', required: true, readOnly: true },
      userId: { type: 'string', required: true, readOnly: true },
      ...CREATED_AT_ATTRIBUTE,
    },
    indexes: {
      byEmail: {
        pk: { field: 'pk', composite: ['email'], template: 'EMAIL#${email}', casing: 'none' },
        sk: { field: 'sk', composite: [], template: 'EMAIL', casing: 'none' },
      },
    },
  },
  { table: TABLE_NAME, client: platformDocumentClient },
);

export type EmailClaimItem = EntityItem<typeof EmailClaimEntity>;
