import Stripe from 'stripe';
import { getConfig } from '../config';
import { ServiceUnavailableError, ValidationError } from '../errors';
import { PLAN_IDS, PLANS, type PeriodicResource, type PlanId } from '../model/plans';
import type { BillingEvent, BillingProvider, InvoiceSummary, SubscriptionState } from './billing-provider';
import { basePriceKeyOf, overagePriceKeyOf } from './catalog-names';

/** Stripe holds webhook timestamps valid for 300 s; older deliveries are refused as replays. */
const WEBHOOK_TOLERANCE_SECONDS = 300;

let client: Stripe | undefined;

/**
 * A signed event is still checked for the shape Stripe sends before anything reads it: an id, a type
 * and an object (`data.object` of `null` or a string would otherwise fail deep inside).
 */
function assertEventShape(event: Stripe.Event): void {
  const raw = event as unknown as { id?: unknown; type?: unknown; data?: { object?: unknown } | null };
  const object = raw.data?.object;
  const problems = [
    ...(typeof raw.id === 'string' && raw.id !== '' ? [] : [{ path: 'id', message: 'must be a string' }]),
    ...(typeof raw.type === 'string' && raw.type !== ''
      ? []
      : [{ path: 'type', message: 'must be a string' }]),
    ...(object && typeof object === 'object' && !Array.isArray(object)
      ? []
      : [{ path: 'data.object', message: 'must be an object' }]),
  ];
  if (problems.length > 0) {
    throw new ValidationError(
      'The event is not of the shape Stripe sends.',
      problems,
      'invalid_webhook_event',
    );
  }
}

/** The Stripe SDK client: Stripe itself, or the twin's stand-in when `STRIPE_API_URL` says so. */
export function stripeClient(): Stripe {
  const { stripe } = getConfig();
  if (!stripe.secretKey) throw new ServiceUnavailableError('Billing is not configured (no Stripe key).');
  if (!client) {
    const target = stripe.apiUrl ? new URL(stripe.apiUrl) : undefined;
    client = new Stripe(stripe.secretKey, {
      // Within the function's 10 s (FUNCTION_TIMEOUT_SECONDS): two tries of 4 s at most.
      maxNetworkRetries: 1,
      timeout: 4_000,
      ...(target
        ? {
            host: target.hostname,
            port: target.port,
            protocol: target.protocol.replace(':', '') as 'http' | 'https',
          }
        : {}),
    });
  }
  return client;
}

/**
 * Stripe's failures (down, slow, refusing the key) are the API's 503, never a 500: billing waits for
 * Stripe, nothing else does.
 */
async function viaStripe<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof Stripe.errors.StripeError) {
      throw new ServiceUnavailableError('Stripe could not be reached or refused the request.', {
        cause: error,
      });
    }
    throw error;
  }
}

/** Subscription statuses that have ended for good: there is nothing left to cancel. */
const ENDED = new Set(['canceled', 'incomplete_expired']);

const iso = (seconds: number | null | undefined) => (seconds ? new Date(seconds * 1000).toISOString() : null);

/**
 * The plan a subscription item's price is the base price of: by its lookup key, or, for a price an
 * earlier catalogue made (its key since taken by a new price, the subscription kept on the old one),
 * by the `plan` the setup put in its metadata. Overage prices carry a `resource` too and are not it.
 */
function planOfPrice(price: Stripe.Price | undefined): PlanId | null {
  if (!price) return null;
  const byKey = PLAN_IDS.find((plan) => basePriceKeyOf(plan) === price.lookup_key);
  if (byKey) return byKey;
  const { plan, resource } = price.metadata ?? {};
  if (resource || price.recurring?.usage_type === 'metered') return null;
  return PLAN_IDS.find((id) => id === plan) ?? null;
}

async function pricesByKey(stripe: Stripe, keys: string[]): Promise<Map<string, string>> {
  const found = await stripe.prices.list({ lookup_keys: keys, active: true, limit: 100 });
  return new Map(found.data.map((price) => [price.lookup_key ?? '', price.id]));
}

