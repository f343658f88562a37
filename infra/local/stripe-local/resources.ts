import { randomBytes } from 'node:crypto';
import { emit } from './webhooks';
import {
  idOf,
  list,
  metadataOf,
  mustGet,
  now,
  required,
  StripeError,
  type Obj,
  type StripeState,
} from './state';

export function priceObject(state: StripeState, params: Record<string, unknown>): Obj {
  const { prices } = state;
  const recurring = params.recurring as Record<string, string> | undefined;
  const lookupKey = params.lookup_key as string | undefined;
  if (lookupKey && params.transfer_lookup_key === 'true') {
    for (const price of prices.values()) if (price.lookup_key === lookupKey) price.lookup_key = null;
  } else if (lookupKey && [...prices.values()].some((price) => price.lookup_key === lookupKey)) {
    throw new StripeError(
      400,
      'invalid_request_error',
      `A price (\`${lookupKey}\`) already uses that lookup key.`,
      'lookup_key_exists',
      'lookup_key',
    );
  }
  const meter = recurring?.meter ?? null;
  const transform = params.transform_quantity as { divide_by?: string; round?: string } | undefined;
  return {
    id: idOf('price'),
    object: 'price',
    active: true,
    billing_scheme: 'per_unit',
    created: now(),
    currency: required(params, 'currency'),
    livemode: false,
    lookup_key: lookupKey ?? null,
    metadata: metadataOf(params.metadata),
    nickname: (params.nickname as string) ?? null,
    product: required(params, 'product'),
    recurring: recurring
      ? {
          interval: recurring.interval ?? 'month',
          interval_count: 1,
          meter,
          usage_type: recurring.usage_type ?? 'licensed',
        }
      : null,
    tax_behavior: 'unspecified',
    transform_quantity: transform
      ? { divide_by: Number(transform.divide_by), round: transform.round ?? 'up' }
      : null,
    type: recurring ? 'recurring' : 'one_time',
    unit_amount: Number(params.unit_amount ?? 0),
    unit_amount_decimal: String(params.unit_amount ?? params.unit_amount_decimal ?? '0'),
  };
}

export function newInvoice(state: StripeState, subscription: Obj, status: 'paid' | 'open'): Obj {
  const { invoices } = state;
  const item = ((subscription.items as { data: Obj[] }).data[0] ?? {}) as Record<string, unknown>;
  const price = item.price as Obj | undefined;
  const id = idOf('in');
  // The customer's pending invoice items go on it, each a line beside the subscription's.
  const pending = [...state.invoiceItems.values()].filter(
    (invoiceItem) => invoiceItem.customer === subscription.customer && invoiceItem.invoice === null,
  );
  for (const invoiceItem of pending) invoiceItem.invoice = id;
  const amount =
    Number(price?.unit_amount ?? 0) + pending.reduce((sum, line) => sum + Number(line.amount), 0);
  const invoice: Obj = {
    id,
    object: 'invoice',
    amount_due: amount,
    amount_paid: status === 'paid' ? amount : 0,
    amount_remaining: status === 'paid' ? 0 : amount,
    attempt_count: 1,
    attempted: true,
    billing_reason: 'subscription_cycle',
    collection_method: 'charge_automatically',
    created: now(),
    currency: 'usd',
    customer: subscription.customer,
    hosted_invoice_url: `${state.url}/_stand-in/invoices/${'pending'}`,
    livemode: false,
    metadata: {},
    number: `LOCAL-${String(invoices.size + 1).padStart(4, '0')}`,
    parent: {
      type: 'subscription_details',
      quote_details: null,
      subscription_details: { subscription: subscription.id, metadata: subscription.metadata },
    },
    lines: list(`/v1/invoices/${id}/lines`, [
      {
        id: idOf('il'),
        object: 'line_item',
        amount: Number(price?.unit_amount ?? 0),
        currency: 'usd',
        description: `1 × ${String(price?.nickname ?? 'subscription')}`,
        metadata: {},
        parent: { type: 'subscription_item_details', invoice_item_details: null },
      },
      ...pending.map((invoiceItem) => ({
        id: idOf('il'),
        object: 'line_item',
        amount: invoiceItem.amount,
        currency: invoiceItem.currency,
        description: invoiceItem.description,
        metadata: invoiceItem.metadata,
        parent: {
          type: 'invoice_item_details',
          invoice_item_details: { invoice_item: invoiceItem.id, proration: false },
        },
      })),
    ]),
    period_start: item.current_period_start,
    period_end: item.current_period_end,
    status,
    status_transitions: { paid_at: status === 'paid' ? now() : null, finalized_at: now() },
    total: amount,
  };
  invoice.hosted_invoice_url = `${state.url}/_stand-in/invoices/${invoice.id}`;
  invoices.set(invoice.id, invoice);
  subscription.latest_invoice = invoice.id;
  return invoice;
}

