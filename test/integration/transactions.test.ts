import { beforeAll, describe, expect, it } from 'vitest';
import { tenantDocumentClient } from '../../shared/data/clients';
import { QuotaCounterEntity, STANDING_PERIOD } from '../../shared/data/entities/quota-counter';
import { writeTransaction } from '../../shared/data/transactions';
import { ConflictError, ForbiddenError, NotFoundError } from '../../shared/errors';
import { runWithTenantContext } from '../../shared/context/tenant-context';
import { ownerContext } from '../helpers/tenant-context';
import { createTenant, type TestTenant } from '../helpers/twin-api';

const giveBack =
  (tenantId: string, amount: number) =>
  ({ quotaCounter }: Parameters<Parameters<typeof writeTransaction>[1]>[0]) =>
    quotaCounter
      .update({ tenantId, resource: 'agents', period: STANDING_PERIOD })
      .subtract({ used: amount })
      .set({ updatedAt: new Date().toISOString() })
      .where((attr, op) => op.gte(attr.used, amount))
      .commit();

async function agentsUsed(tenantId: string): Promise<number> {
  const ctx = ownerContext(tenantId, 'usr_x', 'professional');
  const result = await runWithTenantContext(ctx, () =>
    QuotaCounterEntity.get({ tenantId, resource: 'agents', period: STANDING_PERIOD }).go({
      consistent: true,
    }),
  );
  return result.data?.used ?? 0;
}

/** Transactions go through ElectroDB on the client they name, and answer the rejection of the item that failed. */
describe('write transactions', () => {
  let a: TestTenant;
  let b: TestTenant;

  beforeAll(async () => {
    [a, b] = await Promise.all([createTenant(), createTenant()]);
  });

  it('answers the error named for the item whose condition failed', async () => {
    const ctx = ownerContext(a.id, a.owner.id, 'professional');
    const attempt = runWithTenantContext(ctx, () =>
      writeTransaction(tenantDocumentClient, (entities) => ({ quota: giveBack(a.id, 5)(entities) }), {
        quota: () => new NotFoundError('nothing to give back', 'agent_not_found'),
      }),
    );
    await expect(attempt).rejects.toMatchObject({ code: 'agent_not_found' });
  });

  it('answers a retryable conflict when the failed item has no named rejection', async () => {
    const ctx = ownerContext(a.id, a.owner.id, 'professional');
    const attempt = runWithTenantContext(ctx, () =>
      writeTransaction(tenantDocumentClient, (entities) => ({ quota: giveBack(a.id, 5)(entities) })),
    );
    await expect(attempt).rejects.toBeInstanceOf(ConflictError);
  });

  it('runs on the tenant-guarded client: an item of another tenant never leaves the process', async () => {
    const ctx = ownerContext(a.id, a.owner.id, 'professional');
    const before = await agentsUsed(b.id);
    const attempt = runWithTenantContext(ctx, () =>
      writeTransaction(tenantDocumentClient, ({ quotaCounter }) => ({
        foreign: quotaCounter
          .update({ tenantId: b.id, resource: 'agents', period: STANDING_PERIOD })
          .add({ used: 1 })
          .set({ updatedAt: new Date().toISOString() })
          .commit(),
      })),
    );
    await expect(attempt).rejects.toBeInstanceOf(ForbiddenError);
    await expect(attempt).rejects.toMatchObject({ code: 'tenant_isolation_violation' });
    expect(await agentsUsed(b.id)).toBe(before);
  });

  it('commits the same item for the tenant in scope (positive control)', async () => {
    const ctx = ownerContext(a.id, a.owner.id, 'professional');
    const before = await agentsUsed(a.id);
    await runWithTenantContext(ctx, () =>
      writeTransaction(tenantDocumentClient, ({ quotaCounter }) => ({
        own: quotaCounter
          .update({ tenantId: a.id, resource: 'agents', period: STANDING_PERIOD })
          .add({ used: 1 })
          .set({ updatedAt: new Date().toISOString() })
          .commit(),
      })),
    );
    expect(await agentsUsed(a.id)).toBe(before + 1);
  });
});
