import { writeAuditedAs } from '../audit/audited-transaction';
import { getConfig } from '../config';
import { announce } from '../events/publish';
import type { AuditSource } from '../audit/actor';
import { forgetTenant } from '../data/cached-records';
import { platformDocumentClient } from '../data/clients';
import { BillingCustomerEntity } from '../data/entities/billing-customer';
import { BillingEventEntity } from '../data/entities/billing-event';
import { TenantEntity, type TenantItem } from '../data/entities/tenant';
import { isConditionalFailure } from '../data/dynamo-errors';
import { childSummaryUpdates, summaryChange } from '../data/hierarchy-copies';
import { ConflictError, ServiceUnavailableError, ValidationError } from '../errors';
import { logger } from '../observability/logger';
import type { RequestMeta } from '../context/tenant-context';
import { DEFAULT_PLAN, type PlanId } from '../model/plans';
import type { BillingEvent, BillingProvider, SubscriptionState } from './billing-provider';

/** Statuses in which a subscription still sells its plan (past_due: within the dunning grace). */
const SELLING = new Set(['active', 'trialing', 'past_due']);
/** Statuses in which a payment is owed. */
const OWING = new Set(['past_due', 'unpaid']);

/** Whether the subscription, as the provider has it now, owes a payment. */
export function owesPayment(subscription: SubscriptionState): boolean {
  return OWING.has(subscription.status);
}
const EVENT_RETENTION_SECONDS = 30 * 86_400;
export const PAYMENT_OVERDUE = 'payment_overdue';

export type EventOutcome = 'applied' | 'duplicate' | 'ignored';

function idOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && typeof (value as { id?: unknown }).id === 'string') {
    return (value as { id: string }).id;
  }
  return undefined;
}

/** The subscription an event is about, as the event names it (the state itself is re-read). */
function subscriptionIdOf(event: BillingEvent): string | undefined {
  const object = event.object;
  if (object.object === 'subscription') return object.id;
  if (object.object === 'checkout.session') return idOf(object.subscription);
  if (object.object === 'invoice') {
    const parent = object.parent as { subscription_details?: { subscription?: unknown } } | null | undefined;
    return idOf(parent?.subscription_details?.subscription) ?? idOf(object.subscription);
  }
  return undefined;
}

async function tenantOfCustomer(customerId: string | undefined): Promise<TenantItem | null> {
  if (!customerId) return null;
  const lookup = await BillingCustomerEntity.get({ customerId }).go({ consistent: true });
  if (!lookup.data) return null;
  const tenant = await TenantEntity.get({ tenantId: lookup.data.tenantId }).go({
    client: platformDocumentClient,
    consistent: true,
  });
  return tenant.data;
}

interface TenantBilling {
  plan: PlanId;
  status: TenantItem['status'];
  statusReason: string | undefined;
  subscriptionId: string | undefined;
  subscriptionStatus: string | undefined;
  billingPeriodEnd: string | undefined;
  pastDueSince: string | undefined;
  /** The partner paying for it: its own (ended) subscriptions then change nothing. */
  billedTo?: string | undefined;
}

function billingOf(tenant: TenantItem): TenantBilling {
  return {
    plan: tenant.plan,
    status: tenant.status,
    statusReason: tenant.statusReason,
    subscriptionId: tenant.subscriptionId,
    subscriptionStatus: tenant.subscriptionStatus,
    billingPeriodEnd: tenant.billingPeriodEnd,
    pastDueSince: tenant.pastDueSince,
    billedTo: tenant.billedTo,
  };
}

/**
 * What the tenant's billing becomes with the subscription's current state. A subscription that is
 * not the tenant's own (an older one, ended after the tenant moved to a new one) changes nothing, so
 * events for it can arrive in any order. The plan follows a selling subscription; an ended one drops
 * the tenant to the default plan. An owed payment starts the dunning grace; a paid one ends it and
 * lifts a suspension for non-payment.
 */
