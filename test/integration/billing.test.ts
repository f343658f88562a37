import { beforeAll, describe, expect, it, vi } from 'vitest';
import { standIn, standInStripe } from '../helpers/stripe-customer';
import { processBillingOutbox } from '../../shared/billing/billing-outbox';
import { billingSummary } from '../../shared/billing/billing-service';
import { basePriceKeyOf, productIdOf } from '../../shared/billing/catalog-names';
import { ensureStripeCatalog } from '../../shared/billing/catalog-setup';
import { cancelSubscriptionOfDeletedTenant } from '../../shared/billing/tenant-deletion';
import { stripeBilling } from '../../shared/billing/stripe-billing';
import { platformDocumentClient } from '../../shared/data/clients';
import { TenantEntity } from '../../shared/data/entities/tenant';
import { BillingOutboxEntity } from '../../shared/data/entities/billing-outbox';
import { BillingPeriodEntity } from '../../shared/data/entities/billing-period';
import { processTenantJob } from '../../shared/jobs/tenant-job-worker';
import { consumePeriodic } from '../../shared/quotas/periodic-quota';
import { runWithTenantContext } from '../../shared/context/tenant-context';
import { METERED_RESOURCES, PLAN_IDS, PLANS } from '../../shared/model/plans';
import {
  activate,
  addUser,
  adminToken,
  call,
  createTenant,
  inbox,
  storedAuditEvents,
  twin,
  unique,
  type TestTenant,
} from '../helpers/twin-api';
import { ownerContext } from '../helpers/tenant-context';

interface PlanView {
  id: string;
  monthlyPrice: { amount: number; currency: string } | null;
  selfServe: boolean;
  limits: Record<string, number | null>;
  overage: { allowancePercent: number; prices: Record<string, { per: number; price: { amount: number } }> };
}

describe('the plans for sale', () => {
  it('lists every plan with its price, limits and overage prices, to anyone', async () => {
    const response = await call<{ items: PlanView[] }>('GET', '/v1/plans');
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('public, max-age=300');
    expect(response.body.items.map((plan) => plan.id)).toEqual([...PLAN_IDS]);
    const byId = Object.fromEntries(response.body.items.map((plan) => [plan.id, plan]));
    expect(byId.free).toMatchObject({ monthlyPrice: { amount: 0, currency: 'usd' }, selfServe: true });
    expect(byId.starter?.monthlyPrice?.amount).toBe(PLANS.starter.monthlyPrice?.amount);
    expect(byId.professional?.limits.tokens).toBe(PLANS.professional.limits.tokens);
    expect(byId.professional?.overage.allowancePercent).toBe(20);
    expect(byId.professional?.overage.prices.tokens).toMatchObject({ per: 1_000 });
    expect(byId.enterprise).toMatchObject({ monthlyPrice: null, selfServe: false });
    expect(byId.enterprise?.limits.users).toBeNull();
  });
});

const stripe = standInStripe();

async function standInEvents(): Promise<
  Array<{ id: string; type: string; data: { object: { id: string } } }>
> {
  const response = await fetch(`${twin.stripeUrl}/_stand-in/events`);
  return (
    (await response.json()) as { data: Array<{ id: string; type: string; data: { object: { id: string } } }> }
  ).data;
}

/** Delivers an event to the twin's webhook as Stripe does (or with the signature given). */
function deliver(payload: string, signature?: string) {
  return call<{ outcome: string }>('POST', '/v1/stripe/webhook', {
    rawBody: payload,
    headers: {
      'content-type': 'application/json',
      'stripe-signature':
        signature ??
        stripe.webhooks.generateTestHeaderString({
          payload,
          secret: twin.runtimeEnv.STRIPE_WEBHOOK_SECRET ?? '',
        }),
    },
  });
}

async function tenantItem(tenantId: string) {
  return (await TenantEntity.get({ tenantId }).go({ client: platformDocumentClient, consistent: true })).data;
}

async function withCustomer(tenant: TestTenant): Promise<string> {
  await processBillingOutbox(stripeBilling);
  const item = await tenantItem(tenant.id);
  if (!item?.stripeCustomerId) throw new Error('no customer after the outbox ran');
  return item.stripeCustomerId;
}

async function subscribe(tenant: TestTenant, plan = 'starter') {
  const checkout = await call<{ url: string; sessionId: string }>(
    'POST',
    `/v1/tenants/${tenant.id}/billing/checkout`,
    {
      token: tenant.owner.token,
      body: { plan },
    },
  );
  expect(checkout.status, checkout.text).toBe(201);
  return standIn<{ subscription: { id: string } }>(`checkout/${checkout.body.sessionId}/complete`);
}

/** A new free tenant that buys `plan` while webhooks are held back, and the subscription's created event. */
async function heldBackPurchase(plan: string) {
  const tenant = await createTenant({ plan: 'free' });
  await withCustomer(tenant);
  const { subscription } = await subscribe(tenant, plan);
  const created = (await standInEvents()).find(
    (e) => e.type === 'customer.subscription.created' && e.data.object.id === subscription.id,
  );
  return {
    tenant,
    subscription,
    createdPayload: JSON.stringify(await stripe.events.retrieve(created?.id ?? '')),
  };
}

/**
 * With webhooks held: a tenant that bought starter and whose payment then failed, both events
 * delivered (the tenant is past due), the rest held.
 */
