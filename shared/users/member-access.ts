import type { TenantContext } from '../context/tenant-context';
import { MembershipEntity, type MembershipItem } from '../data/entities/membership';
import { ForbiddenError, NotFoundError } from '../errors';
import { roleRank, type Role } from '../model/roles';

/** The caller's rank: a platform admin outranks every role. */
function actorRank(ctx: TenantContext): number {
  return ctx.role === 'platform_admin' ? Number.POSITIVE_INFINITY : roleRank(ctx.role);
}

/** Nobody gives a role above their own. */
export function assertMayGrant(ctx: TenantContext, role: Role): void {
  if (roleRank(role) > actorRank(ctx)) {
    throw new ForbiddenError(`A ${ctx.role} cannot grant the ${role} role.`, 'role_above_own');
  }
}

/** Nobody changes, removes or signs out a member whose role is above their own. */
export function assertMayManage(ctx: TenantContext, target: MembershipItem): void {
  if (roleRank(target.role) > actorRank(ctx)) {
    throw new ForbiddenError(`A ${ctx.role} cannot change a ${target.role}.`, 'role_above_own');
  }
}

/** The tenant's member of this id (strongly consistent), or 404. */
export async function getMembership(ctx: TenantContext, userId: string): Promise<MembershipItem> {
  const result = await MembershipEntity.get({ tenantId: ctx.tenantId, userId }).go({ consistent: true });
  if (!result.data) throw new NotFoundError('No user with this id in the tenant.', 'user_not_found');
  return result.data;
}
