import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { isConditionalFailure } from '../data/dynamo-errors';
import { MembershipEntity } from '../data/entities/membership';
import { TenantEntity } from '../data/entities/tenant';
import type { TransactionEntities } from '../data/service';

/**
 * Makes sure the tenant carries `activeOwnerCount`: a tenant made before it existed has its active
 * owners counted once, and the count is set only if still absent. Every change of the count
 * requires it to exist, so nothing can change it between this count and its first write.
 */
export async function ensureActiveOwnerCount(
  tenantId: string,
  client: DynamoDBDocumentClient,
): Promise<void> {
  const tenant = await TenantEntity.get({ tenantId }).go({ client, consistent: true });
  if (!tenant.data || tenant.data.activeOwnerCount !== undefined) return;
  const owners = await MembershipEntity.query
    .byTenant({ tenantId })
    .where((attr, op) => `${op.eq(attr.role, 'owner')} AND ${op.eq(attr.status, 'active')}`)
    .go({ client, pages: 'all', consistent: true });
  try {
    await TenantEntity.patch({ tenantId })
      .set({ activeOwnerCount: owners.data.length })
      .where((attr, op) => op.notExists(attr.activeOwnerCount))
      .go({ client, response: 'none' });
  } catch (error) {
    if (!isConditionalFailure(error)) throw error;
  }
}

/**
 * The transaction item that moves the active-owner count with an owner membership. Taking one away
 * is conditional on another active owner remaining, which is what keeps the last owner.
 */
export function activeOwnerChange(tenant: TransactionEntities['tenant'], tenantId: string, delta: 1 | -1) {
  return delta > 0
    ? tenant
        .patch({ tenantId })
        .add({ activeOwnerCount: 1 })
        .where((attr, op) => op.exists(attr.activeOwnerCount))
        .commit()
    : tenant
        .patch({ tenantId })
        .subtract({ activeOwnerCount: 1 })
        .where((attr, op) => op.gt(attr.activeOwnerCount, 1))
        .commit();
}
