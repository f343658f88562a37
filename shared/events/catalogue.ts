import * as z from 'zod/mini';
import { EVENT_TYPE_NAMES } from '../model/event-types';
import { METERED_RESOURCES, PLANS, type PlanId } from '../model/plans';
import { bytesInWords } from '../model/quantities';

/**
 * The domain events, described once: what each carries, who is emailed, and the email's words.
 * Publishers name an event and give its data (typed here); the email consumer and (later) tenant
 * webhooks read this catalogue, so an event means the same thing everywhere.
 */

export interface EventData {
  'quota.threshold_crossed': {
    resource: string;
    period: string;
    threshold: number;
    used: number;
    limit: number;
    plan: string;
  };
  'quota.overage_started': {
    resource: string;
    period: string;
    used: number;
    limit: number;
    plan: string;
    /** `overage`: refused past the limit from `endsAt`; `suspend`: suspended at `endsAt` if still past it. */
    policy: 'overage' | 'suspend';
    endsAt: string;
  };
  'tenant.suspended': { reason: string; runsCancelled: number };
  'tenant.reactivated': Record<string, never>;
  'tenant.deleted': { purgeAfter: string };
  'tenant.restored': { status: string; planBeforeDeletion?: string };
  'billing.payment_failed': { subscriptionId: string; graceDays: number };
  'billing.trial_ending': { trialEndsAt: string; plan: string; thenPlan: string };
  'export.completed': { exportId: string; itemCount: number; bytes: number; requesterEmail?: string };
  'user.invited': { email: string; role: string; invitedBy: string; newAccount: boolean };
  'webhook.endpoint_disabled': { endpointId: string; url: string; failures: number };
  'domain.activated': { domain: string };
  'domain.at_risk': { domain: string; recordName: string; suspendAt: string };
  'domain.suspended': { domain: string; recordName: string; releaseAt: string };
  'delegation.requested': {
    delegationId: string;
    partnerName: string;
    role: string;
    durationDays: number;
    requestedBy: string;
    reason?: string;
  };
  'delegation.approved': {
    delegationId: string;
    childId: string;
    childName: string;
    role: string;
    expiresAt: string;
  };
  'delegation.ended': {
    delegationId: string;
    partnerName: string;
    childName: string;
    status: string;
    endedBy: string;
  };
}

export type EventType = keyof EventData;

/** One event as it travels: on EventBridge `DetailType` is its type and `Detail` this envelope. */
export interface EventEnvelope<T extends EventType = EventType> {
  /** `evt_…`, unique: consumers act on an id once. */
  id: string;
  type: T;
  tenantId: string;
  occurredAt: string;
  data: EventData[T];
}

/**
 * Who is emailed about an event: the tenant's active owners; its owners invited too (what a new
 * tenant's owner must hear of before their first sign-in); or one address named in its data.
 */
export type Audience = 'owners' | 'ownersAndInvited' | 'requester' | 'invitee';

export interface Notice {
  subject: string;
  paragraphs: string[];
}

interface EventDescription<T extends EventType> {
  audience: Audience;
  /** Plausible data of the type: what a test delivery sends, and what the console shows. */
  example: EventData[T];
  /** The email to the audience; `null` when the news reached them already by another email. */
  notice(data: EventData[T], tenant: { name: string; slug: string }): Notice | null;
}

const percent = (used: number, limit: number) => Math.round((100 * used) / Math.max(1, limit));

/** Numbers as people read them in an email: 20,000,000 tokens, 10 GB of storage, December 2026. */
export const inWords = {
  count: (value: number) => value.toLocaleString('en-US'),
  bytes: (value: number) => bytesInWords(value, 'bytes'),
  /** A resource's amount: storage in its unit, the rest counted. */
  amount: (resource: string, value: number) =>
    resource === 'storageBytes' ? inWords.bytes(value) : inWords.count(value),
  resource: (resource: string) => RESOURCE_WORDS[resource] ?? resource,
  /** `2026-12` → "December 2026"; a standing total has no period. */
  period(period: string): string {
    const month = /^(\d{4})-(\d{2})$/.exec(period);
    if (!month) return '';
    return new Date(Date.UTC(Number(month[1]), Number(month[2]) - 1, 1)).toLocaleDateString('en-US', {
      month: 'long',
      year: 'numeric',
      timeZone: 'UTC',
    });
  },
  plan: (plan: string) => PLANS[plan as PlanId]?.name ?? plan,
  /** An instant to the minute: "December 15, 2026, 14:03 UTC". */
  dateTime: (iso: string) =>
    `${new Date(iso).toLocaleDateString('en-US', { month: 'long', day: 'numeric', year: 'numeric', timeZone: 'UTC' })}, ${iso.slice(11, 16)} UTC`,
  /** An instant as its day: "December 15, 2026" (UTC). */
  date: (iso: string) =>
    new Date(iso).toLocaleDateString('en-US', {
      month: 'long',
      day: 'numeric',
      year: 'numeric',
      timeZone: 'UTC',
    }),
};

