import type Stripe from 'stripe';
import { PERIODIC_RESOURCES, PLAN_IDS, PLANS, type PeriodicResource, type PlanId } from '../model/plans';
import { basePriceKeyOf, meterEventNameOf, overagePriceKeyOf, productIdOf } from './catalog-names';
import { stripeClient } from './stripe-billing';

export interface SetupStep {
  action: 'created' | 'updated' | 'unchanged';
  object: 'product' | 'price' | 'meter';
  name: string;
  id: string;
}

function isMissing(error: unknown): boolean {
  return (error as { code?: string }).code === 'resource_missing';
}

async function ensureProduct(stripe: Stripe, plan: PlanId, steps: SetupStep[]): Promise<string> {
  const id = productIdOf(plan);
  const name = `Tenantry ${PLANS[plan].name}`;
  try {
    const product = await stripe.products.retrieve(id);
    if (product.name === name) steps.push({ action: 'unchanged', object: 'product', name: id, id });
    else {
      await stripe.products.update(id, { name });
      steps.push({ action: 'updated', object: 'product', name: id, id });
    }
  } catch (error) {
    if (!isMissing(error)) throw error;
    await stripe.products.create({ id, name, metadata: { plan } });
    steps.push({ action: 'created', object: 'product', name: id, id });
  }
  return id;
}

async function ensureMeter(stripe: Stripe, resource: PeriodicResource, steps: SetupStep[]): Promise<string> {
  const eventName = meterEventNameOf(resource);
  const meters = await stripe.billing.meters.list({ limit: 100 });
  const existing = meters.data.find((meter) => meter.event_name === eventName);
  if (existing) {
    steps.push({ action: 'unchanged', object: 'meter', name: eventName, id: existing.id });
    return existing.id;
  }
  const meter = await stripe.billing.meters.create({
    display_name: `Tenantry ${resource} overage`,
    event_name: eventName,
    default_aggregation: { formula: 'sum' },
  });
  steps.push({ action: 'created', object: 'meter', name: eventName, id: meter.id });
  return meter.id;
}

/**
 * A price by lookup key: left alone when it matches, else a new price takes the key over
 * (`transfer_lookup_key`; Stripe prices are immutable, and subscriptions keep their old one).
 */
async function ensurePrice(
  stripe: Stripe,
  lookupKey: string,
  wanted: Stripe.PriceCreateParams,
  matches: (price: Stripe.Price) => boolean,
  steps: SetupStep[],
): Promise<void> {
  const found = await stripe.prices.list({ lookup_keys: [lookupKey], active: true, limit: 1 });
  const current = found.data[0];
  if (current && matches(current)) {
    steps.push({ action: 'unchanged', object: 'price', name: lookupKey, id: current.id });
    return;
  }
  const price = await stripe.prices.create({ ...wanted, lookup_key: lookupKey, transfer_lookup_key: true });
  steps.push({ action: current ? 'updated' : 'created', object: 'price', name: lookupKey, id: price.id });
}

/**
 * Makes Stripe sell what the plan data says, idempotently: a product per self-serve paid plan, its
 * monthly price, a meter per monthly resource that some plan bills overage for, and each plan's
 * metered overage prices (per block, via `transform_quantity`). Found by product id, lookup key and
 * meter event name, so a second run changes nothing.
 */
export async function ensureStripeCatalog(stripe: Stripe = stripeClient()): Promise<SetupStep[]> {
  const steps: SetupStep[] = [];
  const meters = new Map<PeriodicResource, string>();
  for (const resource of PERIODIC_RESOURCES) {
    if (PLAN_IDS.some((plan) => PLANS[plan].overagePrices[resource])) {
      meters.set(resource, await ensureMeter(stripe, resource, steps));
    }
  }
  for (const plan of PLAN_IDS) {
    const price = PLANS[plan].monthlyPrice;
    if (!price || price.amount === 0) continue;
    const product = await ensureProduct(stripe, plan, steps);
    await ensurePrice(
      stripe,
      basePriceKeyOf(plan),
      {
        product,
        currency: price.currency,
        unit_amount: price.amount,
        recurring: { interval: 'month' },
        metadata: { plan },
      },
      (current) => current.unit_amount === price.amount && current.currency === price.currency,
      steps,
    );
    for (const [resource, overage] of Object.entries(PLANS[plan].overagePrices) as Array<
      [PeriodicResource, NonNullable<(typeof PLANS)[PlanId]['overagePrices'][PeriodicResource]>]
    >) {
      const meter = meters.get(resource);
      if (!meter) continue;
      await ensurePrice(
        stripe,
        overagePriceKeyOf(plan, resource),
        {
          product,
          currency: overage.price.currency,
          unit_amount: overage.price.amount,
          recurring: { interval: 'month', usage_type: 'metered', meter },
          ...(overage.per > 1
            ? { transform_quantity: { divide_by: overage.per, round: 'up' as const } }
            : {}),
          metadata: { plan, resource },
        },
        (current) =>
          current.unit_amount === overage.price.amount &&
          (current.transform_quantity?.divide_by ?? 1) === overage.per &&
          current.recurring?.meter === meter,
        steps,
      );
    }
  }
  return steps;
}
