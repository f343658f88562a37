import { Entity, type EntityItem } from '../electrodb-entity';
import { TENANT_ID_ATTRIBUTE, RECORD_TIMESTAMPS } from './record-attributes';
import { TENANT_PARTITION_KEY } from '../table-definition';
import { TABLE_NAME, tenantDocumentClient } from '../clients';
import { DELEGATED_ROLES, DELEGATION_STATES } from '../../model/delegations';

/**
 * A partner's access to a tenant below it, kept twice in one transaction: `granted` in the child's
 * partition (what admission reads, under the partner's id) and `held` in the partner's (under the
 * child's id), so each side reads and lists it in its own. One per partner and child: a new request
 * replaces an ended one.
 */
export const DelegationEntity = new Entity(
  {
    model: { entity: 'delegation', version: '1', service: 'tenantry' },
    attributes: {
      ...TENANT_ID_ATTRIBUTE,
      /** `granted` in the child's partition, `held` in the partner's. */
      side: { type: ['granted', 'held'] as const, required: true, readOnly: true },
      /** The other tenant: the partner on the granted side, the child on the held side. */
      counterpartId: { type: 'string', required: true, readOnly: true },
      delegationId: { type: 'string', required: true },
      partnerId: { type: 'string', required: true },
      childId: { type: 'string', required: true },
      /** Names for the lists, as they were at the request. */
      partnerName: { type: 'string', required: true },
      childName: { type: 'string', required: true },
      role: { type: DELEGATED_ROLES, required: true },
      /** How long the delegation lasts once approved. */
      durationDays: { type: 'number', required: true },
      reason: { type: 'string' },
      status: { type: DELEGATION_STATES, required: true },
      requestedBy: { type: 'string', required: true },
      requestedByEmail: { type: 'string' },
      requestedAt: { type: 'string', required: true },
      approvedBy: { type: 'string' },
      approvedAt: { type: 'string' },
      expiresAt: { type: 'string' },
      endedBy: { type: 'string' },
      endedAt: { type: 'string' },
      ...RECORD_TIMESTAMPS,
    },
    indexes: {
      byTenant: {
        pk: TENANT_PARTITION_KEY,
        sk: {
          field: 'sk',
          composite: ['side', 'counterpartId'],
          template: 'DELEGATION#${side}#${counterpartId}',
          casing: 'none',
        },
      },
    },
  },
  { table: TABLE_NAME, client: tenantDocumentClient },
);

export type DelegationItem = EntityItem<typeof DelegationEntity>;
