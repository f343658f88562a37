import { MembershipEntity } from '../data/entities/membership';

/** The tenant's owners' addresses, active or invited (not disabled). In the tenant's context. */
export async function ownerEmails(tenantId: string): Promise<string[]> {
  const members = await MembershipEntity.query
    .byTenant({ tenantId })
    .where((attr, op) => `${op.eq(attr.role, 'owner')} AND ${op.ne(attr.status, 'disabled')}`)
    .go({ pages: 'all', attributes: ['email'] });
  return members.data.map((member) => member.email);
}

/** The tenant's active owners' addresses (pending invitations are not told). In the tenant's context. */
export async function activeOwnerEmails(tenantId: string): Promise<string[]> {
  const members = await MembershipEntity.query
    .byTenant({ tenantId })
    .where((attr, op) => `${op.eq(attr.role, 'owner')} AND ${op.eq(attr.status, 'active')}`)
    .go({ pages: 'all', attributes: ['email'] });
  return members.data.map((member) => member.email);
}
