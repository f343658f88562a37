import { getConfig } from '../config';
import { platformDocumentClient } from '../data/clients';
import { TenantEntity } from '../data/entities/tenant';
import { claimOnce, releaseOnce } from '../data/once';
import {
  EVENT_CATALOGUE,
  type EventData,
  type EventEnvelope,
  type EventType,
  type Notice,
} from '../events/catalogue';
import { logger } from '../observability/logger';
import { runWithTenantContext } from '../context/tenant-context';
import { systemContextOf } from '../tenancy/system-context';
import { sendEmail } from './email';
import { ownerEmails } from './owner-notices';

/** The addresses an event's email goes to, by the catalogue's audience. */
async function recipients(event: EventEnvelope, tenantId: string): Promise<string[]> {
  const audience = EVENT_CATALOGUE[event.type].audience;
  if (audience === 'owners') return ownerEmails(tenantId);
  if (audience === 'ownersAndInvited') return ownerEmails(tenantId, { invited: true });
  if (audience === 'requester') {
    const address = (event.data as EventData['export.completed']).requesterEmail;
    return address ? [address] : [];
  }
  return [(event.data as EventData['user.invited']).email];
}

/**
 * The email consumer of domain events: each event of the catalogue becomes a plain email, branded
 * with the tenant's name, to its audience (the active owners, the requester, the invitee). Once per
 * event however often it is delivered (EventBridge delivers at least once): a marker named by the
 * event's id is claimed first. A failed send is logged and the others go on; if none could be sent,
 * the marker is given back and the error thrown, for the delivery to be retried. Returns how many
 * were sent.
 */
export async function emailForEvent(event: EventEnvelope): Promise<number> {
  const tenant = (
    await TenantEntity.get({ tenantId: event.tenantId }).go({
      client: platformDocumentClient,
      consistent: true,
    })
  ).data;
  if (!tenant) return 0;
  const ctx = systemContextOf(tenant, `event:${event.id}`, 'system:notifications');
  const describe = EVENT_CATALOGUE[event.type as EventType].notice as (
    data: unknown,
    tenant: { name: string; slug: string },
  ) => Notice | null;
  const notice = describe(event.data, tenant);
  // The news went out already in another email (a new account's invitation, with its password).
  if (!notice) return 0;
  return runWithTenantContext(ctx, async () => {
    if (!(await claimOnce(event.tenantId, `email#${event.id}`, new Date(event.occurredAt), 30))) return 0;
    // The tenant's own name for itself (its profile) heads and signs its emails.
    const name = tenant.profile?.displayName ?? tenant.name;
    const text = [name, ...notice.paragraphs, `— ${name}, on Tenantry\n${getConfig().email.consoleUrl}`].join(
      '\n\n',
    );
    const addresses = await recipients(event, event.tenantId);
    let sent = 0;
    let lastError: unknown;
    for (const to of addresses) {
      try {
        await sendEmail({ to, subject: `[${name}] ${notice.subject}`, text });
        sent += 1;
      } catch (error) {
        lastError = error;
        logger.error('Event email not sent', { eventId: event.id, type: event.type, error });
      }
    }
    if (addresses.length > 0 && sent === 0) {
      // Nothing went out (SES down): the claim is given back and the failure thrown, so the
      // delivery is retried (EventBridge's retries in AWS) and sends then.
      await releaseOnce(event.tenantId, `email#${event.id}`);
      throw lastError instanceof Error ? lastError : new Error('No event email could be sent');
    }
    return sent;
  });
}
