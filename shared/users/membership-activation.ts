import { runAt } from '../context/tenant-context';
import { forgetMembership, forgetTenant } from '../data/cached-records';
import { platformDocumentClient } from '../data/clients';
import type { MembershipItem } from '../data/entities/membership';
import { writeTransaction } from '../data/transactions';
import { ConflictError } from '../errors';
import { activeOwnerChange, ensureActiveOwnerCount } from './owner-count';

/**
 * The first authenticated request of an invited user makes the membership active; an owner then
 * counts as an active owner, in the same transaction. Runs before any tenant context exists, hence
 * the platform client. Returns false when another request activated it first. One transaction: a
 * tenant made before it counted its owners has them counted first (`ensureActiveOwnerCount`) only
 * when the transaction finds no count.
 */
export async function activateInvitedMembership(
  membership: MembershipItem,
  now = new Date(),
): Promise<boolean> {
  const { tenantId, userId } = membership;
  const owner = membership.role === 'owner';
  const uncounted = new ConflictError('The tenant does not count its active owners yet.');
  const activate = () =>
    runAt(now, () =>
      writeTransaction(
        platformDocumentClient,
        (entities) => ({
          membership: entities.membership
            .patch({ tenantId, userId })
            .set({ status: 'active' })
            .where((attr, op) => op.eq(attr.status, 'invited'))
            .commit(),
          ...(owner ? { owners: activeOwnerChange(entities.tenant, tenantId, 1) } : {}),
        }),
        { owners: () => uncounted },
      ),
    );
  try {
    await activate().catch(async (error: unknown) => {
      if (error !== uncounted) throw error;
      await ensureActiveOwnerCount(tenantId, platformDocumentClient);
      await activate();
    });
  } catch (error) {
    if (error instanceof ConflictError) return false;
    throw error;
  }
  forgetMembership(tenantId, userId);
  if (owner) forgetTenant(tenantId);
  return true;
}
