import { standIn, standInStripe } from '../helpers/stripe-customer';
import { describe, expect, it } from 'vitest';
import { processBillingOutbox } from '../../shared/billing/billing-outbox';
import { stripeBilling } from '../../shared/billing/stripe-billing';
import { platformDocumentClient } from '../../shared/data/clients';
import { BillingPeriodEntity } from '../../shared/data/entities/billing-period';
import { QuotaCounterEntity } from '../../shared/data/entities/quota-counter';
import { TenantEntity } from '../../shared/data/entities/tenant';
import { processTenantJob } from '../../shared/jobs/tenant-job-worker';
import { PLANS } from '../../shared/model/plans';
import { call, createChild, createTenant, storedAuditEvents, type TestTenant } from '../helpers/twin-api';

const stripe = standInStripe();

const tenantItem = async (tenantId: string) =>
  (await TenantEntity.get({ tenantId }).go({ client: platformDocumentClient, consistent: true })).data;

function payFor(partner: TestTenant, childId: string, body: Record<string, unknown>) {
  return call<{ childId: string; paidBy: string; plan: string }>(
    'PUT',
    `/v1/tenants/${partner.id}/children/${childId}/billing`,
    { token: partner.owner.token, body },
  );
}

async function checkout(tenant: TestTenant, plan: string) {
  return call<{ url: string; sessionId: string; code?: string }>(
    'POST',
    `/v1/tenants/${tenant.id}/billing/checkout`,
    { token: tenant.owner.token, body: { plan } },
  );
}

/** The partner's invoice items that name this child (the stand-in keeps Stripe's objects). */
async function linesFor(customerId: string, childId: string) {
  const items = await stripe.invoiceItems.list({ customer: customerId, limit: 100 });
  return items.data.filter((item) => item.metadata?.tenantId === childId);
}

/** A month the child used 100,000 tokens past its Starter limit (2,000,000), as its counter says. */
async function tokensPastLimit(childId: string, period: string) {
  await QuotaCounterEntity.put({
    tenantId: childId,
    resource: 'tokens',
    period,
    used: 2_100_000,
    updatedAt: new Date().toISOString(),
  }).go({ client: platformDocumentClient });
}

