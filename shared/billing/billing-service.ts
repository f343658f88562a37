import { auditSourceOf } from '../audit/actor';
import { recordAuditEvent } from '../audit/audit-log';
import { platformDocumentClient } from '../data/clients';
import { QuotaCounterEntity } from '../data/entities/quota-counter';
import { TenantEntity, type TenantItem } from '../data/entities/tenant';
import { ConflictError, ServiceUnavailableError, ValidationError } from '../errors';
import { logger } from '../observability/logger';
import { monthPeriod, startOfNextMonth } from '../quotas/periods';
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
  /** Use at the month's end at this month's pace. */
  projected: number;
  projectedOverage: number;
  projectedOverageCost: Money | null;
}

export interface BillingSummary {
  plan: PlanId;
  status: 'none' | string;
  subscriptionId: string | null;
  currentPeriodEnd: string | null;
  pastDueSince: string | null;
  period: string;
  usage: UsageLine[];
  projectedOverageTotal: Money;
  /** Null when the billing provider could not be reached: the rest still answers. */
  invoices: InvoiceSummary[] | null;
}

/** Plan, subscription, this month's use with its overage and projection, recent invoices. */
export async function billingSummary(
  provider: BillingProvider,
  ctx: TenantContext,
  now: Date = requestTime(ctx),
): Promise<BillingSummary> {
  const tenant = await TenantEntity.get({ tenantId: ctx.tenantId }).go({ client: platformDocumentClient });
  const period = monthPeriod(now);
  const counters = await QuotaCounterEntity.get(
    PERIODIC_RESOURCES.map((resource) => ({ tenantId: ctx.tenantId, resource, period })),
  ).go({ consistent: true });
  const usedOf = (resource: PeriodicResource) =>
    counters.data.find((c) => c.resource === resource)?.used ?? 0;
  const start = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
  const elapsed = Math.max(1, now.getTime() - start) / (startOfNextMonth(now).getTime() - start);
  const usage = PERIODIC_RESOURCES.map((resource): UsageLine => {
    const used = usedOf(resource);
    const limit = ctx.limits[resource];
    const projected = Math.round(used / Math.min(1, elapsed));
    const projectedOverage = limit === null ? 0 : Math.max(0, projected - limit);
    return {
      resource,
      used,
      limit,
      overage: limit === null ? 0 : Math.max(0, used - limit),
      projected,
      projectedOverage,
      projectedOverageCost: overageCost(ctx.plan, resource, projectedOverage),
    };
  });
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
    invoices,
  };
}
