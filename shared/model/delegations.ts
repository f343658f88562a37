/** The roles a delegation may cap a partner's people at: never owner. */
export const DELEGATED_ROLES = ['admin', 'member', 'viewer'] as const;
export type DelegatedRole = (typeof DELEGATED_ROLES)[number];

/**
 * Where a delegation stands: asked for by the partner, approved by the child's owner, or ended
 * (declined by the child before approval, withdrawn by the partner before it, revoked by either
 * after). An approved delegation past its `expiresAt` has expired without a write.
 */
export const DELEGATION_STATES = ['pending', 'active', 'declined', 'withdrawn', 'revoked'] as const;
export type DelegationState = (typeof DELEGATION_STATES)[number];

/** The longest a delegation may last once approved: two years. */
export const MAX_DELEGATION_DAYS = 730;

/** Where a delegation stands as its reader sees it: an approved one past its end has `expired`. */
export type DelegationStatus = DelegationState | 'expired';

/** The status a delegation has at `now`. */
export function delegationStatus(
  item: { status: DelegationState; expiresAt?: string | undefined },
  now: Date,
): DelegationStatus {
  if (item.status === 'active' && (!item.expiresAt || Date.parse(item.expiresAt) <= now.getTime())) {
    return 'expired';
  }
  return item.status;
}
