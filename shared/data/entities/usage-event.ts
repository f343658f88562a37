import { Entity, type EntityItem } from '../electrodb-entity';
import { TENANT_ID_ATTRIBUTE } from './record-attributes';
import { TENANT_PARTITION_KEY } from '../table-definition';
import { TABLE_NAME, tenantDocumentClient } from '../clients';

/**
 * One record of usage a platform service made through the usage API (`POST …/usage`): who recorded
 * how much of which metered resource, when, and why. Written in the same transaction as the receipt
 * of the quota take that admitted it (`quotas/quota-takes.ts`) and the request's Idempotency-Key
 * record, so it exists exactly when its units count. Keys sort by ULID (newest first in a reverse
 * query); kept for the plan's retention by the daily data-retention job (no TTL).
 */
export const UsageEventEntity = new Entity(
  {
    model: { entity: 'usageEvent', version: '1', service: 'tenantry' },
    attributes: {
      ...TENANT_ID_ATTRIBUTE,
      usageEventId: { type: 'string', required: true, readOnly: true },
      resource: { type: 'string', required: true, readOnly: true },
      amount: { type: 'number', required: true, readOnly: true },
      description: { type: 'string', required: true, readOnly: true },
      /** The month it counts in, `YYYY-MM`. */
      period: { type: 'string', required: true, readOnly: true },
      /** The take that admitted it, and whose counter it went on (a partner's, for a pool). */
      takeId: { type: 'string', required: true, readOnly: true },
      countedIn: { type: 'string', readOnly: true },
      /** Past the limit (within the grace or the policy's allowance): billed as overage. */
      overage: { type: 'number', readOnly: true },
      recordedByType: { type: ['user', 'apiKey'] as const, required: true, readOnly: true },
      recordedBy: { type: 'string', required: true, readOnly: true },
      idempotencyKey: { type: 'string', required: true, readOnly: true },
      requestId: { type: 'string', readOnly: true },
      recordedAt: { type: 'string', required: true, readOnly: true },
    },
    indexes: {
      byTenant: {
        pk: TENANT_PARTITION_KEY,
        sk: { field: 'sk', composite: ['usageEventId'], template: 'USEVT#${usageEventId}', casing: 'none' },
      },
    },
  },
  { table: TABLE_NAME, client: tenantDocumentClient },
);

export type UsageEventItem = EntityItem<typeof UsageEventEntity>;