const RESOURCE_WORDS: Record<string, string> = {
  users: 'users',
  agents: 'agents',
  apiKeys: 'API keys',
  storageBytes: 'storage',
  runs: 'runs',
  apiCalls: 'API calls',
  ...Object.fromEntries(
    Object.entries(METERED_RESOURCES).map(([resource, meter]) => [resource, meter.units]),
  ),
};

export const EVENT_CATALOGUE: { [T in EventType]: EventDescription<T> } = {
  // A partner asks right after it made the tenant, before its owner's first sign-in, as often as not.
  'delegation.requested': {
    audience: 'ownersAndInvited',
    example: {
      delegationId: 'dlg_01JF3Z9G7Q5W8R2T6Y4B1N0M3K',
      partnerName: 'Acme Managed Services',
      role: 'admin',
      durationDays: 90,
      requestedBy: 'consultant@acme-msp.example',
      reason: 'Set up the agents for the December launch',
    },
    notice: (data, tenant) => ({
      subject: `${data.partnerName} asks for access to ${tenant.name}`,
      paragraphs: [
        `${data.requestedBy}, of your partner ${data.partnerName}, asks that its people may act in ${tenant.name} (${tenant.slug}) as ${data.role} at most, for ${data.durationDays} days from your approval.`,
        ...(data.reason ? [`Their reason: ${data.reason}`] : []),
        'An owner approves or declines it in the console (Partner access). Nothing is open to them until then, and you can revoke it at any time.',
      ],
    }),
  },
  'delegation.approved': {
    audience: 'owners',
    example: {
      delegationId: 'dlg_01JF3Z9G7Q5W8R2T6Y4B1N0M3K',
      childId: 'ten_01JF3Z9G7Q5W8R2T6Y4B1N0M3P',
      childName: 'Initech',
      role: 'admin',
      expiresAt: '2027-03-01T00:00:00.000Z',
    },
    notice: (data) => ({
      subject: `${data.childName} approved your access`,
      paragraphs: [
        `${data.childName} approved your delegation: your people may act in it as ${data.role} at most (no more than their own role here) until ${inWords.date(data.expiresAt)}.`,
        'Switch into it from your customers’ list in the console.',
      ],
    }),
  },
  'delegation.ended': {
    audience: 'owners',
    example: {
      delegationId: 'dlg_01JF3Z9G7Q5W8R2T6Y4B1N0M3K',
      partnerName: 'Acme Managed Services',
      childName: 'Initech',
      status: 'revoked',
      endedBy: 'owner@initech.example',
    },
    notice: (data) => ({
      subject: `The delegation between ${data.partnerName} and ${data.childName} was ${data.status}`,
      paragraphs: [
        `${data.endedBy} ${data.status === 'revoked' ? 'revoked' : data.status === 'declined' ? 'declined' : 'withdrew'} the delegation that lets ${data.partnerName}’s people act in ${data.childName}. ${data.status === 'revoked' ? 'Their access has ended.' : 'It was never in force.'}`,
      ],
    }),
  },
  'quota.overage_started': {
    audience: 'owners',
    example: {
      resource: 'toolCalls',
      period: '2026-12',
      used: 200_150,
      limit: 200_000,
      plan: 'professional',
      policy: 'suspend',
      endsAt: '2026-12-20T14:03:00.000Z',
    },
    notice: (data) => ({
      subject: `Past your limit of ${inWords.resource(data.resource)}`,
      paragraphs: [
        `Your tenant has used ${inWords.amount(data.resource, data.used)} of its ${inWords.amount(data.resource, data.limit)} ${inWords.resource(data.resource)}${inWords.period(data.period) ? ` in ${inWords.period(data.period)}` : ''}, on the ${inWords.plan(data.plan)} plan. Use past the limit is billed as overage.`,
        data.policy === 'suspend'
          ? `If it is still past the limit at ${inWords.dateTime(data.endsAt)}, the tenant will be suspended until the next month begins or it moves to a larger plan (billing, in the console).`
          : `From ${inWords.dateTime(data.endsAt)}, use past the limit is refused until the next month begins, or until you move to a larger plan (billing, in the console).`,
      ],
    }),
  },
  'quota.threshold_crossed': {
    audience: 'owners',
    example: {
      resource: 'runs',
      period: '2026-12',
      threshold: 80,
      used: 8000,
      limit: 10000,
      plan: 'professional',
    },
    notice: (data) => ({
      subject: `${data.threshold} % of your ${inWords.resource(data.resource)} used`,
      paragraphs: [
        `Your tenant has used ${inWords.amount(data.resource, data.used)} of its ${inWords.amount(data.resource, data.limit)} ${data.resource === 'storageBytes' ? 'of storage' : inWords.resource(data.resource)} (${percent(data.used, data.limit)} %)${inWords.period(data.period) ? ` in ${inWords.period(data.period)}` : ''}, on the ${inWords.plan(data.plan)} plan.`,
        'At the limit, new use is refused until the next period, or until you move to a larger plan (billing, in the console).',
      ],
    }),
  },
  'tenant.suspended': {
    audience: 'owners',
    example: { reason: 'Payment overdue', runsCancelled: 2 },
    notice: (data, tenant) => ({
      subject: 'Your tenant has been suspended',
      paragraphs: [
        `Your tenant ${tenant.name} (${tenant.slug}) was suspended.`,
        `Reason: ${data.reason}`,
        `While it is suspended, its people can still sign in and read the tenant and its usage; owners and admins its audit log, and export its data; owners its billing, and pay what is owed. Everything else is refused, API keys included${data.runsCancelled ? `, and its ${data.runsCancelled} running run${data.runsCancelled === 1 ? ' was' : 's were'} stopped` : ''}.`,
        'If you think this is a mistake, reply to this email.',
      ],
    }),
  },
  'tenant.reactivated': {
    audience: 'owners',
    example: {},
    notice: (_data, tenant) => ({
      subject: 'Your tenant is active again',
      paragraphs: [
        `The suspension of ${tenant.name} (${tenant.slug}) has ended: its users and API keys work again.`,
      ],
    }),
  },
  'tenant.deleted': {
    audience: 'owners',
    example: { purgeAfter: '2027-01-01T00:00:00.000Z' },
    notice: (data, tenant) => ({
      subject: 'Your tenant has been deleted',
      paragraphs: [
        `${tenant.name} (${tenant.slug}) was deleted, and its subscription cancelled.`,
        `Its data is kept until ${inWords.date(data.purgeAfter)}: until then an owner can restore it, or export its data. Then it is removed for good.`,
      ],
    }),
  },
  'tenant.restored': {
    audience: 'owners',
    example: { status: 'active' },
    notice: (data, tenant) => ({
      subject: 'Your tenant has been restored',
      paragraphs: [
        `${tenant.name} (${tenant.slug}) was restored, ${data.status}.`,
        data.planBeforeDeletion
          ? `Its ${inWords.plan(data.planBeforeDeletion)} subscription was cancelled with the deletion, so it is on the Free plan's limits now: buy ${inWords.plan(data.planBeforeDeletion)} again in the console (Billing). Until then, what it has past those limits keeps working and nothing new past them is allowed.`
          : 'It keeps the plan it had.',
      ],
    }),
  },
  'billing.payment_failed': {
    audience: 'owners',
    example: { subscriptionId: 'sub_1Example', graceDays: 7 },
    notice: (data) => ({
      subject: 'A payment failed',
      paragraphs: [
        'The last payment of your subscription failed.',
        `Update the card in the billing portal (billing, in the console). If nothing is paid within ${data.graceDays} days, the tenant is suspended until it is.`,
      ],
    }),
  },
  'billing.trial_ending': {
    audience: 'owners',
    example: { trialEndsAt: '2026-12-15T00:00:00.000Z', plan: 'professional', thenPlan: 'free' },
    notice: (data) => ({
      subject: 'Your trial ends soon',
      paragraphs: [
        `Your ${inWords.plan(data.plan)} trial ends on ${inWords.date(data.trialEndsAt)}. Then the tenant moves to the ${inWords.plan(data.thenPlan)} plan and its limits.`,
        'To keep it, buy a plan in the console (billing).',
      ],
    }),
  },
  'export.completed': {
    audience: 'requester',
    example: { exportId: 'exp_01JF3Z9G7Q5W8R2T6Y4B1N0M3K', itemCount: 1200, bytes: 48213 },
    notice: (data) => ({
      subject: 'Your export is ready',
      paragraphs: [
        `The export ${data.exportId} of your tenant is ready: ${inWords.count(data.itemCount)} items, ${inWords.bytes(data.bytes)} of gzipped NDJSON.`,
        'Download it from the console, or from its status endpoint, which gives a link that works for a few minutes. The file is kept for a few days.',
      ],
    }),
  },
  'user.invited': {
    audience: 'invitee',
    example: {
      email: 'new.person@example.com',
      role: 'member',
      invitedBy: 'owner@example.com',
      newAccount: true,
    },
    // A new account's invitation is the email that brings its temporary password (Cognito's custom
    // message trigger, or the API when it renews the password): one email, not two.
    notice: (data, tenant) =>
      data.newAccount
        ? null
        : {
            subject: `You are invited to ${tenant.name}`,
            paragraphs: [
              `${data.invitedBy} invited you to ${tenant.name} (${tenant.slug}) as ${data.role}.`,
              'Sign in to the console with your account: the tenant is in your tenant switcher.',
            ],
          },
  },
  'webhook.endpoint_disabled': {
    audience: 'owners',
    example: {
      endpointId: 'whk_01JF3Z9G7Q5W8R2T6Y4B1N0M3P',
      url: 'https://hooks.example.com/tenantry',
      failures: 15,
    },
    notice: (data) => ({
      subject: 'A webhook endpoint was disabled',
      paragraphs: [
        `The webhook endpoint ${data.url} (${data.endpointId}) failed ${inWords.count(data.failures)} deliveries in a row and was disabled: no more events are sent to it.`,
        'Its delivery log shows what it answered. Fix it, then enable it again on its page in the console (Webhooks).',
      ],
    }),
  },
  'domain.activated': {
    audience: 'owners',
    example: { domain: 'app.acme.example' },
    notice: (data) => ({
      subject: `${data.domain} is active`,
      paragraphs: [
        `Your custom domain ${data.domain} is verified and served over TLS: requests to it act on your tenant.`,
        'Keep its TXT record: a daily check looks for it, and a domain whose record is gone is suspended after a grace.',
      ],
    }),
  },
  'domain.at_risk': {
    audience: 'owners',
    example: {
      domain: 'app.acme.example',
      recordName: '_tenantry-challenge.app.acme.example',
      suspendAt: '2026-12-05T00:00:00.000Z',
    },
    notice: (data) => ({
      subject: `${data.domain} is at risk`,
      paragraphs: [
        `Today's check of ${data.domain} found no TXT record at ${data.recordName}. The domain is still served, but unless the record is back it is suspended on ${inWords.date(data.suspendAt)}.`,
        'Put the record back as the Domains page of the console shows it, then check the domain there.',
      ],
    }),
  },
  'domain.suspended': {
    audience: 'owners',
    example: {
      domain: 'app.acme.example',
      recordName: '_tenantry-challenge.app.acme.example',
      releaseAt: '2026-12-16T00:00:00.000Z',
    },
    notice: (data) => ({
      subject: `${data.domain} is suspended`,
      paragraphs: [
        `The TXT record at ${data.recordName} stayed gone, so ${data.domain} no longer acts on your tenant. Unless the record is back, the domain is released on ${inWords.date(data.releaseAt)} and anyone may claim it.`,
        'Put the record back as the Domains page of the console shows it, then check the domain there: it is active again at once.',
      ],
    }),
  },
};

export const EVENT_TYPES = Object.keys(EVENT_CATALOGUE) as EventType[];

/** An event's envelope as it travels (EventBridge's detail, a delivery's event): its shape, not its data. */
export const eventEnvelopeSchema = z.pipe(
  z.object({
    id: z.string(),
    type: z.enum(EVENT_TYPES as [EventType, ...EventType[]]),
    tenantId: z.string(),
    occurredAt: z.string(),
    data: z.record(z.string(), z.unknown()),
  }),
  z.transform((event) => event as EventEnvelope),
);

// The names the manifest lists (a base module) are these types, checked when this compiles.
const _names: readonly EventType[] = EVENT_TYPE_NAMES;
void _names;