describe('a partner paying for its children', () => {
  it('puts each child’s plan and overage on the partner’s invoice, a line each, once however often the close runs', async () => {
    const partner = await createTenant({ plan: 'partner' });
    const child = await createChild(partner);
    const paid = await payFor(partner, child.id, { paidBy: 'partner', plan: 'starter' });
    expect(paid.status, paid.text).toBe(200);
    expect(paid.body).toEqual({ childId: child.id, paidBy: 'partner', plan: 'starter' });
    // The child is on Starter now, says who pays, and cannot buy a subscription of its own.
    expect((await tenantItem(child.id))?.plan).toBe('starter');
    const childBilling = await call<{ plan: string; paidByPartner: string | null }>(
      'GET',
      `/v1/tenants/${child.id}/billing`,
      { token: child.owner.token },
    );
    expect(childBilling.body).toMatchObject({ plan: 'starter', paidByPartner: partner.id });
    const refused = await checkout(child, 'professional');
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'billed_by_partner', partnerId: partner.id });
    // The partner sees what it pays for; its list says so; both logs have the change.
    const partnerBilling = await call<{ paidForChildren: unknown[]; paidByPartner: string | null }>(
      'GET',
      `/v1/tenants/${partner.id}/billing`,
      { token: partner.owner.token },
    );
    expect(partnerBilling.body).toMatchObject({
      paidByPartner: null,
      paidForChildren: [{ childId: child.id, plan: 'starter', monthlyPrice: PLANS.starter.monthlyPrice }],
    });
    const listed = await call<{ items: Array<{ id: string; paidBy: string; plan: string }> }>(
      'GET',
      `/v1/tenants/${partner.id}/children`,
      { token: partner.owner.token },
    );
    expect(listed.body.items.find((item) => item.id === child.id)).toMatchObject({
      paidBy: 'partner',
      plan: 'starter',
    });
    for (const tenantId of [partner.id, child.id]) {
      expect(
        (await storedAuditEvents(tenantId)).find((event) => event.action === 'tenant.billing_changed'),
      ).toMatchObject({ targetId: child.id, after: { paidBy: 'partner', plan: 'starter' } });
    }

    // The partner pays for its own subscription too.
    await processBillingOutbox(stripeBilling);
    const session = await checkout(partner, 'partner');
    expect(session.status, session.text).toBe(201);
    const bought = await standIn<{ subscription: { id: string } }>(
      `checkout/${session.body.sessionId}/complete`,
    );

    // The month closes (twice, as a retried job does): two lines on the partner's customer.
    await tokensPastLimit(child.id, '2041-03');
    const job = { job: 'billing-close' as const, tenantId: child.id, period: '2041-03' };
    await processTenantJob(job, new Date('2041-04-01T01:00:00Z'));
    await processTenantJob(job, new Date('2041-04-01T01:05:00Z'));
    const partnerCustomer = (await tenantItem(partner.id))?.stripeCustomerId as string;
    expect(partnerCustomer).toMatch(/^cus_/);
    const lines = await linesFor(partnerCustomer, child.id);
    const tokensPrice = PLANS.starter.overagePrices.tokens;
    expect(lines.map((line) => [line.metadata?.line, line.amount]).sort()).toEqual(
      [
        ['plan', PLANS.starter.monthlyPrice?.amount],
        ['tokens', Math.ceil(100_000 / (tokensPrice?.per ?? 1)) * (tokensPrice?.price.amount ?? 0)],
      ].sort(),
    );
    for (const line of lines) {
      expect(line.description).toContain(`Customer ${child.slug}`);
      expect(line.description).toContain('2041-03');
      expect(line.metadata).toMatchObject({ partnerId: partner.id, period: '2041-03' });
    }
    // The child's own customer was billed nothing: no meter event of its own.
    const bill = (
      await BillingPeriodEntity.get({ tenantId: child.id, period: '2041-03' }).go({
        client: platformDocumentClient,
        consistent: true,
      })
    ).data;
    expect(bill).toMatchObject({ billedTo: partner.id, plan: 'starter', overage: { tokens: 100_000 } });
    expect(Object.keys(bill?.reported ?? {}).sort()).toEqual(['plan', 'tokens']);

    // The partner's next invoice carries them beside its own subscription.
    const renewed = await standIn<{
      invoice: { lines: { data: Array<{ description: string; amount: number }> } };
    }>(`subscriptions/${bought.subscription.id}/pay`);
    const described = renewed.invoice.lines.data.map((line) => line.description).join('\n');
    expect(described).toContain(`Customer ${child.slug} — Starter plan, 2041-03`);
    expect(described).toContain(`Customer ${child.slug} — tokens overage`);
  });

  it('sends a line Stripe refused when the close is retried, once', async () => {
    const partner = await createTenant({ plan: 'partner' });
    const child = await createChild(partner);
    expect((await payFor(partner, child.id, { paidBy: 'partner', plan: 'professional' })).status).toBe(200);
    await processBillingOutbox(stripeBilling);
    const customer = (await tenantItem(partner.id))?.stripeCustomerId as string;
    const job = { job: 'billing-close' as const, tenantId: child.id, period: '2041-05' };
    // This partner's lines only: other suites' billing is not part of this outage.
    await standIn('outage', { down: true, paths: ['/v1/invoiceitems'], match: { customer } });
    try {
      await expect(processTenantJob(job, new Date('2041-06-01T01:00:00Z'))).rejects.toThrow(/Stripe/);
    } finally {
      await standIn('outage', { down: false });
    }
    expect(await linesFor(customer, child.id)).toHaveLength(0);
    await processTenantJob(job, new Date('2041-06-01T01:10:00Z'));
    await processTenantJob(job, new Date('2041-06-01T01:20:00Z'));
    const lines = await linesFor(customer, child.id);
    expect(lines.map((line) => [line.metadata?.line, line.amount])).toEqual([
      ['plan', PLANS.professional.monthlyPrice?.amount],
    ]);
  });

  it('lets a child pay its own way again, and never takes over a subscription the child pays for', async () => {
    const partner = await createTenant({ plan: 'partner' });
    const child = await createChild(partner);
    expect((await payFor(partner, child.id, { paidBy: 'partner', plan: 'starter' })).status).toBe(200);
    // A plan with no list price, or a plan with paidBy child: refused, nothing changed.
    expect((await payFor(partner, child.id, { paidBy: 'partner', plan: 'enterprise' })).status).toBe(400);
    expect((await payFor(partner, child.id, { paidBy: 'child', plan: 'starter' })).status).toBe(400);
    expect((await payFor(partner, child.id, { paidBy: 'partner' })).status).toBe(400);
    const back = await payFor(partner, child.id, { paidBy: 'child' });
    expect(back.body).toEqual({ childId: child.id, paidBy: 'child', plan: 'free' });
    expect((await tenantItem(child.id))?.billedTo).toBeUndefined();
    // Paying its own way, it buys a subscription (the positive control for billed_by_partner)…
    await processBillingOutbox(stripeBilling);
    const own = await checkout(child, 'starter');
    expect(own.status, own.text).toBe(201);
    await standIn(`checkout/${own.body.sessionId}/complete`);
    const deadline = Date.now() + 15_000;
    while ((await tenantItem(child.id))?.subscriptionStatus !== 'active' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    // …which its partner does not take over.
    const takeOver = await payFor(partner, child.id, { paidBy: 'partner', plan: 'business' });
    expect(takeOver.status).toBe(409);
    expect(takeOver.body).toMatchObject({ code: 'child_has_subscription', subscriptionStatus: 'active' });
    expect((await tenantItem(child.id))?.plan).toBe('starter');
    // A stranger's child, or a tenant that is no child: 404 (a sibling partner beside its control above).
    const stranger = await createTenant({ plan: 'partner' });
    expect((await payFor(stranger, child.id, { paidBy: 'partner', plan: 'starter' })).status).toBe(404);
  });
});