async function purchasedThenPastDue() {
  const purchase = await heldBackPurchase('starter');
  expect((await deliver(purchase.createdPayload)).status).toBe(200);
  await standIn(`subscriptions/${purchase.subscription.id}/fail_payment`);
  const failed = (await standInEvents()).find(
    (e) =>
      e.type === 'invoice.payment_failed' && JSON.stringify(e.data.object).includes(purchase.subscription.id),
  );
  expect((await deliver(JSON.stringify(await stripe.events.retrieve(failed?.id ?? '')))).status).toBe(200);
  return purchase;
}

/** Runs `fn` while the stand-in keeps its events instead of delivering them (tests deliver them). */
async function withWebhooksHeld(fn: () => Promise<void>): Promise<void> {
  await standIn('webhooks', { paused: true });
  try {
    await fn();
  } finally {
    await standIn('webhooks', { paused: false });
  }
}

const currentPlan = async (tenant: TestTenant) =>
  (
    await call<{ plan: string; status: string; statusReason: string | null }>('GET', '/v1/tenants/current', {
      token: tenant.owner.token,
    })
  ).body;

describe('billing with Stripe (the stand-in, driven by the real SDK)', () => {
  beforeAll(async () => {
    await standIn('outage', { down: false });
    await standIn('webhooks', { paused: false });
  });

  it('gives every new tenant a Stripe customer through the outbox, once', async () => {
    const tenant = await createTenant({ plan: 'free' });
    const customerId = await withCustomer(tenant);
    const customer = await stripe.customers.retrieve(customerId);
    expect(customer).toMatchObject({ id: customerId, metadata: { tenantId: tenant.id } });
    // A second run finds nothing to do.
    await processBillingOutbox(stripeBilling);
    expect((await tenantItem(tenant.id))?.stripeCustomerId).toBe(customerId);
  });

  it('takes a tenant from free to a paid plan through Checkout, and back when the subscription ends', async () => {
    const tenant = await createTenant({ plan: 'free' });
    await withCustomer(tenant);
    const { subscription } = await subscribe(tenant, 'starter');
    expect(await currentPlan(tenant)).toMatchObject({ plan: 'starter', status: 'active' });
    const billing = await call<{ plan: string; status: string; subscriptionId: string; invoices: unknown[] }>(
      'GET',
      `/v1/tenants/${tenant.id}/billing`,
      { token: tenant.owner.token },
    );
    expect(billing.body).toMatchObject({
      plan: 'starter',
      status: 'active',
      subscriptionId: subscription.id,
    });
    expect(billing.body.invoices).toHaveLength(1);
    // The plan's limits follow at once.
    const quotas = await call<{ quotas: Array<{ resource: string; limit: number }> }>(
      'GET',
      `/v1/tenants/${tenant.id}/quotas`,
      { token: tenant.owner.token },
    );
    expect(quotas.body.quotas.find((line) => line.resource === 'agents')?.limit).toBe(10);
    // A second checkout is refused: the portal changes an existing subscription.
    const again = await call('POST', `/v1/tenants/${tenant.id}/billing/checkout`, {
      token: tenant.owner.token,
      body: { plan: 'professional' },
    });
    expect(again.body).toMatchObject({ code: 'subscription_exists' });
    const portal = await call<{ url: string }>('POST', `/v1/tenants/${tenant.id}/billing/portal`, {
      token: tenant.owner.token,
    });
    expect(portal.status).toBe(201);
    expect(portal.body.url).toContain('/_stand-in/portal/');

    await standIn(`subscriptions/${subscription.id}/cancel`);
    expect((await currentPlan(tenant)).plan).toBe('free');
    const events = (await storedAuditEvents(tenant.id)).filter(
      (e) => e.action === 'billing.subscription_changed',
    );
    expect(events.map((e) => e.after?.plan)).toEqual(['starter', 'free']);
    expect(events.every((e) => e.actorType === 'system')).toBe(true);
  });

  it('keeps a subscription on its price when the catalogue’s price changes, and still reads it as its plan', async () => {
    const tenant = await createTenant({ plan: 'free' });
    await withCustomer(tenant);
    const { subscription } = await subscribe(tenant, 'business');
    expect(await currentPlan(tenant)).toMatchObject({ plan: 'business', status: 'active' });
    const [sold] = (await stripe.prices.list({ lookup_keys: [basePriceKeyOf('business')], active: true }))
      .data;
    expect(sold?.unit_amount).toBe(PLANS.business.monthlyPrice?.amount);
    // A later catalogue sells Business for more: a new price takes the lookup key over, as
    // `npm run stripe:setup` does (Stripe's prices are immutable).
    const raised = await stripe.prices.create({
      product: productIdOf('business'),
      currency: 'usd',
      unit_amount: (sold?.unit_amount ?? 0) + 10_000,
      recurring: { interval: 'month' },
      lookup_key: basePriceKeyOf('business'),
      transfer_lookup_key: true,
      metadata: { plan: 'business' },
    });
    try {
      const kept = await stripe.subscriptions.retrieve(subscription.id);
      expect(kept.items.data[0]?.price.id).toBe(sold?.id);
      expect(kept.items.data[0]?.price.lookup_key).toBeNull();
      // An event about it now (a renewal paid) leaves the tenant on Business, not on Free.
      await standIn(`subscriptions/${subscription.id}/pay`);
      expect(await currentPlan(tenant)).toMatchObject({ plan: 'business', status: 'active' });
      expect((await stripeBilling.getSubscription(subscription.id)).plan).toBe('business');
    } finally {
      // The setup puts the catalogue's price back (a third price, the key moved to it).
      const steps = await ensureStripeCatalog(stripe);
      expect(steps).toContainEqual(
        expect.objectContaining({ action: 'updated', object: 'price', name: basePriceKeyOf('business') }),
      );
    }
    const [now] = (await stripe.prices.list({ lookup_keys: [basePriceKeyOf('business')], active: true }))
      .data;
    expect(now?.id).not.toBe(raised.id);
    expect(now?.unit_amount).toBe(PLANS.business.monthlyPrice?.amount);
    expect((await stripe.subscriptions.retrieve(subscription.id)).items.data[0]?.price.id).toBe(sold?.id);
  });

  it('lets only owners buy (billing:manage), and only plans sold through checkout', async () => {
    const tenant = await createTenant({ plan: 'free' });
    const admin = await addUser(tenant, 'admin');
    const refused = await call('POST', `/v1/tenants/${tenant.id}/billing/checkout`, {
      token: admin.token,
      body: { plan: 'starter' },
    });
    expect(refused.body).toMatchObject({ code: 'permission_denied' });
    for (const plan of ['free', 'enterprise']) {
      const response = await call('POST', `/v1/tenants/${tenant.id}/billing/checkout`, {
        token: tenant.owner.token,
        body: { plan },
      });
      expect(response.status).toBe(400);
    }
    for (const url of ['', 'not a uri', 'https://', '//evil.example/x']) {
      for (const field of ['successUrl', 'cancelUrl']) {
        const bad = await call('POST', `/v1/tenants/${tenant.id}/billing/checkout`, {
          token: tenant.owner.token,
          body: { plan: 'starter', [field]: url },
        });
        expect(bad.status, `${field}=${JSON.stringify(url)}: ${bad.text}`).toBe(400);
        expect(bad.headers.get('content-type')).toContain('application/problem+json');
      }
      const portal = await call('POST', `/v1/tenants/${tenant.id}/billing/portal`, {
        token: tenant.owner.token,
        body: { returnUrl: url },
      });
      expect(portal.status, `returnUrl=${JSON.stringify(url)}: ${portal.text}`).toBe(400);
    }
    const openRedirect = await call('POST', `/v1/tenants/${tenant.id}/billing/checkout`, {
      token: tenant.owner.token,
      body: { plan: 'starter', successUrl: 'https://evil.example/phish' },
    });
    expect(openRedirect.status).toBe(400);
    const allowed = await call('POST', `/v1/tenants/${tenant.id}/billing/checkout`, {
      token: tenant.owner.token,
      body: { plan: 'starter' },
    });
    expect(allowed.status).toBe(201);
  });

  it('cancels a deleted tenant’s subscription through the outbox; the webhook drops it to Free', async () => {
    const tenant = await createTenant({ plan: 'free' });
    await withCustomer(tenant);
    const { subscription } = await subscribe(tenant);
    expect(await tenantItem(tenant.id)).toMatchObject({ plan: 'starter', subscriptionId: subscription.id });
    const deleted = await call('DELETE', `/v1/tenants/${tenant.id}`, {
      token: tenant.owner.token,
      body: { confirm: tenant.slug },
    });
    expect(deleted.status, deleted.text).toBe(200);
    // Billing reacts to the tenant.deleted event with an outbox item; before the outbox runs, Stripe
    // still bills it: the cancellation is the outbox's work.
    await vi.waitFor(
      async () =>
        expect(
          (await BillingOutboxEntity.get({ kind: 'cancelSubscription', tenantId: tenant.id }).go()).data,
        ).toMatchObject({ subscriptionId: subscription.id }),
      { timeout: 10_000, interval: 50 },
    );
    expect((await stripeBilling.getSubscription(subscription.id)).status).toBe('active');
    await processBillingOutbox(stripeBilling);
    expect((await stripeBilling.getSubscription(subscription.id)).status).toBe('canceled');
    const item = await tenantItem(tenant.id);
    expect(item).toMatchObject({ status: 'deleted', plan: 'free' });
    expect(item?.subscriptionId).toBeUndefined();
    // Cancelling again (a purge, a repeated outbox item) is harmless.
    await expect(stripeBilling.cancelSubscription(subscription.id)).resolves.toBeUndefined();

    // Restored, it is on Free, and says so: the plan it paid for is offered again, to its owners by
    // email too, until it is bought.
    const restored = await call<{ plan: string; resumablePlan: string | null }>(
      'POST',
      `/v1/tenants/${tenant.id}/restore`,
      { token: tenant.owner.token },
    );
    expect(restored.status, restored.text).toBe(200);
    expect(restored.body).toMatchObject({ plan: 'free', resumablePlan: 'starter' });
    const [notice] = await inbox(tenant.owner.email, { subject: 'has been restored', waitMs: 5_000 });
    expect(notice?.text).toContain('Its Starter subscription was cancelled with the deletion');
    await subscribe(tenant, 'starter');
    const bought = await call<{ plan: string; resumablePlan: string | null }>(
      'GET',
      `/v1/tenants/${tenant.id}`,
      {
        token: tenant.owner.token,
      },
    );
    expect(bought.body).toMatchObject({ plan: 'starter', resumablePlan: null });
  });

  it('reacts to tenant.deleted only while the tenant is deleted, and once however often the event comes', async () => {
    const tenant = await createTenant({ plan: 'free' });
    await withCustomer(tenant);
    const { subscription } = await subscribe(tenant);
    const cancellation = async () =>
      (
        await BillingOutboxEntity.get({ kind: 'cancelSubscription', tenantId: tenant.id }).go({
          consistent: true,
        })
      ).data;
    const event = {
      id: 'evt_late',
      type: 'tenant.deleted' as const,
      tenantId: tenant.id,
      occurredAt: new Date().toISOString(),
      data: { purgeAfter: '2099-01-01T00:00:00.000Z' },
    };
    // An event that arrives after the tenant was restored (here: a tenant that is active) cancels nothing.
    await cancelSubscriptionOfDeletedTenant(event);
    expect(await cancellation()).toBeNull();
    // The rightful case: deleted, the reaction queues the cancellation; a redelivery queues no second one.
    const deleted = await call('DELETE', `/v1/tenants/${tenant.id}`, {
      token: tenant.owner.token,
      body: { confirm: tenant.slug },
    });
    expect(deleted.status, deleted.text).toBe(200);
    await vi.waitFor(
      async () => expect(await cancellation()).toMatchObject({ subscriptionId: subscription.id }),
      {
        timeout: 10_000,
        interval: 50,
      },
    );
    await cancelSubscriptionOfDeletedTenant(event);
    const outbox = await BillingOutboxEntity.query.pending({}).go({ pages: 'all', consistent: true });
    expect(outbox.data.filter((item) => item.tenantId === tenant.id)).toHaveLength(1);
    await processBillingOutbox(stripeBilling);
    expect((await stripeBilling.getSubscription(subscription.id)).status).toBe('canceled');
    // After the cancellation (the webhook dropped the subscription), the event coming again asks nothing.
    await cancelSubscriptionOfDeletedTenant(event);
    expect(await cancellation()).toBeNull();
  });

  it('applies a replayed event once: five deliveries, one effect', () =>
    withWebhooksHeld(async () => {
      const { tenant, createdPayload } = await heldBackPurchase('professional');
      const outcomes: string[] = [];
      for (let i = 0; i < 5; i += 1) outcomes.push((await deliver(createdPayload)).body.outcome);
      expect(outcomes).toEqual(['applied', 'duplicate', 'duplicate', 'duplicate', 'duplicate']);
      expect((await currentPlan(tenant)).plan).toBe('professional');
      const changes = (await storedAuditEvents(tenant.id)).filter(
        (e) => e.action === 'billing.subscription_changed',
      );
      expect(changes).toHaveLength(1);
    }));

  it('ends in the right state when events arrive in reverse order', () =>
    withWebhooksHeld(async () => {
      const { tenant, subscription } = await heldBackPurchase('starter');
      await standIn(`subscriptions/${subscription.id}/fail_payment`);
      await standIn(`subscriptions/${subscription.id}/pay`);
      const ids = (await standInEvents())
        .filter((e) => JSON.stringify(e.data.object).includes(subscription.id))
        .map((e) => e.id);
      expect(ids.length).toBeGreaterThanOrEqual(6);
      for (const id of ids.reverse()) {
        const response = await deliver(JSON.stringify(await stripe.events.retrieve(id)));
        expect(response.status).toBe(200);
      }
      // The subscription is active and paid: starter, nothing owed.
      expect(await currentPlan(tenant)).toMatchObject({ plan: 'starter', status: 'active' });
      expect((await tenantItem(tenant.id))?.pastDueSince).toBeUndefined();
    }));

  it('keeps a paid tenant paid when a payment failure arrives after the payment, and dunning suspends nobody', () =>
    withWebhooksHeld(async () => {
      const { tenant, subscription } = await heldBackPurchase('starter');
      await standIn(`subscriptions/${subscription.id}/fail_payment`);
      await standIn(`subscriptions/${subscription.id}/pay`);
      const events = (await standInEvents()).filter((e) =>
        JSON.stringify(e.data.object).includes(subscription.id),
      );
      const failed = events.find((e) => e.type === 'invoice.payment_failed');
      // Every event but the failure, in order; then the failure, late.
      for (const event of [...events.filter((e) => e !== failed), failed]) {
        const response = await deliver(JSON.stringify(await stripe.events.retrieve(event?.id ?? '')));
        expect(response.status, response.text).toBe(200);
      }
      expect(await tenantItem(tenant.id)).toMatchObject({ plan: 'starter', subscriptionStatus: 'active' });
      expect((await tenantItem(tenant.id))?.pastDueSince).toBeUndefined();
      await processTenantJob(
        { job: 'billing-daily', tenantId: tenant.id, period: 'x' },
        new Date(Date.now() + 30 * 86_400_000),
      );
      expect(await currentPlan(tenant)).toMatchObject({ plan: 'starter', status: 'active' });
    }));

  it('asks Stripe before it suspends: a payment whose events never came clears the debt instead', () =>
    withWebhooksHeld(async () => {
      const { tenant, subscription } = await purchasedThenPastDue();
      const owed = await tenantItem(tenant.id);
      expect(owed?.pastDueSince).toEqual(expect.any(String));
      // The customer pays; its events are lost.
      await standIn(`subscriptions/${subscription.id}/pay`);
      const job = { job: 'billing-daily' as const, tenantId: tenant.id, period: 'x' };
      await processTenantJob(job, new Date(Date.parse(owed?.pastDueSince ?? '') + 8 * 86_400_000));
      expect(await currentPlan(tenant)).toMatchObject({ plan: 'starter', status: 'active' });
      const after = await tenantItem(tenant.id);
      expect(after).toMatchObject({ subscriptionStatus: 'active' });
      expect(after?.pastDueSince).toBeUndefined();
      const audited = (await storedAuditEvents(tenant.id)).filter(
        (e) => e.action === 'billing.subscription_changed' && e.after?.subscriptionStatus === 'active',
      );
      expect(audited.length).toBeGreaterThanOrEqual(2);
    }));

  it('suspends after the grace when Stripe confirms the debt (positive control), and not while Stripe is down', () =>
    withWebhooksHeld(async () => {
      const { tenant, subscription } = await purchasedThenPastDue();
      const since = Date.parse((await tenantItem(tenant.id))?.pastDueSince ?? '');
      const job = { job: 'billing-daily' as const, tenantId: tenant.id, period: 'x' };
      await standIn('outage', { down: true, paths: [`/v1/subscriptions/${subscription.id}`] });
      try {
        await expect(processTenantJob(job, new Date(since + 8 * 86_400_000))).rejects.toMatchObject({
          code: 'service_unavailable',
        });
        expect((await currentPlan(tenant)).status).toBe('active');
      } finally {
        await standIn('outage', { down: false });
      }
      await processTenantJob(job, new Date(since + 8 * 86_400_000));
      expect(await currentPlan(tenant)).toMatchObject({
        status: 'suspended',
        statusReason: 'payment_overdue',
      });
    }));

  describe('every pair of billing events, in both orders', () => {
    /** The event again under a fresh id (so it is news to the exactly-once record), signed anew. */
    async function deliverFresh(eventId: string, suffix: string) {
      const event = (await stripe.events.retrieve(eventId)) as unknown as { id: string };
      const response = await deliver(JSON.stringify({ ...event, id: `${event.id}_${suffix}` }));
      expect(response.status, response.text).toBe(200);
    }

    /** The tenant's billing as it was before any event: free, no subscription, nothing owed. */
    async function resetBilling(tenantId: string) {
      await TenantEntity.patch({ tenantId })
        .set({ plan: 'free', status: 'active', updatedAt: new Date().toISOString() })
        .remove(['subscriptionId', 'subscriptionStatus', 'billingPeriodEnd', 'pastDueSince', 'statusReason'])
        .go({ client: platformDocumentClient, response: 'none' });
    }

    const scenarios = [
      { name: 'paid in the end', steps: ['fail_payment', 'pay'], expect: { plan: 'starter', owing: false } },
      { name: 'owing in the end', steps: ['pay', 'fail_payment'], expect: { plan: 'starter', owing: true } },
      {
        name: 'cancelled in the end',
        steps: ['fail_payment', 'cancel'],
        expect: { plan: 'free', owing: false },
      },
    ] as const;

    for (const scenario of scenarios) {
      it(`follows Stripe's state whatever the order (${scenario.name})`, () =>
        withWebhooksHeld(async () => {
          const { tenant, subscription } = await heldBackPurchase('starter');
          for (const step of scenario.steps) await standIn(`subscriptions/${subscription.id}/${step}`);
          const events = (await standInEvents()).filter((e) =>
            JSON.stringify(e.data.object).includes(subscription.id),
          );
          const types = new Set(events.map((e) => e.type));
          expect(types.size).toBeGreaterThanOrEqual(5);
          let round = 0;
          for (const first of events) {
            for (const second of events) {
              if (first === second) continue;
              round += 1;
              await resetBilling(tenant.id);
              await deliverFresh(first.id, `r${round}a`);
              await deliverFresh(second.id, `r${round}b`);
              const item = await tenantItem(tenant.id);
              const where = `${first.type} then ${second.type}`;
              expect(item?.plan, where).toBe(scenario.expect.plan);
              expect(item?.pastDueSince !== undefined, where).toBe(scenario.expect.owing);
              expect(item?.status, where).toBe('active');
            }
          }
          expect(round).toBe(events.length * (events.length - 1));
        }));
    }
  });

  it('refuses a bad signature or a stale timestamp with 400 and changes nothing', () =>
    withWebhooksHeld(async () => {
      const { tenant, createdPayload } = await heldBackPurchase('starter');
      const payload = createdPayload;
      const secret = twin.runtimeEnv.STRIPE_WEBHOOK_SECRET ?? '';
      const forged = stripe.webhooks.generateTestHeaderString({ payload, secret: 'whsec_not_the_secret' });
      const stale = stripe.webhooks.generateTestHeaderString({
        payload,
        secret,
        timestamp: Math.floor(Date.now() / 1000) - 301,
      });
      for (const signature of [forged, stale, 'garbage']) {
        const response = await deliver(payload, signature);
        expect(response.status).toBe(400);
        expect(response.body).toMatchObject({ code: 'invalid_webhook_signature' });
      }
      const tampered = await deliver(
        payload.replace('"starter', '"professional'),
        stripe.webhooks.generateTestHeaderString({ payload, secret }),
      );
      expect(tampered.status).toBe(400);
      expect((await currentPlan(tenant)).plan).toBe('free');
      // Rightly signed but not of Stripe's shape: a 400 that changes nothing.
      const parsed = JSON.parse(payload) as { data: { object: unknown } };
      for (const object of [null, 'sub_x', []]) {
        const odd = await deliver(
          JSON.stringify({ ...parsed, id: `evt_odd_${unique('x')}`, data: { object } }),
        );
        expect(odd.status, odd.text).toBe(400);
        expect(odd.body).toMatchObject({ code: 'invalid_webhook_event' });
      }
      const noData = await deliver(JSON.stringify({ ...parsed, id: `evt_odd_${unique('x')}`, data: null }));
      expect(noData.body).toMatchObject({ code: 'invalid_webhook_event' });
      // Positive control: the same event, rightly signed, takes effect.
      expect((await deliver(payload)).body.outcome).toBe('applied');
      expect((await currentPlan(tenant)).plan).toBe('starter');
    }));

  it('signs a tenant up while Stripe is down, and makes its customer once Stripe is back', async () => {
    // This tenant's customer only: other suites' calls to Stripe, running meanwhile, are not part of
    // this outage.
    const name = unique('Outage Inc');
    await standIn('outage', { down: true, paths: ['/v1/customers'], match: { name } });
    const email = `${unique('outage')}@example.test`;
    let tenantId = '';
    try {
      const signup = await call('POST', '/v1/tenants/signup', {
        body: { name, slug: unique('outage'), owner: { email } },
        from: '127.9.9.9',
      });
      expect(signup.status).toBe(202);
      const me = await call<{ memberships: Array<{ tenantId: string }> }>('GET', '/v1/me', {
        token: await activate(email),
      });
      tenantId = me.body.memberships[0]?.tenantId ?? '';
      const run = await processBillingOutbox(stripeBilling);
      expect(run.failed).toBeGreaterThanOrEqual(1);
      expect((await tenantItem(tenantId))?.stripeCustomerId).toBeUndefined();
    } finally {
      await standIn('outage', { down: false });
    }
    // Not before its backoff; then once.
    expect((await processBillingOutbox(stripeBilling)).waiting).toBeGreaterThanOrEqual(1);
    // An hour on, the run reports the backlog it found (the heartbeat's alarm reads it): the
    // waiting item among them, an hour old at least.
    const later = await processBillingOutbox(stripeBilling, new Date(Date.now() + 3_600_000));
    expect(later.pending).toBeGreaterThanOrEqual(1);
    expect(later.oldestSeconds).toBeGreaterThanOrEqual(3_600);
    const customerId = (await tenantItem(tenantId))?.stripeCustomerId;
    expect(customerId).toMatch(/^cus_/);
    expect(await stripe.customers.retrieve(customerId ?? '')).toMatchObject({ metadata: { tenantId } });
    const customers = await stripe.customers.list({ limit: 100 });
    expect(customers.data.filter((customer) => customer.metadata.tenantId === tenantId)).toHaveLength(1);
  });

  it('suspends a tenant whose payment is owed past the grace, and a paid invoice reactivates it', async () => {
    const tenant = await createTenant({ plan: 'free' });
    await withCustomer(tenant);
    const { subscription } = await subscribe(tenant, 'starter');
    await standIn(`subscriptions/${subscription.id}/fail_payment`);
    const owed = await call<{ status: string; pastDueSince: string }>(
      'GET',
      `/v1/tenants/${tenant.id}/billing`,
      {
        token: tenant.owner.token,
      },
    );
    expect(owed.body).toMatchObject({ status: 'past_due', pastDueSince: expect.any(String) });
    const [told] = await inbox(tenant.owner.email, { subject: 'A payment failed' });
    expect(told?.text).toContain('within 7 days');
    const since = Date.parse(owed.body.pastDueSince);
    const job = { job: 'billing-daily' as const, tenantId: tenant.id, period: 'x' };
    // Within the grace (7 days): still active.
    await processTenantJob(job, new Date(since + 6 * 86_400_000));
    expect((await currentPlan(tenant)).status).toBe('active');
    await processTenantJob(job, new Date(since + 7 * 86_400_000 + 1000));
    expect(await currentPlan(tenant)).toMatchObject({ status: 'suspended', statusReason: 'payment_overdue' });
    // The job ran in another process: the API sees it within its tenant cache time (5 s).
    const deadline = Date.now() + 9_000;
    let blocked = await call('GET', `/v1/tenants/${tenant.id}/agents`, { token: tenant.owner.token });
    while (blocked.status === 200 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      blocked = await call('GET', `/v1/tenants/${tenant.id}/agents`, { token: tenant.owner.token });
    }
    expect(blocked.body).toMatchObject({ code: 'tenant_suspended' });
    // The owner can still reach billing and pay.
    expect(
      (await call('GET', `/v1/tenants/${tenant.id}/billing`, { token: tenant.owner.token })).status,
    ).toBe(200);
    await standIn(`subscriptions/${subscription.id}/pay`);
    expect(await currentPlan(tenant)).toMatchObject({
      plan: 'starter',
      status: 'active',
      statusReason: null,
    });
  });

  describe('overage at the billing close', () => {
    async function meterEvents(): Promise<
      Array<{ identifier: string; event_name: string; payload: { value: string } }>
    > {
      const response = await fetch(`${twin.stripeUrl}/_stand-in/meter_events`);
      return (
        (await response.json()) as {
          data: Array<{ identifier: string; event_name: string; payload: { value: string } }>;
        }
      ).data;
    }

    /** A starter tenant (paid through checkout) that used 2,100,000 tokens in June 2040 (limit 2,000,000). */
    async function starterWithOverage() {
      const tenant = await createTenant({ plan: 'free' });
      await withCustomer(tenant);
      await subscribe(tenant, 'starter');
      const ctx = ownerContext(tenant.id, tenant.owner.id, 'starter');
      await runWithTenantContext(ctx, () =>
        consumePeriodic(ctx, 'tokens', 2_100_000, new Date('2040-06-15T12:00:00Z')),
      );
      return tenant;
    }

    const bill = (tenantId: string) =>
      BillingPeriodEntity.get({ tenantId, period: '2040-06' }).go({
        client: platformDocumentClient,
        consistent: true,
      });

    it('projects only what a subscription bills, from a pace of at least three days, never past the grace', async () => {
      const paid = await starterWithOverage();
      const summary = (tenantId: string, ownerId: string, at: string) => {
        const ctx = ownerContext(tenantId, ownerId, 'starter');
        return runWithTenantContext(ctx, () => billingSummary(stripeBilling, ctx, new Date(at)));
      };
      // Mid-June, 2,100,000 of 2,000,000 tokens used: at that pace the month would reach 4.3 million,
      // but the plan lets 10 % past the limit through, so 2,200,000 is what can be billed.
      const mid = await summary(paid.id, paid.owner.id, '2040-06-15T12:00:00Z');
      const tokens = mid.usage.find((line) => line.resource === 'tokens');
      expect(mid.projection.basis).toBe('pace');
      expect(mid.projection.explanation).toContain('14 of 30 days');
      expect(tokens).toMatchObject({ used: 2_100_000, projected: 2_200_000, projectedOverage: 200_000 });
      const price = PLANS.starter.overagePrices.tokens;
      expect(tokens?.projectedOverageCost?.amount).toBe(
        Math.ceil(200_000 / (price?.per ?? 1)) * (price?.price.amount ?? 0),
      );
      expect(mid.projectedOverageTotal.amount).toBe(tokens?.projectedOverageCost?.amount);
      // In the month's first days there is no pace to tell: no projection, and nothing projected.
      const early = await summary(paid.id, paid.owner.id, '2040-06-02T06:00:00Z');
      expect(early.projection.basis).toBe('too_early');
      expect(early.usage.every((line) => line.projected === null && line.projectedOverageCost === null)).toBe(
        true,
      );
      expect(early.projectedOverageTotal.amount).toBe(0);
      // The same use without a subscription: nothing is billed, so nothing is projected as a cost.
      const unpaid = await createTenant({ plan: 'starter' });
      const ctx = ownerContext(unpaid.id, unpaid.owner.id, 'starter');
      await runWithTenantContext(ctx, () =>
        consumePeriodic(ctx, 'tokens', 2_100_000, new Date('2040-06-15T12:00:00Z')),
      );
      const free = await summary(unpaid.id, unpaid.owner.id, '2040-06-15T12:00:00Z');
      expect(free.projection.basis).toBe('not_billed');
      expect(free.usage.find((line) => line.resource === 'tokens')).toMatchObject({
        projected: 2_200_000,
        projectedOverageCost: null,
      });
      expect(free.projectedOverageTotal.amount).toBe(0);
    });

    it('reports each tenant’s overage to Stripe once per period, however often the close runs', async () => {
      const tenant = await starterWithOverage();
      const job = { job: 'billing-close' as const, tenantId: tenant.id, period: '2040-06' };
      await processTenantJob(job, new Date('2040-07-01T01:00:00Z'));
      await processTenantJob(job, new Date('2040-07-01T01:05:00Z'));
      const identifier = `tenantry-${tenant.id}-tokens-2040-06`;
      const sent = (await meterEvents()).filter((event) => event.identifier === identifier);
      expect(sent).toEqual([
        expect.objectContaining({
          event_name: 'tenantry_tokens_overage',
          payload: expect.objectContaining({ value: '100000' }),
        }),
      ]);
      const item = (await bill(tenant.id)).data;
      expect(item).toMatchObject({
        overage: { tokens: 100_000 },
        amounts: { tokens: { amount: 100, currency: 'usd' } },
        reported: { tokens: { identifier } },
      });
      // Nothing else was billable: no other resource went over.
      expect((await meterEvents()).filter((event) => event.identifier.includes(tenant.id))).toHaveLength(1);
    });

    it('bills a metered resource recorded through the usage API past its limit to its own meter, as plan data declares it', async () => {
      const tenant = await createTenant({ plan: 'free' });
      await withCustomer(tenant);
      await subscribe(tenant, 'starter');
      const at = new Date('2041-03-20T12:00:00Z');
      const usage = (path: string, body: Record<string, unknown>) =>
        call<{ limit: number | null; event?: { overage: number } }>(
          'POST',
          `/v1/tenants/${tenant.id}/${path}`,
          {
            token: tenant.owner.token,
            body,
            at,
          },
        );
      // The functions learn the new plan within seconds (their tenant caches).
      const deadline = Date.now() + 15_000;
      while ((await usage('quotas/check', { resource: 'toolCalls', amount: 1 })).body.limit !== 20_000) {
        if (Date.now() > deadline) throw new Error('the plan change never reached the usage API');
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      for (const amount of [20_000, 1_500]) {
        const made = await usage('usage', {
          resource: 'toolCalls',
          amount,
          description: `tool calls ×${amount}`,
        });
        expect(made.status, made.text).toBe(201);
      }
      const job = { job: 'billing-close' as const, tenantId: tenant.id, period: '2041-03' };
      await processTenantJob(job, new Date('2041-04-01T01:00:00Z'));
      const identifier = `tenantry-${tenant.id}-toolCalls-2041-03`;
      expect((await meterEvents()).filter((event) => event.identifier === identifier)).toEqual([
        expect.objectContaining({
          event_name: METERED_RESOURCES.toolCalls.stripeMeter,
          payload: expect.objectContaining({ value: '1500' }),
        }),
      ]);
      const closed = await BillingPeriodEntity.get({ tenantId: tenant.id, period: '2041-03' }).go({
        client: platformDocumentClient,
        consistent: true,
      });
      // Two started blocks of 1,000 at Starter's 50¢.
      expect(closed.data).toMatchObject({
        overage: { toolCalls: 1_500 },
        amounts: { toolCalls: { amount: 100, currency: 'usd' } },
        reported: { toolCalls: { identifier } },
      });
    });

    it('reports an overage that Stripe refused during the close when the job is retried, once', async () => {
      const tenant = await starterWithOverage();
      const job = { job: 'billing-close' as const, tenantId: tenant.id, period: '2040-06' };
      const identifier = `tenantry-${tenant.id}-tokens-2040-06`;
      // This tenant's meter event only: other suites' billing closes are not part of this outage.
      await standIn('outage', { down: true, paths: ['/v1/billing/meter_events'], match: { identifier } });
      try {
        await expect(processTenantJob(job, new Date('2040-07-01T01:00:00Z'))).rejects.toThrow(/Stripe/);
      } finally {
        await standIn('outage', { down: false });
      }
      expect((await bill(tenant.id)).data?.reported).toBeUndefined();
      expect((await meterEvents()).filter((event) => event.identifier === identifier)).toHaveLength(0);
      await processTenantJob(job, new Date('2040-07-01T01:10:00Z'));
      await processTenantJob(job, new Date('2040-07-01T01:20:00Z'));
      expect((await meterEvents()).filter((event) => event.identifier === identifier)).toHaveLength(1);
    });
  });

  describe('trials', () => {
    /** A tenant as self-serve makes them: no plan named, so a trial of the trial plan. */
    async function trialTenant(): Promise<TestTenant & { trialEndsAt: string }> {
      const slug = unique('trial');
      const email = `${unique('trial')}@example.test`;
      const created = await call<{ tenant: { id: string; plan: string; trialEndsAt: string } }>(
        'POST',
        '/v1/tenants',
        {
          token: await adminToken(),
          body: { name: 'Trial', slug, owner: { email } },
        },
      );
      expect(created.body.tenant).toMatchObject({ plan: 'starter', trialEndsAt: expect.any(String) });
      const token = await activate(email);
      return {
        id: created.body.tenant.id,
        slug,
        name: 'Trial',
        owner: { id: '', email, token },
        trialEndsAt: created.body.tenant.trialEndsAt,
      };
    }

    it('drops a tenant whose trial ended with no plan bought to Free, and keeps one that bought its plan', async () => {
      const [lapsed, bought] = await Promise.all([trialTenant(), trialTenant()]);
      await withCustomer(bought);
      await subscribe(bought, 'starter');
      const after = (tenant: { trialEndsAt: string }) => new Date(Date.parse(tenant.trialEndsAt) + 60_000);
      // Before the end, nothing happens.
      await processTenantJob(
        { job: 'billing-daily', tenantId: lapsed.id, period: 'x' },
        new Date(Date.parse(lapsed.trialEndsAt) - 60_000),
      );
      expect((await tenantItem(lapsed.id))?.plan).toBe('starter');
      for (const tenant of [lapsed, bought]) {
        await processTenantJob({ job: 'billing-daily', tenantId: tenant.id, period: 'x' }, after(tenant));
      }
      expect((await tenantItem(lapsed.id))?.plan).toBe('free');
      expect((await tenantItem(bought.id))?.plan).toBe('starter');
      // Neither shows a trial any more: one ended, one bought a plan; the record keeps the date.
      for (const tenant of [lapsed, bought]) {
        const read = await call<{ trialEndsAt: string | null }>('GET', `/v1/tenants/${tenant.id}`, {
          token: tenant.owner.token,
        });
        expect(read.body.trialEndsAt).toBeNull();
      }
      const ended = (await storedAuditEvents(lapsed.id)).filter((e) => e.action === 'tenant.trial_ended');
      expect(ended).toEqual([expect.objectContaining({ actorType: 'system', after: { plan: 'free' } })]);
      // A second run changes nothing.
      await processTenantJob({ job: 'billing-daily', tenantId: lapsed.id, period: 'y' }, after(lapsed));
      expect(
        (await storedAuditEvents(lapsed.id)).filter((e) => e.action === 'tenant.trial_ended'),
      ).toHaveLength(1);
    });

    it('gives a tenant created on a named plan no trial', async () => {
      const tenant = await createTenant({ plan: 'professional' });
      expect((await tenantItem(tenant.id))?.trialEndsAt).toBeUndefined();
    });
  });
});
