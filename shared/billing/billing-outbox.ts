import { platformDocumentClient } from '../data/clients';
import { forgetTenant } from '../data/cached-records';
import { BillingOutboxEntity, type BillingOutboxItem } from '../data/entities/billing-outbox';
import { TenantEntity, type TenantItem } from '../data/entities/tenant';
import { writeTransaction } from '../data/transactions';
import { logger } from '../observability/logger';
import type { BillingProvider } from './billing-provider';

/** Backoff after the n-th failure: 30 s, 1 min, 2 min… at most an hour. */
export function backoffMs(attempts: number): number {
  return Math.min(3_600_000, 30_000 * 2 ** Math.max(0, attempts - 1));
}

/**
 * Gives the tenant its Stripe customer (one per tenant, however often asked: Stripe's idempotency
 * key is the tenant's) and the lookup back to it, and clears its outbox item: for the outbox worker,
 * and for a tenant that asks for billing before the worker got to it.
 */
export async function giveStripeCustomer(provider: BillingProvider, tenant: TenantItem): Promise<string> {
  const customerId = await provider.createCustomer({
    tenantId: tenant.tenantId,
    name: tenant.profile?.displayName ?? tenant.name,
    email: tenant.profile?.billingEmail,
  });
  await writeTransaction(platformDocumentClient, ({ tenant: tenants, billingCustomer, billingOutbox }) => ({
    tenant: tenants
      .patch({ tenantId: tenant.tenantId })
      .set({ stripeCustomerId: customerId })
      .where(
        (attr, op) => `${op.notExists(attr.stripeCustomerId)} OR ${op.eq(attr.stripeCustomerId, customerId)}`,
      )
      .commit(),
    lookup: billingCustomer.put({ customerId, tenantId: tenant.tenantId }).commit(),
    outbox: billingOutbox.delete({ kind: 'createCustomer', tenantId: tenant.tenantId }).commit(),
  }));
  forgetTenant(tenant.tenantId);
  return customerId;
}

async function createCustomer(provider: BillingProvider, item: BillingOutboxItem): Promise<void> {
  const tenant = (
    await TenantEntity.get({ tenantId: item.tenantId }).go({
      client: platformDocumentClient,
      consistent: true,
    })
  ).data;
  if (tenant && !tenant.stripeCustomerId) {
    await giveStripeCustomer(provider, tenant);
    return;
  }
  // The tenant is gone, or has its customer already: nothing left to do.
  await BillingOutboxEntity.delete({ kind: item.kind, tenantId: item.tenantId }).go({ response: 'none' });
}

/**
 * The tenant's Stripe customer takes its billing email and the name people see, as they are now (a
 * later change overwrites the queued item: the worker sends what the tenant holds when it runs).
 */
async function updateCustomer(provider: BillingProvider, item: BillingOutboxItem): Promise<void> {
  const tenant = (
    await TenantEntity.get({ tenantId: item.tenantId }).go({
      client: platformDocumentClient,
      consistent: true,
    })
  ).data;
  if (tenant?.stripeCustomerId) {
    await provider.updateCustomer(tenant.stripeCustomerId, {
      name: tenant.profile?.displayName ?? tenant.name,
      email: tenant.profile?.billingEmail ?? null,
    });
  }
  await BillingOutboxEntity.delete({ kind: item.kind, tenantId: item.tenantId }).go({ response: 'none' });
}

/**
 * A deleted tenant's subscription ends: asked for after the deletion (a failed ask is caught by the
 * daily lifecycle job, which asks again while the tenant still has a subscription).
 */
export async function enqueueSubscriptionCancel(
  tenantId: string,
  subscriptionId: string,
  now: Date,
): Promise<void> {
  await BillingOutboxEntity.put({
    kind: 'cancelSubscription',
    tenantId,
    subscriptionId,
    attempts: 0,
    nextAttemptAt: now.toISOString(),
  }).go({ response: 'none' });
}

async function cancelSubscription(provider: BillingProvider, item: BillingOutboxItem): Promise<void> {
  // The webhook Stripe sends for the cancellation drops the tenant's plan and subscription.
  if (item.subscriptionId) await provider.cancelSubscription(item.subscriptionId);
  await BillingOutboxEntity.delete({ kind: item.kind, tenantId: item.tenantId }).go({ response: 'none' });
}

export interface OutboxRun {
  done: number;
  failed: number;
  waiting: number;
  /** The items the run found, and how long the oldest of them had waited (seconds). */
  pending: number;
  oldestSeconds: number;
}

/**
 * Works the billing outbox: every item that is due, oldest first; a failure (Stripe slow or down)
 * leaves the item with its attempt counted and a later time to try again. Safe to run concurrently
 * with itself: Stripe's idempotency key and the conditional write make a repeat harmless.
 */
export async function processBillingOutbox(
  provider: BillingProvider,
  now: Date = new Date(),
): Promise<OutboxRun> {
  const items = await BillingOutboxEntity.query.pending({}).go({ pages: 'all', consistent: true });
  const oldest = Math.min(now.getTime(), ...items.data.map((item) => Date.parse(item.createdAt)));
  const run: OutboxRun = {
    done: 0,
    failed: 0,
    waiting: 0,
    pending: items.data.length,
    oldestSeconds: Math.max(0, Math.round((now.getTime() - oldest) / 1000)),
  };
  for (const item of items.data) {
    if (item.nextAttemptAt > now.toISOString()) {
      run.waiting += 1;
      continue;
    }
    logger.debug('Billing outbox: item', {
      kind: item.kind,
      tenantId: item.tenantId,
      attempts: item.attempts,
    });
    try {
      if (item.kind === 'cancelSubscription') await cancelSubscription(provider, item);
      else if (item.kind === 'updateCustomer') await updateCustomer(provider, item);
      else await createCustomer(provider, item);
      run.done += 1;
    } catch (error) {
      run.failed += 1;
      const attempts = item.attempts + 1;
      const reason = error instanceof Error ? error.message : String(error);
      logger.warn('Billing outbox item failed; retrying later', {
        tenantId: item.tenantId,
        attempts,
        reason,
      });
      await BillingOutboxEntity.patch({ kind: item.kind, tenantId: item.tenantId })
        .set({
          attempts,
          lastError: reason.slice(0, 500),
          nextAttemptAt: new Date(now.getTime() + backoffMs(attempts)).toISOString(),
        })
        .go({ response: 'none' })
        .catch((patchError: unknown) => logger.error('Could not reschedule an outbox item', { patchError }));
    }
  }
  return run;
}
