import { platformDocumentClient } from '../data/clients';
import { BillingPeriodEntity, type BillingPeriodItem } from '../data/entities/billing-period';
import { TenantEntity } from '../data/entities/tenant';
import { logger } from '../observability/logger';
import { PERIODIC_RESOURCES, PLANS, type Money, type PeriodicResource, type PlanId } from '../model/plans';
import type { BillingProvider } from './billing-provider';
import { meterEventNameOf } from './catalog-names';
import { giveStripeCustomer } from './billing-outbox';

/** One meter event per (tenant, resource, period), ever: Stripe drops a repeated identifier. */
export function overageIdentifier(tenantId: string, resource: PeriodicResource, period: string): string {
  return `tenantry-${tenantId}-${resource}-${period}`;
}

/** What `units` past the limit cost at the plan's overage price (per started block). */
export function overageCost(plan: PlanId, resource: PeriodicResource, units: number): Money | null {
  const price = PLANS[plan].overagePrices[resource];
  if (!price || units <= 0) return null;
  return { amount: Math.ceil(units / price.per) * price.price.amount, currency: price.price.currency };
}

export function overageAmounts(plan: PlanId, overage: Record<string, number>): Record<string, Money> {
  const amounts: Record<string, Money> = {};
  for (const resource of PERIODIC_RESOURCES) {
    const cost = overageCost(plan, resource, overage[resource] ?? 0);
    if (cost) amounts[resource] = cost;
  }
  return amounts;
}

type Reported = Record<string, { identifier: string; reportedAt: string }>;

/** One line a partner pays for a child's month, once per (child, period, line) ever. */
export function partnerLineIdentifier(tenantId: string, period: string, line: string): string {
  return `tenantry-partner-${tenantId}-${period}-${line}`;
}

/**
 * Sends each line of a closed month to the billing provider, in turn, with its identifier (the
 * provider's idempotency key), recording on the month's `BILL#<period>` what was sent, also when a
 * later line fails (the job fails and its retry sends only the rest).
 */
async function sendEach<Line extends { line: string }>(
  bill: BillingPeriodItem,
  reported: Reported,
  lines: Line[],
  now: Date,
  send: (line: Line, identifier: string) => Promise<void>,
): Promise<number> {
  let sent = 0;
  try {
    for (const line of lines) {
      const identifier = bill.billedTo
        ? partnerLineIdentifier(bill.tenantId, bill.period, line.line)
        : overageIdentifier(bill.tenantId, line.line as PeriodicResource, bill.period);
      await send(line, identifier);
      reported[line.line] = { identifier, reportedAt: now.toISOString() };
      sent += 1;
    }
  } finally {
    if (sent > 0) {
      await BillingPeriodEntity.patch({ tenantId: bill.tenantId, period: bill.period })
        .set({ reported })
        .go({ response: 'none' });
    }
  }
  return sent;
}

/** A month's first and last second (UTC), `YYYY-MM`. */
function monthBounds(period: string): { start: Date; end: Date } {
  const year = Number(period.slice(0, 4));
  const month = Number(period.slice(5, 7));
  return { start: new Date(Date.UTC(year, month - 1, 1)), end: new Date(Date.UTC(year, month, 1) - 1000) };
}

/**
 * A closed month of a child its partner pays for: the child's plan at its list price and each
 * resource's overage at the plan's overage price, each one invoice item on the partner's Stripe
 * customer (so a line of the partner's next invoice) naming the child, the plan or resource and the
 * month. Each line is sent with an idempotency key unique per (child, period, line) and recorded on
 * the child's `BILL#<period>` once Stripe took it, so a rerun (a retried job) sends only what is not
 * recorded, with the same keys: nothing is billed twice, and a failure fails the job, which is
 * retried. Returns how many lines were sent now.
 */
