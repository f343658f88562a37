import type { Money, PlanId } from '../model/plans';

/** A subscription as the provider knows it now (always re-read: webhooks may arrive in any order). */
export interface SubscriptionState {
  id: string;
  customerId: string;
  /** Stripe's status: active, trialing, past_due, unpaid, canceled, incomplete… */
  status: string;
  /** The plan its base price sells; `null` if it sells none of ours. */
  plan: PlanId | null;
  currentPeriodEnd: string | null;
}

export interface InvoiceSummary {
  id: string;
  number: string | null;
  status: string | null;
  amountDue: number;
  amountPaid: number;
  currency: string;
  createdAt: string;
  hostedInvoiceUrl: string | null;
}

/** A verified webhook event: its id (for exactly-once), type, creation time and object. */
export interface BillingEvent {
  id: string;
  type: string;
  createdAt: string;
  object: { id: string; object: string; customer?: unknown; subscription?: unknown } & Record<
    string,
    unknown
  >;
}

export interface UsageReport {
  customerId: string;
  eventName: string;
  value: number;
  /** Unique per (tenant, resource, period): a rerun never bills twice. */
  identifier: string;
  timestamp: Date;
}

export interface InvoiceItem {
  customerId: string;
  amount: Money;
  description: string;
  metadata: Record<string, string>;
  /** The service period it is for. */
  period: { start: Date; end: Date };
  idempotencyKey: string;
}

/** The one billing interface; Stripe implements it (`stripe-billing.ts`), the twin's stand-in too. */
export interface BillingProvider {
  createCustomer(input: { tenantId: string; name: string; email?: string | undefined }): Promise<string>;
  /** Sets the customer's name and email (`null` clears the email). */
  updateCustomer(customerId: string, input: { name: string; email: string | null }): Promise<void>;
  createCheckoutSession(input: {
    customerId: string;
    tenantId: string;
    plan: PlanId;
    successUrl: string;
    cancelUrl: string;
  }): Promise<{ id: string; url: string }>;
  createPortalSession(input: { customerId: string; returnUrl: string }): Promise<{ url: string }>;
  getSubscription(subscriptionId: string): Promise<SubscriptionState>;
  /** Cancels at once (no proration, no final invoice); a subscription already ended is left as it is. */
  cancelSubscription(subscriptionId: string): Promise<void>;
  listInvoices(customerId: string, limit: number): Promise<InvoiceSummary[]>;
  reportUsage(report: UsageReport): Promise<void>;
  /**
   * A one-off charge for the customer's next invoice (a partner paying for a child: its plan, its
   * overage), one line each; the same `idempotencyKey` within a day makes no second one.
   */
  addInvoiceItem(item: InvoiceItem): Promise<string>;
  /** Checks the signature (300 s tolerance) and parses the event; throws if either fails. */
  verifyWebhook(rawBody: string, signature: string): BillingEvent;
}
