import { Entity, type EntityItem } from '../electrodb-entity';
import { TENANT_ID_ATTRIBUTE } from './record-attributes';
import { TENANT_PARTITION_KEY } from '../table-definition';
import { TABLE_NAME, tenantDocumentClient } from '../clients';

/**
 * A closed billing period of a tenant: the month's use of each periodic resource, the limits it ran
 * under, the overage past them and what it costs, and which overage went to Stripe (as meter events).
 * Written once per (tenant, period) with `attribute_not_exists`.
 */
export const BillingPeriodEntity = new Entity(
  {
    model: { entity: 'billingPeriod', version: '1', service: 'tenantry' },
    attributes: {
      ...TENANT_ID_ATTRIBUTE,
      period: { type: 'string', required: true, readOnly: true },
      plan: { type: 'string', required: true, readOnly: true },
      usage: { type: 'any', required: true, readOnly: true },
      limits: { type: 'any', required: true, readOnly: true },
      overage: { type: 'any', required: true, readOnly: true },
      /** What the overage costs, per resource, at the plan's overage prices. */
      amounts: { type: 'any', readOnly: true },
      /** What serving the tenant cost in DynamoDB that month, beside what its plan charges. */
      servingCost: { type: 'any', readOnly: true },
      /** The partner that paid for the tenant that month: its plan and overage went on the partner's invoice. */
      billedTo: { type: 'string', readOnly: true },
      /** The overage reported to Stripe: per resource, the meter event's identifier and when. */
      reported: { type: 'any' },
      closedAt: { type: 'string', required: true, readOnly: true },
    },
    indexes: {
      byTenant: {
        pk: TENANT_PARTITION_KEY,
        sk: { field: 'sk', composite: ['period'], template: 'BILL#${period}', casing: 'none' },
      },
    },
  },
  { table: TABLE_NAME, client: tenantDocumentClient },
);

export type BillingPeriodItem = EntityItem<typeof BillingPeriodEntity>;
