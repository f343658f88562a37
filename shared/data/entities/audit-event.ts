import { Entity, type EntityItem } from '../electrodb-entity';
import { TENANT_ID_ATTRIBUTE } from './record-attributes';
import { TENANT_PARTITION_KEY } from '../table-definition';
import { TABLE_NAME, tenantDocumentClient } from '../clients';

/**
 * One audited act in a tenant. Keys sort by ULID, so a reverse query is newest first. Written in
 * the same transaction as the change it records wherever the change is a DynamoDB write, and kept
 * for the plan's retention by the daily data-retention job (no TTL: a suspended tenant's are kept).
 */
export const AuditEventEntity = new Entity(
  {
    model: { entity: 'auditEvent', version: '1', service: 'tenantry' },
    attributes: {
      ...TENANT_ID_ATTRIBUTE,
      auditId: { type: 'string', required: true, readOnly: true },
      action: { type: 'string', required: true, readOnly: true },
      actorType: { type: ['user', 'apiKey', 'system'] as const, required: true, readOnly: true },
      actorId: { type: 'string', required: true, readOnly: true },
      actorTenantId: { type: 'string', readOnly: true },
      actorIsPlatformAdmin: { type: 'boolean', readOnly: true },
      /** A person's email when they acted (events from before it was kept have none). */
      actorEmail: { type: 'string', readOnly: true },
      /** A partner's person acting through a delegation: the partner they acted for, and the delegation. */
      actorActingFor: { type: 'string', readOnly: true },
      actorDelegationId: { type: 'string', readOnly: true },
      targetType: { type: 'string', required: true, readOnly: true },
      targetId: { type: 'string', required: true, readOnly: true },
      before: { type: 'any', readOnly: true },
      after: { type: 'any', readOnly: true },
      sourceIp: { type: 'string', readOnly: true },
      userAgent: { type: 'string', readOnly: true },
      requestId: { type: 'string', readOnly: true },
      occurredAt: { type: 'string', required: true, readOnly: true },
    },
    indexes: {
      byTenant: {
        pk: TENANT_PARTITION_KEY,
        sk: { field: 'sk', composite: ['auditId'], template: 'AUDIT#${auditId}', casing: 'none' },
      },
    },
  },
  { table: TABLE_NAME, client: tenantDocumentClient },
);

export type AuditEventItem = EntityItem<typeof AuditEventEntity>;
