import { getConfig } from '../config';
import { MembershipEntity } from '../data/entities/membership';
import { logger } from '../observability/logger';
import type { TenantContext } from '../tenancy/context';
import { sendEmail } from './email';

export interface OwnerNotice {
  subject: string;
  /** The body's paragraphs; the tenant's name heads it and the console's address ends it. */
  paragraphs: string[];
}

/** The tenant's active owners' addresses (pending invitations are not told). */
export async function activeOwnerEmails(ctx: TenantContext): Promise<string[]> {
  const members = await MembershipEntity.query
    .byTenant({ tenantId: ctx.tenantId })
    .where((attr, op) => `${op.eq(attr.role, 'owner')} AND ${op.eq(attr.status, 'active')}`)
    .go({ pages: 'all', attributes: ['email'] });
  return members.data.map((member) => member.email);
}

/**
 * Emails a plain notice to each active owner of the tenant, branded with its name. Best effort: a
 * failed send is logged and the others go on (the change it tells of has happened either way).
 * Returns how many were sent.
 */
export async function emailOwners(
  ctx: TenantContext,
  tenantName: string,
  notice: OwnerNotice,
): Promise<number> {
  const consoleUrl = getConfig().email.consoleUrl;
  const text = [`${tenantName}`, ...notice.paragraphs, `— Tenantry\n${consoleUrl}`].join('\n\n');
  let sent = 0;
  for (const to of await activeOwnerEmails(ctx)) {
    try {
      await sendEmail({ to, subject: `[${tenantName}] ${notice.subject}`, text });
      sent += 1;
    } catch (error) {
      logger.error('Owner notice not sent', { tenantId: ctx.tenantId, subject: notice.subject, error });
    }
  }
  return sent;
}
