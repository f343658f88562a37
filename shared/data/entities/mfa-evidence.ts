import { Entity, type EntityItem } from '../electrodb-entity';
import { MFA_EVIDENCE_KEY_PREFIX } from '../table-definition';
import { TABLE_NAME, platformDocumentClient } from '../clients';

/**
 * When the authorizer last saw a person without MFA enrolled (epoch seconds), or first saw them
 * enrolled if it never saw them without: a token whose authentication (`auth_time`) is not later
 * than that may have been issued before their enrolment, and does not count as signed in with MFA.
 * Platform-level, read and written by the authorizer alone.
 */
export const MfaEvidenceEntity = new Entity(
  {
    model: { entity: 'mfaEvidence', version: '1', service: 'tenantry' },
    attributes: {
      userId: { type: 'string', required: true, readOnly: true },
      lastSeenWithoutMfa: { type: 'number', required: true },
    },
    indexes: {
      byUser: {
        pk: {
          field: 'pk',
          composite: ['userId'],
          template: `${MFA_EVIDENCE_KEY_PREFIX}\${userId}`,
          casing: 'none',
        },
        sk: { field: 'sk', composite: [], template: 'MFA', casing: 'none' },
      },
    },
  },
  { table: TABLE_NAME, client: platformDocumentClient },
);

export type MfaEvidenceItem = EntityItem<typeof MfaEvidenceEntity>;
