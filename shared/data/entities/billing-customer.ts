import { Entity, type EntityItem } from '../electrodb-entity';
import { CREATED_AT_ATTRIBUTE } from './record-attributes';
import { TABLE_NAME, platformDocumentClient } from '../clients';

/** Finds the tenant of a Stripe customer (a webhook names the customer). Platform-level lookup. */
export const BillingCustomerEntity = new Entity(
  {
    model: { entity: 'billingCustomer', version: '1', service: 'tenantry' },
    attributes: {
      customerId: { type: 'string', required: true, readOnly: true },
      tenantId: { type: 'string', required: true, readOnly: true },
      ...CREATED_AT_ATTRIBUTE,
    },
    indexes: {
      byCustomer: {
        pk: {
          field: 'pk',
          composite: ['customerId'],
          template: 'STRIPE#CUSTOMER#${customerId}',
          casing: 'none',
        },
        sk: { field: 'sk', composite: [], template: 'CUSTOMER', casing: 'none' },
      },
    },
  },
  { table: TABLE_NAME, client: platformDocumentClient },
);

export type BillingCustomerItem = EntityItem<typeof BillingCustomerEntity>;
