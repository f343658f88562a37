import { platformDocumentClient } from '../data/clients';
import { BillingPeriodEntity, type BillingPeriodItem } from '../data/entities/billing-period';
import { TenantEntity } from '../data/entities/tenant';
import { logger } from '../observability/logger';
import { PERIODIC_RESOURCES, PLANS, type Money, type PeriodicResource, type PlanId } from '../model/plans';
import type { BillingProvider } from './billing-provider';
import { meterEventNameOf } from './catalog-names';

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
  const periodEnd = new Date(
    Date.UTC(Number(bill.period.slice(0, 4)), Number(bill.period.slice(5, 7)), 1) - 1000,
  );
  const timestamp = periodEnd.getTime() < now.getTime() - 34 * 86_400_000 ? now : periodEnd;
  let sent = 0;
  try {
    for (const resource of due) {
      const identifier = overageIdentifier(bill.tenantId, resource, bill.period);
      await provider.reportUsage({
        customerId,
        eventName: meterEventNameOf(resource),
        value: overage[resource] ?? 0,
        identifier,
        timestamp: timestamp > now ? now : timestamp,
      });
      reported[resource] = { identifier, reportedAt: now.toISOString() };
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
