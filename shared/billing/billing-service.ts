import { auditSourceOf } from '../audit/actor';
import { recordAuditEvent } from '../audit/audit-log';
import { platformDocumentClient } from '../data/clients';
import { QuotaCounterEntity } from '../data/entities/quota-counter';
import { TenantEntity, type TenantItem } from '../data/entities/tenant';
import { ChildTenantEntity } from '../data/entities/child-tenant';
import { ConflictError, ServiceUnavailableError, ValidationError } from '../errors';
import { logger } from '../observability/logger';
import { monthPeriod, startOfNextMonth } from '../quotas/periods';
import { ceilingOf } from '../quotas/quota-policies';
import { requestTime, type TenantContext } from '../context/tenant-context';
import { PERIODIC_RESOURCES, PLANS, type Money, type PeriodicResource, type PlanId } from '../model/plans';
import { giveStripeCustomer } from './billing-outbox';
import type { BillingProvider, InvoiceSummary } from './billing-provider';
import { overageCost } from './overage-report';
import { getConfig } from '../config';

/** The tenant as it is now (not the request's cached copy): billing decides on its subscription. */
async function currentTenant(ctx: TenantContext): Promise<TenantItem> {
  const tenant = await TenantEntity.get({ tenantId: ctx.tenantId }).go({
    client: platformDocumentClient,
    consistent: true,
  });
  if (!tenant.data)
    throw new ConflictError('The tenant changed meanwhile; retry.', 'concurrent_modification');
  return tenant.data;
}

/**
 * The tenant's Stripe customer: the one the outbox made, or made now when the tenant asks for
 * billing before the outbox ran.
 */
function customerOf(provider: BillingProvider, tenant: TenantItem): Promise<string> {
  return tenant.stripeCustomerId
    ? Promise.resolve(tenant.stripeCustomerId)
    : giveStripeCustomer(provider, tenant);
}

function consoleUrl(path: string): string {
  return new URL(path, getConfig().email.consoleUrl).toString();
}

/**
 * A Checkout page for a self-serve paid plan. A tenant that already has a subscription changes it in
 * the customer portal instead (409 `subscription_exists`), so it never pays twice.
 */
export async function startCheckout(
  provider: BillingProvider,
  ctx: TenantContext,
  input: { plan: PlanId; successUrl?: string | undefined; cancelUrl?: string | undefined },
): Promise<{ url: string; sessionId: string }> {
  const plan = PLANS[input.plan];
  if (!plan.monthlyPrice || plan.monthlyPrice.amount === 0) {
    throw new ValidationError(`The ${plan.name} plan is not sold through checkout.`, [
      { path: 'plan', message: 'must be a self-serve paid plan (see GET /v1/plans)' },
    ]);
  }
  const tenant = await currentTenant(ctx);
  if (tenant.billedTo) {
    throw new ConflictError(
      'The tenant’s partner pays for it: its plan is the partner’s to change.',
      'billed_by_partner',
      { partnerId: tenant.billedTo },
    );
  }
  if (tenant.subscriptionId) {
    throw new ConflictError(
      'The tenant already has a subscription; change its plan in the customer portal (POST …/billing/portal).',
      'subscription_exists',
    );
  }
  const customerId = await customerOf(provider, tenant);
  const session = await provider.createCheckoutSession({
    customerId,
    tenantId: ctx.tenantId,
    plan: input.plan,
    successUrl: input.successUrl ?? consoleUrl(`/billing?checkout=success`),
    cancelUrl: input.cancelUrl ?? consoleUrl(`/billing?checkout=cancelled`),
  });
  // Audited once the session exists: a checkout Stripe refused left nothing to audit.
  await recordAuditEvent(ctx.tenantId, auditSourceOf(ctx), {
    action: 'billing.checkout_started',
    targetType: 'tenant',
    targetId: ctx.tenantId,
    after: { plan: input.plan, sessionId: session.id },
  });
  return { url: session.url, sessionId: session.id };
}

export async function openPortal(
  provider: BillingProvider,
  ctx: TenantContext,
  input: { returnUrl?: string | undefined },
): Promise<{ url: string }> {
  const customerId = await customerOf(provider, await currentTenant(ctx));
  const session = await provider.createPortalSession({
    customerId,
    returnUrl: input.returnUrl ?? consoleUrl('/billing'),
  });
  await recordAuditEvent(ctx.tenantId, auditSourceOf(ctx), {
    action: 'billing.portal_opened',
    targetType: 'tenant',
    targetId: ctx.tenantId,
  });
  return session;
}

export interface UsageLine {
  resource: PeriodicResource;
  used: number;
  limit: number | null;
  /** Use past the limit so far (billed within the plan's allowance). */
  overage: number;
  /**
   * Use at the month's end at this month's pace, never past what the plan lets through; `null` while
   * too little of the month has passed to tell a pace.
   */
  projected: number | null;
  projectedOverage: number | null;
  /** What that overage would be billed; `null` when nothing would be (no subscription, no price). */
  projectedOverageCost: Money | null;
}

/** How the projection was made, for people to read beside it. */
export interface Projection {
  /** `pace`: this month's pace so far; `too_early`: fewer than the days a pace needs; `not_billed`: no subscription bills overage. */
  basis: 'pace' | 'too_early' | 'not_billed';
  elapsedDays: number;
  periodDays: number;
  explanation: string;
}