export function nextBilling(
  current: TenantBilling,
  subscription: SubscriptionState,
  at: string,
): TenantBilling | null {
  // A partner pays for it: its plan is the partner's, whatever an old subscription of its own says.
  if (current.billedTo) return null;
  const own = !current.subscriptionId || current.subscriptionId === subscription.id;
  const selling = SELLING.has(subscription.status);
  if (!own && !selling) return null;
  const next: TenantBilling = {
    ...current,
    subscriptionId: subscription.id,
    subscriptionStatus: subscription.status,
  };
  next.billingPeriodEnd = subscription.currentPeriodEnd ?? undefined;
  if (selling && subscription.plan) next.plan = subscription.plan;
  if (!selling) {
    next.plan = DEFAULT_PLAN;
    next.subscriptionId = undefined;
    next.billingPeriodEnd = undefined;
  }
  if (OWING.has(subscription.status)) {
    next.pastDueSince = current.pastDueSince ?? at;
  } else {
    next.pastDueSince = undefined;
    if (current.status === 'suspended' && current.statusReason === PAYMENT_OVERDUE) {
      next.status = 'active';
      next.statusReason = undefined;
    }
  }
  return next;
}

function changed(before: TenantBilling, after: TenantBilling): boolean {
  return (Object.keys(after) as Array<keyof TenantBilling>).some((key) => before[key] !== after[key]);
}

/**
 * A failed payment, taken once (its event record is written): the owners are told
 * (`billing.payment_failed`) while the subscription still owes it. A failure that arrives after the
 * payment that settled it (Stripe does not promise order) tells nobody.
 */
async function tellOwnersOfFailure(
  event: BillingEvent,
  tenantId: string,
  subscription: SubscriptionState | null,
  now: Date,
): Promise<void> {
  if (event.type !== 'invoice.payment_failed') return;
  if (subscription && !owesPayment(subscription)) return;
  await announce(
    tenantId,
    'billing.payment_failed',
    { subscriptionId: subscription?.id ?? '', graceDays: getConfig().stripe.graceDays },
    now,
  );
}

interface EventRecord {
  eventId: string;
  type: string;
  processedAt: string;
  expiresAt: number;
}

/**
 * Writes a tenant's new billing state with its audit event in one transaction, on the condition that
 * the tenant is as read (a concurrent change fails it, and the caller's retry reads again); with the
 * webhook event's record when an event caused it, so that it applies once.
 */
async function writeBillingChange(change: {
  tenant: TenantItem;
  before: TenantBilling;
  after: TenantBilling;
  subscription: SubscriptionState | null;
  meta: RequestMeta;
  now: Date;
  record?: EventRecord;
}): Promise<void> {
  const { tenant, before, after, subscription, meta, now, record } = change;
  const source: AuditSource = {
    actor: { type: 'system', id: 'billing', tenantId: tenant.tenantId, isPlatformAdmin: false },
    meta,
  };
  await writeAuditedAs(
    tenant.tenantId,
    source,
    {
      action: 'billing.subscription_changed',
      targetType: 'subscription',
      targetId: subscription?.id ?? 'none',
      before: {
        plan: before.plan,
        subscriptionStatus: before.subscriptionStatus ?? null,
        status: before.status,
      },
      after: { plan: after.plan, subscriptionStatus: after.subscriptionStatus ?? null, status: after.status },
    },
    (entities) => ({
      ...(record
        ? { event: entities.billingEvent.create({ ...record, tenantId: tenant.tenantId }).commit() }
        : {}),
      tenant: entities.tenant
        .patch({ tenantId: tenant.tenantId })
        .set({
          plan: after.plan,
          status: after.status,
          ...(after.subscriptionId ? { subscriptionId: after.subscriptionId } : {}),
          ...(after.subscriptionStatus ? { subscriptionStatus: after.subscriptionStatus } : {}),
          ...(after.billingPeriodEnd ? { billingPeriodEnd: after.billingPeriodEnd } : {}),
          ...(after.pastDueSince ? { pastDueSince: after.pastDueSince } : {}),
          ...(after.statusReason ? { statusReason: after.statusReason } : {}),
        })
        .remove([
          ...(after.subscriptionId ? [] : (['subscriptionId'] as const)),
          ...(after.billingPeriodEnd ? [] : (['billingPeriodEnd'] as const)),
          ...(after.pastDueSince ? [] : (['pastDueSince'] as const)),
          ...(after.statusReason ? [] : (['statusReason'] as const)),
        ])
        .where((attr, op) => op.eq(attr.updatedAt, tenant.updatedAt))
        .commit(),
      // A partner's summary of the tenant follows its plan and status.
      ...childSummaryUpdates(
        entities,
        tenant,
        summaryChange(tenant, { name: tenant.name, plan: after.plan, status: after.status }),
        now.toISOString(),
      ),
    }),
    {
      rejections: {
        event: () => new ConflictError('The event was applied meanwhile.', 'concurrent_modification'),
        tenant: () => new ConflictError('The tenant changed meanwhile; retry.', 'concurrent_modification'),
      },
      now,
      client: platformDocumentClient,
    },
  );
  forgetTenant(tenant.tenantId);
}

