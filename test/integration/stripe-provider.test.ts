import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { basePriceKeyOf } from '../../shared/billing/catalog-names';
import { ensureStripeCatalog } from '../../shared/billing/catalog-setup';
import { createStripeBilling } from '../../shared/billing/stripe-billing';
import { ServiceUnavailableError } from '../../shared/errors';
import { newId } from '../../shared/ids';
import { twin } from '../helpers/twin-api';

/**
 * The billing provider's own suite, run against the twin's stand-in and, when `STRIPE_TEST_SECRET_KEY`
 * holds a test-mode key (`sk_test_…`), against Stripe's test mode itself (reported as skipped
 * otherwise): the same calls must give the same answers, so the stand-in keeps Stripe's shapes.
 */
const testModeKey = process.env.STRIPE_TEST_SECRET_KEY;
const targets = [
  { target: 'the twin’s Stripe stand-in', key: twin.runtimeEnv.STRIPE_SECRET_KEY, url: twin.stripeUrl },
  {
    target: 'Stripe’s test mode',
    key: testModeKey?.startsWith('sk_test_') ? testModeKey : undefined,
    url: undefined,
  },
];

describe.each(targets)('the Stripe billing provider against $target', ({ key, url }) => {
  const stripe = key
    ? new Stripe(key, {
        ...(url ? { host: new URL(url).hostname, port: new URL(url).port, protocol: 'http' as const } : {}),
      })
    : undefined;
  const webhookSecret = `whsec_${newId('tenant').slice(4)}`;
  const provider = stripe
    ? createStripeBilling(
        () => stripe,
        () => webhookSecret,
      )
    : undefined;

  describe.skipIf(!stripe || !provider)('(needs a key)', () => {
    const client = stripe as Stripe;
    const billing = provider as NonNullable<typeof provider>;

    it('sets up the catalog idempotently: a second run changes nothing', async () => {
      await ensureStripeCatalog(client);
      const again = await ensureStripeCatalog(client);
      expect(again.length).toBeGreaterThan(0);
      expect(again.filter((step) => step.action !== 'unchanged')).toEqual([]);
      const prices = await client.prices.list({ lookup_keys: [basePriceKeyOf('starter')] });
      expect(prices.data[0]).toMatchObject({
        unit_amount: 2_900,
        currency: 'usd',
        recurring: { interval: 'month' },
      });
    });

    it('makes one customer per tenant however often it is asked', async () => {
      const tenantId = newId('tenant');
      const first = await billing.createCustomer({ tenantId, name: 'Provider suite' });
      const second = await billing.createCustomer({ tenantId, name: 'Provider suite' });
      expect(second).toBe(first);
      expect(await client.customers.retrieve(first)).toMatchObject({ metadata: { tenantId } });
      expect(await billing.listInvoices(first, 5)).toEqual([]);
    });

    it('opens a checkout session for a paid plan', async () => {
      await ensureStripeCatalog(client);
      const tenantId = newId('tenant');
      const customerId = await billing.createCustomer({ tenantId, name: 'Checkout suite' });
      const session = await billing.createCheckoutSession({
        customerId,
        tenantId,
        plan: 'starter',
        successUrl: 'https://console.tenantry.example/billing?checkout=success',
        cancelUrl: 'https://console.tenantry.example/billing?checkout=cancelled',
      });
      expect(session.id).toMatch(/^cs_test_/);
      expect(session.url).toMatch(/^https?:\/\//);
      const stored = await client.checkout.sessions.retrieve(session.id);
      expect(stored).toMatchObject({
        mode: 'subscription',
        customer: customerId,
        client_reference_id: tenantId,
      });
    });

    it('accepts an overage meter event, and the same identifier again without failing', async () => {
      await ensureStripeCatalog(client);
      const customerId = await billing.createCustomer({ tenantId: newId('tenant'), name: 'Meter suite' });
      const report = {
        customerId,
        eventName: 'tenantry_tokens_overage',
        value: 1234,
        identifier: `provider-suite-${newId('tenant')}`,
        timestamp: new Date(),
      };
      await billing.reportUsage(report);
      await expect(billing.reportUsage(report)).resolves.toBeUndefined();
    });

    it('adds an invoice item for the customer’s next invoice, once per idempotency key', async () => {
      const customerId = await billing.createCustomer({
        tenantId: newId('tenant'),
        name: 'Invoice item suite',
      });
      const item = {
        customerId,
        amount: { amount: 2_900, currency: 'usd' as const },
        description: 'Initech — Starter plan, 2041-03',
        metadata: { tenantId: 'ten_child', line: 'plan' },
        period: { start: new Date('2041-03-01T00:00:00Z'), end: new Date('2041-03-31T23:59:59Z') },
        idempotencyKey: `provider-suite-${newId('tenant')}`,
      };
      const first = await billing.addInvoiceItem(item);
      expect(await billing.addInvoiceItem(item)).toBe(first);
      const pending = await client.invoiceItems.list({ customer: customerId, pending: true });
      expect(pending.data).toHaveLength(1);
      expect(pending.data[0]).toMatchObject({
        id: first,
        object: 'invoiceitem',
        amount: 2_900,
        currency: 'usd',
        customer: customerId,
        description: item.description,
        metadata: item.metadata,
        period: {
          start: Date.parse('2041-03-01T00:00:00Z') / 1000,
          end: Date.parse('2041-03-31T23:59:59Z') / 1000,
        },
      });
    });

    it('answers Stripe’s refusals as 503, never as a crash', async () => {
      await expect(billing.getSubscription('sub_does_not_exist')).rejects.toBeInstanceOf(
        ServiceUnavailableError,
      );
    });

    it('verifies webhook signatures with the signing secret, and refuses other secrets', () => {
      const payload = JSON.stringify({
        id: 'evt_suite',
        object: 'event',
        type: 'invoice.paid',
        created: 1,
        data: { object: { id: 'in_1', object: 'invoice' } },
      });
      const good = client.webhooks.generateTestHeaderString({ payload, secret: webhookSecret });
      expect(billing.verifyWebhook(payload, good)).toMatchObject({ id: 'evt_suite', type: 'invoice.paid' });
      const bad = client.webhooks.generateTestHeaderString({ payload, secret: 'whsec_other' });
      expect(() => billing.verifyWebhook(payload, bad)).toThrow();
    });
  });
});
