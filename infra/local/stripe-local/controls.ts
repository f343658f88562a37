import { newInvoice } from './resources';
import { emit } from './webhooks';
import {
  idOf,
  list,
  metadataOf,
  MONTH_SECONDS,
  mustGet,
  now,
  StripeError,
  type Obj,
  type StripeState,
} from './state';

/** The stand-in's own controls: play the customer paying, a card failing, an outage. */
export async function control(
  state: StripeState,
  method: string,
  path: string,
  params: Record<string, unknown>,
): Promise<unknown> {
  const { sessions, prices, subscriptions, invoices, events, meterEvents, outage } = state;
  const [, , kind, id, action] = path.split('/');
  if (kind === 'outage' && method === 'POST') {
    const on = params.down === true || params.down === 'true';
    outage.down = on ? ((params.paths as string[] | undefined) ?? ['*']) : [];
    outage.downFor = on ? ((params.match as Record<string, string> | undefined) ?? {}) : {};
    outage.downDelayMs = on ? Number(params.delayMs ?? 0) : 0;
    outage.downRefuse = on && (params.refuse === true || params.refuse === 'true');
    return {
      down: outage.down,
      match: outage.downFor,
      delayMs: outage.downDelayMs,
      refuse: outage.downRefuse,
    };
  }
  if (kind === 'webhooks' && method === 'POST') {
    state.paused = params.paused === true || params.paused === 'true';
    return { paused: state.paused };
  }
  if (kind === 'events' && method === 'GET') {
    return list(
      '/_stand-in/events',
      [...events.values()].sort((x, y) => Number(x.created) - Number(y.created)),
    );
  }
  if (kind === 'meter_events' && method === 'GET')
    return list('/_stand-in/meter_events', [...meterEvents.values()]);
  if (kind === 'checkout' && id && method === 'POST' && action === 'complete') {
    const session = mustGet(sessions, id, 'checkout session');
    if (session.status !== 'open')
      throw new StripeError(400, 'invalid_request_error', 'This session is not open.');
    const requested = (session.line_items_requested as Array<Record<string, string>>)[0];
    const price = mustGet(prices, requested?.price ?? '', 'price');
    const start = now();
    const data = (session.subscription_data as { metadata?: Record<string, string> } | null) ?? {};
    const subscription: Obj = {
      id: idOf('sub'),
      object: 'subscription',
      billing_cycle_anchor: start,
      cancel_at: null,
      cancel_at_period_end: false,
      canceled_at: null,
      collection_method: 'charge_automatically',
      created: start,
      currency: 'usd',
      customer: session.customer,
      ended_at: null,
      items: list('/v1/subscription_items', [
        {
          id: idOf('si'),
          object: 'subscription_item',
          created: start,
          current_period_start: start,
          current_period_end: start + MONTH_SECONDS,
          metadata: {},
          price,
          quantity: 1,
        },
      ]),
      latest_invoice: null,
      livemode: false,
      metadata: metadataOf(data.metadata),
      start_date: start,
      status: 'active',
      trial_end: null,
      trial_start: null,
    };
    ((subscription.items as { data: Obj[] }).data[0] as Record<string, unknown>).subscription =
      subscription.id;
    subscriptions.set(subscription.id, subscription);
    const invoice = newInvoice(state, subscription, 'paid');
    Object.assign(session, { status: 'complete', payment_status: 'paid', subscription: subscription.id });
    const { line_items_requested: _items, subscription_data: _data, ...sessionView } = session;
    await emit(state, 'checkout.session.completed', sessionView as Obj);
    await emit(state, 'customer.subscription.created', subscription);
    await emit(state, 'invoice.paid', invoice);
    return { session: sessionView, subscription, invoice };
  }
  if (kind === 'subscriptions' && id && method === 'POST') {
    const subscription = mustGet(subscriptions, id, 'subscription');
    const before = subscription.status;
    if (action === 'fail_payment') {
      const invoice = newInvoice(state, subscription, 'open');
      subscription.status = 'past_due';
      await emit(state, 'invoice.payment_failed', invoice);
      await emit(state, 'customer.subscription.updated', subscription, { status: before });
      return { subscription, invoice };
    }
    if (action === 'pay') {
      const open = [...invoices.values()].find(
        (invoice) => invoice.customer === subscription.customer && invoice.status === 'open',
      );
      const invoice = open ?? newInvoice(state, subscription, 'paid');
      Object.assign(invoice, {
        status: 'paid',
        amount_paid: invoice.amount_due,
        amount_remaining: 0,
        status_transitions: { paid_at: now(), finalized_at: now() },
      });
      subscription.status = 'active';
      await emit(state, 'invoice.paid', invoice);
      await emit(state, 'customer.subscription.updated', subscription, { status: before });
      return { subscription, invoice };
    }
    if (action === 'cancel') {
      Object.assign(subscription, { status: 'canceled', canceled_at: now(), ended_at: now() });
      await emit(state, 'customer.subscription.deleted', subscription);
      return { subscription };
    }
  }
  throw new StripeError(404, 'invalid_request_error', `Unrecognized stand-in request (${method}: ${path}).`);
}