async function chargePartner(
  provider: BillingProvider,
  bill: BillingPeriodItem,
  partnerId: string,
  now: Date,
): Promise<number> {
  const plan = bill.plan as PlanId;
  const overage = bill.overage as Record<string, number>;
  const limits = bill.limits as Record<string, number | null>;
  const reported: Reported = { ...((bill.reported as Reported | undefined) ?? {}) };
  const price = PLANS[plan].monthlyPrice;
  const lines = [
    ...(price && price.amount > 0 ? [{ line: 'plan', amount: price, what: `${PLANS[plan].name} plan` }] : []),
    ...PERIODIC_RESOURCES.flatMap((resource) => {
      const amount = overageCost(plan, resource, overage[resource] ?? 0);
      const units = (overage[resource] ?? 0).toLocaleString('en-US');
      return amount
        ? [{ line: resource, amount, what: `${resource} overage (${units} past ${limits[resource] ?? 0})` }]
        : [];
    }),
  ].filter((line) => !reported[line.line]);
  if (lines.length === 0) return 0;
  const [child, partner] = await Promise.all(
    [bill.tenantId, partnerId].map(
      async (tenantId) =>
        (await TenantEntity.get({ tenantId }).go({ client: platformDocumentClient, consistent: true })).data,
    ),
  );
  if (!partner) {
    logger.warn('A child’s month with no partner to bill', {
      tenantId: bill.tenantId,
      partnerId,
      period: bill.period,
    });
    return 0;
  }
  const customerId = partner.stripeCustomerId ?? (await giveStripeCustomer(provider, partner));
  const name = child?.profile?.displayName ?? child?.name ?? bill.tenantId;
  return sendEach(bill, reported, lines, now, async ({ line, amount, what }, identifier) => {
    await provider.addInvoiceItem({
      customerId,
      amount,
      description: `${name} — ${what}, ${bill.period}`,
      metadata: { tenantId: bill.tenantId, partnerId, period: bill.period, line },
      period: monthBounds(bill.period),
      idempotencyKey: identifier,
    });
  });
}

/**
 * Reports a closed period's billable overage to the billing provider, each resource once: a meter
 * event whose identifier is unique per (tenant, resource, period), recorded on the period's
 * `BILL#<period>` item once accepted. A rerun (a retried job) skips what is recorded and sends the
 * rest with the same identifiers, so nothing is billed twice. A provider failure fails the job,
 * which is retried. Returns how many resources were reported now.
 */
export async function reportOverage(
  provider: BillingProvider,
  bill: BillingPeriodItem,
  now: Date,
): Promise<number> {
  if (bill.billedTo) return chargePartner(provider, bill, bill.billedTo, now);
  const plan = bill.plan as PlanId;
  const overage = bill.overage as Record<string, number>;
  const reported: Reported = { ...((bill.reported as Reported | undefined) ?? {}) };
  const due = PERIODIC_RESOURCES.filter(
    (resource) => overageCost(plan, resource, overage[resource] ?? 0) !== null && !reported[resource],
  );
  if (due.length === 0) return 0;
  const tenant = (await TenantEntity.get({ tenantId: bill.tenantId }).go({ client: platformDocumentClient }))
    .data;
  const customerId = tenant?.stripeCustomerId;
  if (!customerId) {
    logger.warn('Overage with no Stripe customer to bill', { tenantId: bill.tenantId, period: bill.period });
    return 0;
  }
  // Stripe takes meter events up to 35 days old: the period's last second, or now if later.
  const periodEnd = monthBounds(bill.period).end;
  const timestamp = periodEnd.getTime() < now.getTime() - 34 * 86_400_000 ? now : periodEnd;
  return sendEach(
    bill,
    reported,
    due.map((resource) => ({ line: resource })),
    now,
    async ({ line: resource }, identifier) => {
      await provider.reportUsage({
        customerId,
        eventName: meterEventNameOf(resource),
        value: overage[resource] ?? 0,
        identifier,
        timestamp: timestamp > now ? now : timestamp,
      });
    },
  );
}
