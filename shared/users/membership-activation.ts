import { writeAudited } from '../audit/audited-transaction';
import type { TenantContext } from '../context/tenant-context';
import { forgetMembership, forgetTenant } from '../data/cached-records';
import { platformDocumentClient } from '../data/clients';
import type { MembershipItem } from '../data/entities/membership';
import { ConflictError } from '../errors';
import { activeOwnerChange, ensureActiveOwnerCount } from './owner-count';

/**
 * The first authenticated request of an invited user makes the membership active; an owner then
 * counts as an active owner; and the acceptance is audited (`user.invitation_accepted`, by the
 * person), all in one transaction, at the request's time. Through the platform client: admission
 * runs it, not the operation. Returns false when another request activated it first (and so
 * audited it: once). A tenant made before it counted its owners has them counted first
 * (`ensureActiveOwnerCount`) only when the transaction finds no count.
 */
export async function activateInvitedMembership(
  ctx: TenantContext,
  membership: MembershipItem,
): Promise<boolean> {
  const { tenantId, userId } = membership;
  const owner = membership.role === 'owner';
  const uncounted = new ConflictError('The tenant does not count its active owners yet.');
  const activate = () =>
    writeAudited(
      ctx,
      {
        action: 'user.invitation_accepted',
        targetType: 'user',
        targetId: userId,
        after: { role: membership.role },
      },
      (entities) => ({
        membership: entities.membership
          .patch({ tenantId, userId })
          .set({ status: 'active' })
          .where((attr, op) => op.eq(attr.status, 'invited'))
          .commit(),
        ...(owner ? { owners: activeOwnerChange(entities.tenant, tenantId, 1) } : {}),
      }),
      { rejections: { owners: () => uncounted }, client: platformDocumentClient },
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
