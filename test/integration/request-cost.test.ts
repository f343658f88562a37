import { describe, expect, it } from 'vitest';
import { platformDocumentClient } from '../../shared/data/clients';
import { TenantEntity } from '../../shared/data/entities/tenant';
import { withRequestCost } from '../../shared/observability/request-cost';
import { createTenant } from '../helpers/twin-api';

describe('the cost of a request in DynamoDB', () => {
  it('adds up the calls and the capacity units DynamoDB reports, reads and writes apart', async () => {
    const tenant = await createTenant();
    const { cost } = await withRequestCost(async () => {
      await TenantEntity.get({ tenantId: tenant.id }).go({
        client: platformDocumentClient,
        consistent: true,
      });
      await TenantEntity.get({ tenantId: tenant.id }).go({ client: platformDocumentClient });
    });
    expect(cost.calls).toBe(2);
    expect(cost.commands).toEqual(['GetItem', 'GetItem']);
    // A consistent read of a small item is 1 unit, an eventually consistent one half of that.
    expect(cost.readUnits).toBe(1.5);
    expect(cost.writeUnits).toBe(0);
  });

  it('counts a refused conditional write too (DynamoDB charges for it, at least one unit)', async () => {
    const tenant = await createTenant();
    const { cost } = await withRequestCost(async () => {
      await expect(
        TenantEntity.patch({ tenantId: tenant.id })
          .set({ name: 'x' })
          .where((attr, op) => op.eq(attr.updatedAt, 'never'))
          .go({ client: platformDocumentClient }),
      ).rejects.toThrow();
    });
    expect(cost).toMatchObject({ calls: 1, commands: ['UpdateItem'] });
    expect(cost.writeUnits).toBe(1);
  });

  it('records nothing outside a request', async () => {
    const tenant = await createTenant();
    const outside = await TenantEntity.get({ tenantId: tenant.id }).go({ client: platformDocumentClient });
    expect(outside.data?.tenantId).toBe(tenant.id);
  });
});
