import { Entity, type EntityItem } from '../electrodb-entity';
import { TENANT_ID_ATTRIBUTE, RECORD_TIMESTAMPS } from './record-attributes';
import { ROLES } from '../../model/roles';
import { MEMBERSHIP_STATUSES } from '../../model/membership-status';
import { TENANT_PARTITION_KEY } from '../table-definition';
import { TABLE_NAME, tenantDocumentClient } from '../clients';

/**
 * A user's place in a tenant: the role the API trusts (never the token's). gsi1 finds a user's
 * tenants by user id; it is a platform lookup (no tenant prefix) read only by the platform client.
 */
export const MembershipEntity = new Entity(
  {
    model: { entity: 'membership', version: '1', service: 'tenantry' },
    attributes: {
      ...TENANT_ID_ATTRIBUTE,
      userId: { type: 'string', required: true, readOnly: true },
      email: { type: 'string', required: true, readOnly: true },
      name: { type: 'string' },
      /** From the tenant's directory (SCIM): its own id for the person, and the parts of their name. */
      externalId: { type: 'string' },
      givenName: { type: 'string' },
      familyName: { type: 'string' },
      /** Who manages the membership: the directory (SCIM) once it has provisioned or claimed it. */
      managedBy: { type: ['scim'] as const },
      role: { type: ROLES, required: true },
      status: { type: MEMBERSHIP_STATUSES, required: true },
      /**
       * The Cognito user name, for AdminDisableUser and friends; changes only when a lost sign-in
       * is made again (resending the invitation). Empty for a person the tenant's directory
       * provisioned who has no sign-in yet: their first single sign-on fills it.
       */
      cognitoUsername: { type: 'string', required: true },
      invitedBy: { type: 'string' },
      /** When the invitation was last sent; it expires a configured number of days later. */
      invitedAt: { type: 'string' },
      /** The person's last sign-in that reached this tenant (the token's `auth_time`), and how many. */
      lastSignInAt: { type: 'string' },
      /** An admin signed the member out of the tenant: their sign-ins up to this time are refused here. */
      sessionsRevokedBefore: { type: 'string' },
      signInCount: { type: 'number' },
      ...RECORD_TIMESTAMPS,
    },
    indexes: {
      byTenant: {
        pk: TENANT_PARTITION_KEY,
        sk: { field: 'sk', composite: ['userId'], template: 'USER#${userId}', casing: 'none' },
      },
      byUser: {
        index: 'gsi1',
        pk: { field: 'gsi1pk', composite: ['userId'], template: 'USER#${userId}', casing: 'none' },
        sk: { field: 'gsi1sk', composite: ['tenantId'], template: 'TENANT#${tenantId}', casing: 'none' },
      },
    },
  },
  { table: TABLE_NAME, client: tenantDocumentClient },
);

export type MembershipItem = EntityItem<typeof MembershipEntity>;