/** Stripe's API: method, path, parsed params → the object it answers. */
export async function api(
  state: StripeState,
  method: string,
  path: string,
  params: Record<string, unknown>,
): Promise<unknown> {
  const { customers, products, prices, meters, meterEvents, sessions, subscriptions, invoices, events } =
    state;
  const parts = path.split('/').filter(Boolean).slice(1); // drop "v1"
  const [a, b, c] = parts;
  if (a === 'customers' && method === 'POST' && !b) {
    const customer: Obj = {
      id: idOf('cus'),
      object: 'customer',
      address: null,
      balance: 0,
      created: now(),
      currency: null,
      default_source: null,
      delinquent: false,
      description: (params.description as string) ?? null,
      email: (params.email as string) ?? null,
      invoice_prefix: randomBytes(4).toString('hex').toUpperCase(),
      livemode: false,
      metadata: metadataOf(params.metadata),
      name: (params.name as string) ?? null,
      phone: null,
      preferred_locales: [],
      shipping: null,
      tax_exempt: 'none',
    };
    customers.set(customer.id, customer);
    return customer;
  }
  if (a === 'customers' && method === 'POST' && b && !c) {
    // Stripe's update: the fields given change; an empty string clears a field.
    const customer = mustGet(customers, b, 'customer') as Obj;
    for (const field of ['name', 'email', 'phone', 'description'] as const) {
      if (params[field] !== undefined) customer[field] = params[field] === '' ? null : params[field];
    }
    if (params.metadata !== undefined)
      customer.metadata = { ...(customer.metadata as Obj), ...metadataOf(params.metadata) };
    return customer;
  }
  if (a === 'customers' && method === 'GET' && b) return mustGet(customers, b, 'customer');
  if (a === 'customers' && method === 'GET' && !b) {
    // Newest first, as Stripe lists them; `email` filters.
    const email = params.email as string | undefined;
    const found = [...customers.values()].filter((customer) => !email || customer.email === email).reverse();
    return list('/v1/customers', found.slice(0, Math.min(100, Number(params.limit ?? 10))));
  }
  if (a === 'products' && method === 'POST' && !b) {
    const id = (params.id as string) || idOf('prod');
    if (products.has(id))
      throw new StripeError(
        400,
        'invalid_request_error',
        `Product already exists.`,
        'resource_already_exists',
        'id',
      );
    const product: Obj = {
      id,
      object: 'product',
      active: true,
      created: now(),
      description: (params.description as string) ?? null,
      livemode: false,
      metadata: metadataOf(params.metadata),
      name: required(params, 'name'),
      updated: now(),
    };
    products.set(id, product);
    return product;
  }
  if (a === 'products' && b && method === 'GET') return mustGet(products, b, 'product');
  if (a === 'products' && b && method === 'POST') {
    const product = mustGet(products, b, 'product');
    Object.assign(product, params.name ? { name: params.name } : {}, {
      metadata: { ...metadataOf(product.metadata), ...metadataOf(params.metadata) },
      updated: now(),
    });
    return product;
  }
  if (a === 'prices' && method === 'GET' && !b) {
    const keys = (params.lookup_keys as string[] | undefined) ?? [];
    const found = [...prices.values()].filter(
      (price) => price.active && (keys.length === 0 || keys.includes(price.lookup_key as string)),
    );
    return list('/v1/prices', found);
  }
  if (a === 'prices' && method === 'POST' && !b) {
    const price = priceObject(state, params);
    prices.set(price.id, price);
    return price;
  }
  if (a === 'prices' && b && method === 'POST') {
    const price = mustGet(prices, b, 'price');
    if (params.active !== undefined) price.active = params.active === 'true';
    if (params.lookup_key !== undefined) price.lookup_key = params.lookup_key || null;
    return price;
  }
  if (a === 'billing' && b === 'meters' && method === 'GET' && !c)
    return list('/v1/billing/meters', [...meters.values()]);
  if (a === 'billing' && b === 'meters' && method === 'POST' && !c) {
    const eventName = required(params, 'event_name');
    if ([...meters.values()].some((meter) => meter.event_name === eventName)) {
      throw new StripeError(
        400,
        'invalid_request_error',
        `A meter with event_name ${eventName} already exists.`,
        undefined,
        'event_name',
      );
    }
    const aggregation = params.default_aggregation as { formula?: string } | undefined;
    const meter: Obj = {
      id: idOf('mtr'),
      object: 'billing.meter',
      created: now(),
      customer_mapping: { event_payload_key: 'stripe_customer_id', type: 'by_id' },
      default_aggregation: { formula: aggregation?.formula ?? 'sum' },
      display_name: required(params, 'display_name'),
      event_name: eventName,
      event_time_window: null,
      livemode: false,
      status: 'active',
      status_transitions: { deactivated_at: null },
      updated: now(),
      value_settings: { event_payload_key: 'value' },
    };
    meters.set(meter.id, meter);
    return meter;
  }
  if (a === 'billing' && b === 'meter_events' && method === 'POST') {
    const eventName = required(params, 'event_name');
    if (![...meters.values()].some((meter) => meter.event_name === eventName)) {
      throw new StripeError(
        400,
        'invalid_request_error',
        `No active meter was found matching event_name ${eventName}.`,
        undefined,
        'event_name',
      );
    }
    const payload = metadataOf(params.payload);
    if (!payload.stripe_customer_id || !customers.has(payload.stripe_customer_id)) {
      throw new StripeError(
        400,
        'invalid_request_error',
        'The payload must name an existing stripe_customer_id.',
        undefined,
        'payload',
      );
    }
    const identifier = (params.identifier as string) || idOf('mev');
    // Stripe keeps the first event of an identifier and drops later ones (at least 24 hours).
    const existing = meterEvents.get(identifier);
    if (existing) return existing;
    const meterEvent: Obj = {
      id: identifier,
      object: 'billing.meter_event',
      created: now(),
      event_name: eventName,
      identifier,
      livemode: false,
      payload,
      timestamp: Number(params.timestamp ?? now()),
    };
    meterEvents.set(identifier, meterEvent);
    return meterEvent;
  }
  if (a === 'checkout' && b === 'sessions' && method === 'POST' && !c) {
    const lineItems = (params.line_items as Array<Record<string, string>> | undefined) ?? [];
    const customer = required(params, 'customer');
    mustGet(customers, customer, 'customer');
    for (const item of lineItems) if (item.price) mustGet(prices, item.price, 'price');
    const session: Obj = {
      id: idOf('cs_test'),
      object: 'checkout.session',
      cancel_url: (params.cancel_url as string) ?? null,
      client_reference_id: (params.client_reference_id as string) ?? null,
      created: now(),
      currency: 'usd',
      customer,
      expires_at: now() + 86_400,
      livemode: false,
      metadata: metadataOf(params.metadata),
      mode: required(params, 'mode'),
      payment_status: 'unpaid',
      status: 'open',
      subscription: null,
      success_url: required(params, 'success_url'),
      url: '',
      line_items_requested: lineItems,
      subscription_data: params.subscription_data ?? null,
    };
    session.url = `${state.url}/_stand-in/checkout/${session.id}`;
    sessions.set(session.id, session);
    const { line_items_requested: _items, subscription_data: _data, ...view } = session;
    return view;
  }
  if (a === 'checkout' && b === 'sessions' && method === 'GET' && c)
    return mustGet(sessions, c, 'checkout session');
  if (a === 'billing_portal' && b === 'sessions' && method === 'POST') {
    const customer = required(params, 'customer');
    mustGet(customers, customer, 'customer');
    const id = idOf('bps');
    return {
      id,
      object: 'billing_portal.session',
      configuration: 'bpc_local',
      created: now(),
      customer,
      livemode: false,
      locale: null,
      return_url: (params.return_url as string) ?? null,
      url: `${state.url}/_stand-in/portal/${id}`,
    };
  }
  if (a === 'subscriptions' && method === 'GET' && b) return mustGet(subscriptions, b, 'subscription');
  if (a === 'subscriptions' && method === 'DELETE' && b) {
    const subscription = mustGet(subscriptions, b, 'subscription');
    if (subscription.status === 'canceled') {
      throw new StripeError(
        400,
        'invalid_request_error',
        `A canceled subscription can only update its cancellation_details and metadata. If you want to cancel the subscription, it is already canceled.`,
      );
    }
    Object.assign(subscription, { status: 'canceled', canceled_at: now(), ended_at: now() });
    await emit(state, 'customer.subscription.deleted', subscription);
    return subscription;
  }
  if (a === 'invoices' && method === 'GET' && !b) {
    const customer = params.customer as string | undefined;
    const limit = Number(params.limit ?? 10);
    const found = [...invoices.values()]
      .filter((invoice) => !customer || invoice.customer === customer)
      .sort((x, y) => Number(y.created) - Number(x.created))
      .slice(0, limit);
    return list('/v1/invoices', found);
  }
  if (a === 'invoiceitems' && method === 'POST' && !b) {
    const customer = required(params, 'customer');
    mustGet(customers, customer, 'customer');
    const amount = Number(params.amount);
    if (!Number.isInteger(amount)) {
      throw new StripeError(
        400,
        'invalid_request_error',
        'Invalid integer: amount',
        'parameter_invalid_integer',
        'amount',
      );
    }
    const period = params.period as { start?: string; end?: string } | undefined;
    const invoiceItem: Obj = {
      id: idOf('ii'),
      object: 'invoiceitem',
      amount,
      currency: required(params, 'currency'),
      customer,
      date: now(),
      description: (params.description as string) ?? null,
      discountable: true,
      discounts: [],
      invoice: null,
      livemode: false,
      metadata: metadataOf(params.metadata),
      parent: null,
      period: {
        start: Number(period?.start ?? now()),
        end: Number(period?.end ?? now()),
      },
      proration: false,
      quantity: 1,
      tax_rates: [],
      test_clock: null,
    };
    state.invoiceItems.set(invoiceItem.id, invoiceItem);
    return invoiceItem;
  }
  if (a === 'invoiceitems' && method === 'GET' && b) return mustGet(state.invoiceItems, b, 'invoiceitem');
  if (a === 'invoiceitems' && method === 'GET' && !b) {
    const customer = params.customer as string | undefined;
    const found = [...state.invoiceItems.values()]
      .filter((invoiceItem) => !customer || invoiceItem.customer === customer)
      .filter(
        (invoiceItem) =>
          params.pending === undefined || (invoiceItem.invoice === null) === (params.pending === 'true'),
      )
      .sort((x, y) => Number(y.date) - Number(x.date))
      .slice(0, Number(params.limit ?? 10));
    return list('/v1/invoiceitems', found);
  }
  if (a === 'events' && method === 'GET' && b) return mustGet(events, b, 'event');
  throw new StripeError(404, 'invalid_request_error', `Unrecognized request URL (${method}: ${path}).`);
}