/** The calls themselves, on a given Stripe client (Stripe, its test mode, or the twin's stand-in). */
function stripeCalls(stripe: () => Stripe, webhookSecret: () => string | undefined): BillingProvider {
  return {
    async createCustomer({ tenantId, name, email }) {
      const customer = await stripe().customers.create(
        { name, ...(email ? { email } : {}), metadata: { tenantId } },
        // One customer per tenant, however often the outbox retries.
        { idempotencyKey: `tenant-customer-${tenantId}` },
      );
      return customer.id;
    },

    async updateCustomer(customerId, { name, email }) {
      // Stripe clears a field given as the empty string.
      await stripe().customers.update(customerId, { name, email: email ?? '' });
    },

    async createCheckoutSession({ customerId, tenantId, plan, successUrl, cancelUrl }) {
      const overage = Object.keys(PLANS[plan].overagePrices) as PeriodicResource[];
      const keys = [basePriceKeyOf(plan), ...overage.map((resource) => overagePriceKeyOf(plan, resource))];
      const prices = await pricesByKey(stripe(), keys);
      const base = prices.get(basePriceKeyOf(plan));
      if (!base)
        throw new ServiceUnavailableError(
          `Stripe has no price for the ${plan} plan; run npm run stripe:setup.`,
        );
      const session = await stripe().checkout.sessions.create({
        mode: 'subscription',
        customer: customerId,
        client_reference_id: tenantId,
        line_items: [
          { price: base, quantity: 1 },
          // Metered overage prices take no quantity: the meter events bill them.
          ...keys.slice(1).flatMap((key) => (prices.get(key) ? [{ price: prices.get(key) as string }] : [])),
        ],
        subscription_data: { metadata: { tenantId, plan } },
        success_url: successUrl,
        cancel_url: cancelUrl,
      });
      if (!session.url)
        throw new ServiceUnavailableError('Stripe returned a checkout session without a URL.');
      return { id: session.id, url: session.url };
    },

    async createPortalSession({ customerId, returnUrl }) {
      const session = await stripe().billingPortal.sessions.create({
        customer: customerId,
        return_url: returnUrl,
      });
      return { url: session.url };
    },

    async getSubscription(subscriptionId): Promise<SubscriptionState> {
      const subscription = await stripe().subscriptions.retrieve(subscriptionId);
      const items = subscription.items.data;
      const base = items.find((item) => planOfPrice(item.price) !== null);
      return {
        id: subscription.id,
        customerId:
          typeof subscription.customer === 'string' ? subscription.customer : subscription.customer.id,
        status: subscription.status,
        plan: planOfPrice(base?.price),
        currentPeriodEnd: iso(base?.current_period_end),
      };
    },

    async cancelSubscription(subscriptionId): Promise<void> {
      const subscription = await stripe().subscriptions.retrieve(subscriptionId);
      if (ENDED.has(subscription.status)) return;
      await stripe().subscriptions.cancel(subscriptionId, {}, { idempotencyKey: `cancel-${subscriptionId}` });
    },

    async listInvoices(customerId, limit): Promise<InvoiceSummary[]> {
      const invoices = await stripe().invoices.list({ customer: customerId, limit });
      return invoices.data.map((invoice) => ({
        id: invoice.id ?? '',
        number: invoice.number,
        status: invoice.status,
        amountDue: invoice.amount_due,
        amountPaid: invoice.amount_paid,
        currency: invoice.currency,
        createdAt: iso(invoice.created) ?? '',
        hostedInvoiceUrl: invoice.hosted_invoice_url ?? null,
      }));
    },

    async reportUsage({ customerId, eventName, value, identifier, timestamp }) {
      await stripe().billing.meterEvents.create({
        event_name: eventName,
        identifier,
        payload: { stripe_customer_id: customerId, value: String(value) },
        timestamp: Math.floor(timestamp.getTime() / 1000),
      });
    },

    async addInvoiceItem({ customerId, amount, description, metadata, period, idempotencyKey }) {
      const item = await stripe().invoiceItems.create(
        {
          customer: customerId,
          amount: amount.amount,
          currency: amount.currency,
          description,
          metadata,
          period: {
            start: Math.floor(period.start.getTime() / 1000),
            end: Math.floor(period.end.getTime() / 1000),
          },
        },
        { idempotencyKey },
      );
      return item.id;
    },

    verifyWebhook(rawBody, signature): BillingEvent {
      const secret = webhookSecret();
      if (!secret)
        throw new ServiceUnavailableError('Billing webhooks are not configured (no signing secret).');
      const event = stripe().webhooks.constructEvent(rawBody, signature, secret, WEBHOOK_TOLERANCE_SECONDS);
      assertEventShape(event);
      return {
        id: event.id,
        type: event.type,
        createdAt: iso(event.created) ?? new Date().toISOString(),
        object: event.data.object as unknown as BillingEvent['object'],
      };
    },
  };
}

/**
 * The Stripe implementation of the billing interface on a client, its failures answered as 503. The
 * app uses {@link stripeBilling}; the provider suite also runs it against Stripe's test mode.
 */
export function createStripeBilling(
  stripe: () => Stripe,
  webhookSecret: () => string | undefined,
): BillingProvider {
  const calls = stripeCalls(stripe, webhookSecret);
  return {
    createCustomer: (input) => viaStripe(() => calls.createCustomer(input)),
    updateCustomer: (customerId, input) => viaStripe(() => calls.updateCustomer(customerId, input)),
    createCheckoutSession: (input) => viaStripe(() => calls.createCheckoutSession(input)),
    createPortalSession: (input) => viaStripe(() => calls.createPortalSession(input)),
    getSubscription: (id) => viaStripe(() => calls.getSubscription(id)),
    cancelSubscription: (id) => viaStripe(() => calls.cancelSubscription(id)),
    listInvoices: (customerId, limit) => viaStripe(() => calls.listInvoices(customerId, limit)),
    reportUsage: (report) => viaStripe(() => calls.reportUsage(report)),
    addInvoiceItem: (item) => viaStripe(() => calls.addInvoiceItem(item)),
    verifyWebhook: (rawBody, signature) => calls.verifyWebhook(rawBody, signature),
  };
}

/** Billing with the configured Stripe (or the twin's stand-in). */
export const stripeBilling: BillingProvider = createStripeBilling(
  stripeClient,
  () => getConfig().stripe.webhookSecret,
);
