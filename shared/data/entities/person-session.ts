import { Entity, type EntityItem } from '../electrodb-entity';
import { TABLE_NAME, platformDocumentClient } from '../clients';

/**
 * A person's sign-in, as the API saw it used (platform-level, `PERSON#<userId>` / `SESSION#<signedInAt>`):
 * one per sign-in (the token's `auth_time`; refreshed tokens keep it), with the browser and address
 * it was first used from, the tenants it reached and when it was last seen there. Expires with the
 * refresh token's life.
 */
export const PersonSessionEntity = new Entity(
  {
    model: { entity: 'personSession', version: '1', service: 'tenantry' },
    attributes: {
      userId: { type: 'string', required: true, readOnly: true },
      /** The sign-in's time (ISO), from the token's `auth_time`. */
      signedInAt: { type: 'string', required: true, readOnly: true },
      /** How: through a tenant's identity provider (`sso`) or with a password. */
      via: { type: ['password', 'sso'] as const, required: true },
      userAgent: { type: 'string' },
      sourceIp: { type: 'string' },
      tenants: { type: 'set', items: 'string' },
      lastSeenAt: { type: 'string', required: true },
      /** DynamoDB TTL (epoch seconds). */
      expiresAt: { type: 'number', required: true },
    },
    indexes: {
      byPerson: {
        pk: { field: 'pk', composite: ['userId'], template: 'PERSON#${userId}', casing: 'none' },
        sk: { field: 'sk', composite: ['signedInAt'], template: 'SESSION#${signedInAt}', casing: 'none' },
      },
    },
  },
  { table: TABLE_NAME, client: platformDocumentClient },
);

export type PersonSessionItem = EntityItem<typeof PersonSessionEntity>;

/**
 * What a person has signed out (`PERSON#<userId>` / `SIGNOUT`): every sign-in up to `revokedBefore`
 * (sign out everywhere), and single sign-ins by their time. The API refuses a token of a sign-in
 * named here, whatever the token's own expiry.
 */
export const PersonSignOutEntity = new Entity(
  {
    model: { entity: 'personSignOut', version: '1', service: 'tenantry' },
    attributes: {
      userId: { type: 'string', required: true, readOnly: true },
      revokedBefore: { type: 'string' },
      revokedSignIns: { type: 'set', items: 'string' },
    },
    indexes: {
      byPerson: {
        pk: { field: 'pk', composite: ['userId'], template: 'PERSON#${userId}', casing: 'none' },
        sk: { field: 'sk', composite: [], template: 'SIGNOUT', casing: 'none' },
      },
    },
  },
  { table: TABLE_NAME, client: platformDocumentClient },
);

export type PersonSignOutItem = EntityItem<typeof PersonSignOutEntity>;
