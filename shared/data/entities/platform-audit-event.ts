import { Entity, type EntityItem } from '../electrodb-entity';
import { TABLE_NAME, platformDocumentClient } from '../clients';

/**
 * An act on the platform itself (a platform admin granted or revoked), kept apart from every
 * tenant's log. Platform-level: only the platform client touches it.
 */
export const PlatformAuditEventEntity = new Entity(
  {
    model: { entity: 'platformAuditEvent', version: '1', service: 'tenantry' },
    attributes: {
      auditId: { type: 'string', required: true, readOnly: true },
      action: { type: 'string', required: true, readOnly: true },
      actorId: { type: 'string', required: true, readOnly: true },
      targetType: { type: 'string', required: true, readOnly: true },
      targetId: { type: 'string', required: true, readOnly: true },
      /** The acting admin's email, when known. */
      actorEmail: { type: 'string', readOnly: true },
      /** The email of the person acted on, when known. */
      targetEmail: { type: 'string', readOnly: true },
      sourceIp: { type: 'string', readOnly: true },
      userAgent: { type: 'string', readOnly: true },
      requestId: { type: 'string', readOnly: true },
      occurredAt: { type: 'string', required: true, readOnly: true },
    },
    indexes: {
      byTime: {
        pk: { field: 'pk', composite: [], template: 'PLATFORM#AUDIT', casing: 'none' },
        sk: { field: 'sk', composite: ['auditId'], template: 'AUDIT#${auditId}', casing: 'none' },
      },
    },
  },
  { table: TABLE_NAME, client: platformDocumentClient },
);

export type PlatformAuditEventItem = EntityItem<typeof PlatformAuditEventEntity>;
