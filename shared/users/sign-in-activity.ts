import { writeAudited } from '../audit/audited-transaction';
import type { TenantContext } from '../context/tenant-context';
import { forgetMembership } from '../data/cached-records';
import { platformDocumentClient } from '../data/clients';
import type { MembershipItem } from '../data/entities/membership';
import { ConflictError } from '../errors';

/** Whether the token's sign-in is newer than the last one the membership recorded. */
export function isNewSignIn(membership: Pick<MembershipItem, 'lastSignInAt'>, signedInAt: string): boolean {
  return !membership.lastSignInAt || membership.lastSignInAt < signedInAt;
}

/**
 * A member's sign-in, recorded at its first request to the tenant: the membership's last sign-in
 * and count move, audited (`user.signed_in`, by the person), in one transaction conditioned on the
 * sign-in being newer than the one stored, so requests racing with the same token record it once
 * and an older token's request never moves it back. Refreshed tokens keep their `auth_time`: a
 * session is one sign-in however long it lasts. Through the platform client, as admission runs it.
 */
export async function recordSignIn(
  ctx: TenantContext,
  membership: MembershipItem,
  signedInAt: string,
): Promise<boolean> {
  const { tenantId, userId } = membership;
  try {
    await writeAudited(
      ctx,
      {
        action: 'user.signed_in',
        targetType: 'user',
        targetId: userId,
        after: { signedInAt },
      },
      (entities) => ({
        membership: entities.membership
          .update({ tenantId, userId })
          .set({ lastSignInAt: signedInAt })
          .add({ signInCount: 1 })
          .where(
            (attr, op) =>
              `${op.exists(attr.userId)} AND (${op.notExists(attr.lastSignInAt)} OR ${op.lt(attr.lastSignInAt, signedInAt)})`,
          )
          .commit(),
      }),
      { client: platformDocumentClient },
    );
  } catch (error) {
    // Another request recorded this sign-in (or a newer one) first.
    if (error instanceof ConflictError) return false;
    throw error;
  } finally {
    forgetMembership(tenantId, userId);
  }
  return true;
}
