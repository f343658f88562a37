import type { UserPrincipal } from '../../context/tenant-context';
import { loadGrantedDelegations, loadMembership } from '../../data/cached-records';
import type { DelegationItem } from '../../data/entities/delegation';
import type { MembershipItem } from '../../data/entities/membership';
import { ForbiddenError } from '../../errors';
import { delegatedRole, roleRank, type Role } from '../../model/roles';
import { delegationStatus } from '../../model/delegations';
import { isSignedOutOfTenant } from '../../users/sessions';

/** A partner's person acting in a tenant below it, through the delegation the tenant's owner approved. */
export interface DelegatedGrant {
  kind: 'delegation';
  delegation: DelegationItem;
  /** The person's membership of the partner: what they act for, and the ceiling of their role. */
  partnerMembership: MembershipItem;
  /** The lower of the delegation's role and the person's own role in the partner. */
  role: Role;
}

/**
 * The grant of a person who is no member of `tenantId`, through a delegation: the tenant granted one
 * to a partner the person is an active member of (and not signed out of), and it is in force at the
 * request's time; the person acts under the lower of its role and their own in the partner, the
 * highest such where several partners hold one. A session from a partner's identity provider acts
 * only for that partner. `undefined` when the person is of no partner the tenant granted a
 * delegation to (the caller answers as for anyone not of the tenant); 403 `delegation_inactive` when
 * they are, and no delegation of theirs is in force (pending, expired, ended), for the console to
 * say why.
 */
export async function delegatedGrant(
  principal: UserPrincipal,
  tenantId: string,
  now: Date,
): Promise<DelegatedGrant | undefined> {
  const granted = (await loadGrantedDelegations(tenantId)).filter(
    (delegation) => principal.ssoTenantId === undefined || delegation.partnerId === principal.ssoTenantId,
  );
  if (granted.length === 0) return undefined;
  const memberships = await Promise.all(
    granted.map((delegation) => loadMembership(delegation.partnerId, principal.userId)),
  );
  const ofPerson = granted.flatMap((delegation, index) => {
    const membership = memberships[index];
    return membership &&
      membership.status === 'active' &&
      !isSignedOutOfTenant(membership, principal.signedInAt)
      ? [{ delegation, membership }]
      : [];
  });
  if (ofPerson.length === 0) return undefined;
  const inForce = ofPerson
    .filter(({ delegation }) => delegationStatus(delegation, now) === 'active')
    .map(({ delegation, membership }) => ({
      kind: 'delegation' as const,
      delegation,
      partnerMembership: membership,
      role: delegatedRole(delegation.role, membership.role),
    }))
    .sort((a, b) => roleRank(b.role) - roleRank(a.role));
  const best = inForce[0];
  if (best) return best;
  const [first] = ofPerson;
  throw new ForbiddenError(
    'Your partner’s delegation to this tenant is not in force.',
    'delegation_inactive',
    {
      partnerId: first!.delegation.partnerId,
      delegationStatus: delegationStatus(first!.delegation, now),
    },
  );
}
