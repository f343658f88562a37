import Stripe from 'stripe';
import { giveStripeCustomer } from '../../shared/billing/billing-outbox';
import { stripeBilling } from '../../shared/billing/stripe-billing';
import { platformDocumentClient } from '../../shared/data/clients';
import { TenantEntity } from '../../shared/data/entities/tenant';
import { twin } from './twin-api';

/**
 * Gives a new tenant its Stripe customer now, as the billing outbox would later: other suites run
 * the outbox at any moment, and its write to the tenant (the customer's id, a new updatedAt) would
 * otherwise land in the middle of a test that compares the tenant's items before and after.
 */
export async function giveStripeCustomerNow(tenantId: string): Promise<void> {
  const stored = await TenantEntity.get({ tenantId }).go({
    client: platformDocumentClient,
    consistent: true,
  });
  if (stored.data && !stored.data.stripeCustomerId) await giveStripeCustomer(stripeBilling, stored.data);
}

/** The Stripe SDK against the running twin's stand-in. */
export function standInStripe(): Stripe {
  return new Stripe(twin.runtimeEnv.STRIPE_SECRET_KEY ?? '', {
    host: new URL(twin.stripeUrl).hostname,
    port: new URL(twin.stripeUrl).port,
    protocol: 'http',
  });
}

/** The stand-in's own controls: play the customer paying, a card failing, an outage. */
export async function standIn<T = Record<string, unknown>>(path: string, body: unknown = {}): Promise<T> {
  const response = await fetch(`${twin.stripeUrl}/_stand-in/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (response.status !== 200)
    throw new Error(`stand-in ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}
