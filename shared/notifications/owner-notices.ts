import { MembershipEntity } from '../data/entities/membership';

/**
 * The tenant's owners' addresses: the active ones, or with `invited` those whose invitation is
 * pending too (never a disabled one). In the tenant's context.
 */
export async function ownerEmails(tenantId: string, options: { invited?: boolean } = {}): Promise<string[]> {
  const members = await MembershipEntity.query
    .byTenant({ tenantId })
    .where((attr, op) =>
      options.invited
        ? `${op.eq(attr.role, 'owner')} AND ${op.ne(attr.status, 'disabled')}`
        : `${op.eq(attr.role, 'owner')} AND ${op.eq(attr.status, 'active')}`,
    )
    .go({ pages: 'all', attributes: ['email'] });
  return members.data.map((member) => member.email);
}