/**
 * Brings a tenant's billing to the subscription's state as the provider has it now, whatever events
 * did or did not arrive: what dunning asks before it suspends anybody. Returns that state (`null`
 * when the tenant has no subscription to ask about).
 */
export async function refreshTenantBilling(
  provider: BillingProvider,
  tenant: TenantItem,
  meta: RequestMeta,
  now: Date,
): Promise<SubscriptionState | null> {
  if (!tenant.subscriptionId) return null;
  const subscription = await provider.getSubscription(tenant.subscriptionId);
  const before = billingOf(tenant);
  const after = nextBilling(before, subscription, now.toISOString());
  if (after && changed(before, after)) {
    await writeBillingChange({ tenant, before, after, subscription, meta, now });
  }
  return subscription;
}

/**
 * Stripe's webhook delivery: the signature checked over the raw body (a bad, stale or missing one is
 * a 400 that changes nothing), then the event applied exactly once.
 */
export async function receiveBillingWebhook(
  provider: BillingProvider,
  delivery: { rawBody: string; signature: string },
  meta: RequestMeta,
  now: Date,
): Promise<EventOutcome> {
  let event: BillingEvent;
  try {
    event = provider.verifyWebhook(delivery.rawBody, delivery.signature);
  } catch (error) {
    if (error instanceof ServiceUnavailableError || error instanceof ValidationError) throw error;
    throw new ValidationError(
      'The Stripe-Signature does not match the body, or is too old.',
      [],
      'invalid_webhook_signature',
    );
  }
  return applyBillingEvent(provider, event, meta, now);
}

/**
 * Applies one verified webhook event exactly once: the subscription it concerns is re-read from the
 * provider (its state now, whatever order events come in), the tenant's plan and billing follow it,
 * and the event's record is created in the same transaction as the change (`attribute_not_exists`),
 * so a redelivery changes nothing. Events about nothing we sell are recorded and otherwise ignored.
 */
export async function applyBillingEvent(
  provider: BillingProvider,
  event: BillingEvent,
  meta: RequestMeta,
  now: Date = new Date(),
): Promise<EventOutcome> {
  const seen = await BillingEventEntity.get({ eventId: event.id }).go({ consistent: true });
  if (seen.data) return 'duplicate';
  const record = {
    eventId: event.id,
    type: event.type,
    processedAt: now.toISOString(),
    expiresAt: Math.floor(now.getTime() / 1000) + EVENT_RETENTION_SECONDS,
  };
  const subscriptionId = subscriptionIdOf(event);
  const subscription = subscriptionId ? await provider.getSubscription(subscriptionId) : null;
  const tenant = await tenantOfCustomer(subscription?.customerId ?? idOf(event.object.customer));
  const before = tenant ? billingOf(tenant) : null;
  // The event's type says what happened once; the subscription says what holds now, and only it moves
  // the tenant (a late `invoice.payment_failed` after `invoice.paid` owes nothing).
  const after = before && subscription ? nextBilling(before, subscription, now.toISOString()) : null;
  try {
    if (!tenant || !before || !after || !changed(before, after)) {
      await BillingEventEntity.create({ ...record, ...(tenant ? { tenantId: tenant.tenantId } : {}) }).go({
        response: 'none',
      });
      if (tenant) await tellOwnersOfFailure(event, tenant.tenantId, subscription, now);
      return 'ignored';
    }
    await writeBillingChange({ tenant, before, after, subscription, meta, now, record });
    await tellOwnersOfFailure(event, tenant.tenantId, subscription, now);
    return 'applied';
  } catch (error) {
    if (isConditionalFailure(error)) return 'duplicate';
    if (error instanceof ConflictError) {
      const again = await BillingEventEntity.get({ eventId: event.id }).go({ consistent: true });
      if (again.data) return 'duplicate';
      logger.warn('A billing event met a concurrent change; the provider will deliver it again', {
        id: event.id,
      });
    }
    throw error;
  }
}