/** The days of a month that must have passed before its pace is projected to its end. */
export const PROJECTION_MIN_DAYS = 3;

/** Subscription statuses that bill overage at the period's end. */
const BILLING_STATUSES = new Set(['active', 'past_due']);

export interface BillingSummary {
  plan: PlanId;
  status: 'none' | string;
  subscriptionId: string | null;
  currentPeriodEnd: string | null;
  pastDueSince: string | null;
  period: string;
  usage: UsageLine[];
  projectedOverageTotal: Money;
  projection: Projection;
  /** Null when the billing provider could not be reached: the rest still answers. */
  invoices: InvoiceSummary[] | null;
  /** The partner that pays for this tenant (its plan and overage on the partner's invoice), if one does. */
  paidByPartner: string | null;
  /**
   * A partner's children it pays for, each a line of its invoice after the month's close: the
   * child, its plan and the plan's monthly price (its overage, if any, is a line beside it).
   */
  paidForChildren: Array<{ childId: string; name: string; plan: PlanId; monthlyPrice: Money | null }>;
}

/** Plan, subscription, this month's use with its overage and projection, recent invoices. */
export async function billingSummary(
  provider: BillingProvider,
  ctx: TenantContext,
  now: Date = requestTime(ctx),
): Promise<BillingSummary> {
  const [tenant, children] = await Promise.all([
    TenantEntity.get({ tenantId: ctx.tenantId }).go({ client: platformDocumentClient }),
    ChildTenantEntity.query.byTenant({ tenantId: ctx.tenantId }).go({ pages: 'all' }),
  ]);
  const paidForChildren = children.data
    .filter((child) => child.depth === 1 && child.billedTo === ctx.tenantId && child.status !== 'deleted')
    .map((child) => ({
      childId: child.childId,
      name: child.name,
      plan: child.plan,
      monthlyPrice: PLANS[child.plan].monthlyPrice,
    }));
  const period = monthPeriod(now);
  const counters = await QuotaCounterEntity.get(
    PERIODIC_RESOURCES.map((resource) => ({ tenantId: ctx.tenantId, resource, period })),
  ).go({ consistent: true });
  const usedOf = (resource: PeriodicResource) =>
    counters.data.find((c) => c.resource === resource)?.used ?? 0;
  const start = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
  const periodMs = startOfNextMonth(now).getTime() - start;
  const elapsedMs = Math.max(1, now.getTime() - start);
  const elapsedDays = elapsedMs / 86_400_000;
  const periodDays = Math.round(periodMs / 86_400_000);
  const billed =
    Boolean(tenant.data?.subscriptionId) && BILLING_STATUSES.has(tenant.data?.subscriptionStatus ?? '');
  const tooEarly = elapsedDays < PROJECTION_MIN_DAYS;
  const usage = PERIODIC_RESOURCES.map((resource): UsageLine => {
    const used = usedOf(resource);
    const limit = ctx.limits[resource];
    const ceiling = ceilingOf(ctx, resource);
    // Use cannot pass what the plan lets through, so neither can its projection.
    const atPace = Math.round(used / Math.min(1, elapsedMs / periodMs));
    const projected = tooEarly ? null : ceiling === null ? atPace : Math.min(ceiling, atPace);
    const projectedOverage = projected === null ? null : limit === null ? 0 : Math.max(0, projected - limit);
    return {
      resource,
      used,
      limit,
      overage: limit === null ? 0 : Math.max(0, used - limit),
      projected,
      projectedOverage,
      projectedOverageCost:
        billed && projectedOverage !== null ? overageCost(ctx.plan, resource, projectedOverage) : null,
    };
  });
  const days = `${Math.floor(elapsedDays)} of ${periodDays} days`;
  const projection: Projection = !billed
    ? {
        basis: 'not_billed',
        elapsedDays,
        periodDays,
        explanation: `No subscription bills this tenant's overage: use past a limit is refused or allowed by the plan, never charged.`,
      }
    : tooEarly
      ? {
          basis: 'too_early',
          elapsedDays,
          periodDays,
          explanation: `Too early to tell a pace: a projection starts after ${PROJECTION_MIN_DAYS} days of the month (${days} so far).`,
        }
      : {
          basis: 'pace',
          elapsedDays,
          periodDays,
          explanation: `This month's use so far (${days}) continued at the same pace to the month's end, never past what the plan lets through, priced at the plan's overage prices.`,
        };
  const customerId = tenant.data?.stripeCustomerId;
  let invoices: InvoiceSummary[] | null = [];
  if (customerId) {
    invoices = await provider.listInvoices(customerId, 10).catch((error: unknown) => {
      logger.warn('Invoices unavailable', {
        error: error instanceof ServiceUnavailableError ? error.message : error,
      });
      return null;
    });
  }
  return {
    plan: ctx.plan,
    status: tenant.data?.subscriptionStatus ?? 'none',
    subscriptionId: tenant.data?.subscriptionId ?? null,
    currentPeriodEnd: tenant.data?.billingPeriodEnd ?? null,
    pastDueSince: tenant.data?.pastDueSince ?? null,
    period,
    usage,
    projectedOverageTotal: {
      amount: usage.reduce((sum, line) => sum + (line.projectedOverageCost?.amount ?? 0), 0),
      currency: 'usd',
    },
    projection,
    invoices,
    paidByPartner: tenant.data?.billedTo ?? null,
    paidForChildren,
  };
}
