import { Entity } from '../electrodb-entity';
import { TENANT_ID_ATTRIBUTE } from './record-attributes';
import { TENANT_PARTITION_KEY } from '../table-definition';
import { TABLE_NAME, tenantDocumentClient } from '../clients';

/**
 * The first outcome of a POST sent with an `Idempotency-Key`, kept (TTL) so a retry gets the same
 * answer instead of doing the work twice. Scoped to the tenant and the caller.
 */
export const IdempotencyRecordEntity = new Entity(
  {
    model: { entity: 'idempotencyRecord', version: '1', service: 'tenantry' },
    attributes: {
      ...TENANT_ID_ATTRIBUTE,
      scopeKey: { type: 'string', required: true, readOnly: true },
      requestHash: { type: 'string', required: true, readOnly: true },
      /**
       * `in_progress` while the first request runs and has changed nothing; `committed` once its
       * effect's first write committed (in the same transaction), with no answer stored yet;
       * `completed` with its answer.
       */
      status: { type: ['in_progress', 'committed', 'completed'] as const, required: true },
      /** The token of the request that holds the key; only it may commit or complete the record. */
      claimToken: { type: 'string' },
      response: { type: 'any' },
      expiresAt: { type: 'number', required: true },
      /** Until when an in-progress record holds its key (a crashed request frees it then). */
      lockedUntil: { type: 'number' },
    },
    indexes: {
      byTenant: {
        pk: TENANT_PARTITION_KEY,
        sk: { field: 'sk', composite: ['scopeKey'], template: 'IDEMP#${scopeKey}', casing: 'none' },
      },
    },
  },
  { table: TABLE_NAME, client: tenantDocumentClient },
);
