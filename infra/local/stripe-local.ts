import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse as parseForm } from 'qs';
import Stripe from 'stripe';

/**
 * The twin's Stripe: the endpoints the project calls, answering with the request and response shapes
 * of Stripe's API (form-encoded requests, JSON objects with `object`, list envelopes, Stripe's error
 * body), driven by the real `stripe` SDK. It sends webhooks the way Stripe does: JSON events signed
 * with the webhook secret (`Stripe-Signature`, made with the SDK's test-header helper), retried
 * while the endpoint answers otherwise than 2xx.
 *
 * Payment itself has no UI here: `/_stand-in/...` routes play the customer and the card network
 * (complete a checkout, fail or pay an invoice, cancel) and the outage switch. They are the stand-in's
 * own, never called by the app, and named so.
 */
type Obj = Record<string, unknown> & { id: string };

export interface StripeLocal {
  url: string;
  secretKey: string;
  webhookSecret: string;
  stop(): Promise<void>;
}

interface Options {
  port: number;
  /** Kept across restarts with the twin's data (its customers are named in the table). */
  stateFile?: string;
  secretKey?: string;
  webhookSecret?: string;
  /** Where events are delivered (the twin's `POST /v1/stripe/webhook`); set once the API is up. */
  webhookUrl?: string;
}

class StripeError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    readonly code?: string,
    readonly param?: string,
  ) {
    super(message);
  }
}

const now = () => Math.floor(Date.now() / 1000);
const idOf = (prefix: string) => `${prefix}_${randomBytes(12).toString('base64url').replace(/[-_]/g, 'x')}`;
const MONTH_SECONDS = 30 * 86_400;

function list(url: string, data: unknown[]) {
  return { object: 'list', url, has_more: false, data };
}

function metadataOf(value: unknown): Record<string, string> {
  return value && typeof value === 'object' ? (value as Record<string, string>) : {};
}

export async function startStripeLocal(
  options: Options,
): Promise<StripeLocal & { setWebhookUrl(url: string): void }> {
  const secretKey = options.secretKey ?? `sk_test_local_${randomBytes(12).toString('hex')}`;
  const webhookSecret = options.webhookSecret ?? `whsec_local_${randomBytes(16).toString('hex')}`;
  let webhookUrl = options.webhookUrl;
  /** The API paths in an outage (503), or every path (`*`). */
  let down: string[] = [];
  /** Limits the outage to requests with these parameters (one test's customer or meter event). */
  let downFor: Record<string, string> = {};
  /** An outage may be slowness instead: answers held this long before the 503 (a hung Stripe). */
  let downDelayMs = 0;
  /** Or no answer at all: the connection is cut, as when the process is gone (`refuse: true`). */
  let downRefuse = false;
  /** While paused, events are kept (`GET /v1/events/{id}`) but not delivered. */
  let paused = false;
  const signer = new Stripe(secretKey);

  const customers = new Map<string, Obj>();
  const products = new Map<string, Obj>();
  const prices = new Map<string, Obj>();
  const meters = new Map<string, Obj>();
  const meterEvents = new Map<string, Obj>();
  const sessions = new Map<string, Obj>();
  const subscriptions = new Map<string, Obj>();
  const invoices = new Map<string, Obj>();
  const events = new Map<string, Obj>();
  const idempotent = new Map<string, { status: number; body: unknown }>();
  const stores = {
    customers,
    products,
    prices,
    meters,
    meterEvents,
    sessions,
    subscriptions,
    invoices,
    events,
  };
  if (options.stateFile && existsSync(options.stateFile)) {
    const saved = JSON.parse(readFileSync(options.stateFile, 'utf8')) as Record<string, Obj[]>;
    for (const [name, store] of Object.entries(stores))
      for (const item of saved[name] ?? []) store.set(item.id, item);
  }
  const save = () => {
    if (!options.stateFile) return;
    const snapshot = Object.fromEntries(
      Object.entries(stores).map(([name, store]) => [name, [...store.values()]]),
    );
    writeFileSync(options.stateFile, JSON.stringify(snapshot));
  };

  function mustGet(store: Map<string, Obj>, id: string, kind: string): Obj {
    const found = store.get(id);
    if (!found)
      throw new StripeError(
        404,
        'invalid_request_error',
        `No such ${kind}: '${id}'`,
        'resource_missing',
        'id',
      );
    return found;
  }

  function required(params: Record<string, unknown>, name: string): string {
    const value = params[name];
    if (typeof value !== 'string' || value === '') {
      throw new StripeError(
        400,
        'invalid_request_error',
        `Missing required param: ${name}.`,
        'parameter_missing',
        name,
      );
    }
    return value;
  }

  async function deliver(event: Obj): Promise<void> {
    if (!webhookUrl || paused) return;
    const payload = JSON.stringify(event);
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const header = signer.webhooks.generateTestHeaderString({ payload, secret: webhookSecret });
      const response = await fetch(webhookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8', 'stripe-signature': header },
        body: payload,
      }).catch(() => undefined);
      if (response && response.status >= 200 && response.status < 300) return;
      await new Promise((resolve) => setTimeout(resolve, 200 * (attempt + 1)));
    }
  }

  async function emit(type: string, object: Obj, previous?: Record<string, unknown>): Promise<Obj> {
    const event: Obj = {
      id: idOf('evt'),
      object: 'event',
      api_version: Stripe.API_VERSION,
      created: now(),
      data: { object: structuredClone(object), ...(previous ? { previous_attributes: previous } : {}) },
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type,
    };
    events.set(event.id, event);
    await deliver(event);
    return event;
  }

  function priceObject(params: Record<string, unknown>): Obj {
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

  function newInvoice(subscription: Obj, status: 'paid' | 'open'): Obj {
    const item = ((subscription.items as { data: Obj[] }).data[0] ?? {}) as Record<string, unknown>;
    const price = item.price as Obj | undefined;
    const amount = Number(price?.unit_amount ?? 0);
    const invoice: Obj = {
      id: idOf('in'),
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
      hosted_invoice_url: `${url}/_stand-in/invoices/${'pending'}`,
      livemode: false,
      metadata: {},
      number: `LOCAL-${String(invoices.size + 1).padStart(4, '0')}`,
      parent: {
        type: 'subscription_details',
        quote_details: null,
        subscription_details: { subscription: subscription.id, metadata: subscription.metadata },
      },
      period_start: item.current_period_start,
      period_end: item.current_period_end,
      status,
      status_transitions: { paid_at: status === 'paid' ? now() : null, finalized_at: now() },
      total: amount,
    };
    invoice.hosted_invoice_url = `${url}/_stand-in/invoices/${invoice.id}`;
    invoices.set(invoice.id, invoice);
    subscription.latest_invoice = invoice.id;
    return invoice;
  }

  /** Stripe's API: method, path, parsed params → the object it answers. */
  async function api(method: string, path: string, params: Record<string, unknown>): Promise<unknown> {
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
    if (a === 'customers' && method === 'GET' && b) return mustGet(customers, b, 'customer');
    if (a === 'customers' && method === 'GET' && !b) {
      // Newest first, as Stripe lists them; `email` filters.
      const email = params.email as string | undefined;
      const found = [...customers.values()]
        .filter((customer) => !email || customer.email === email)
        .reverse();
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
      const price = priceObject(params);
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
      session.url = `${url}/_stand-in/checkout/${session.id}`;
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
        url: `${url}/_stand-in/portal/${id}`,
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
      await emit('customer.subscription.deleted', subscription);
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
    if (a === 'events' && method === 'GET' && b) return mustGet(events, b, 'event');
    throw new StripeError(404, 'invalid_request_error', `Unrecognized request URL (${method}: ${path}).`);
  }

  /** The stand-in's own controls: play the customer paying, a card failing, an outage. */
  async function control(method: string, path: string, params: Record<string, unknown>): Promise<unknown> {
    const [, , kind, id, action] = path.split('/');
    if (kind === 'outage' && method === 'POST') {
      const on = params.down === true || params.down === 'true';
      down = on ? ((params.paths as string[] | undefined) ?? ['*']) : [];
      downFor = on ? ((params.match as Record<string, string> | undefined) ?? {}) : {};
      downDelayMs = on ? Number(params.delayMs ?? 0) : 0;
      downRefuse = on && (params.refuse === true || params.refuse === 'true');
      return { down, match: downFor, delayMs: downDelayMs, refuse: downRefuse };
    }
    if (kind === 'webhooks' && method === 'POST') {
      paused = params.paused === true || params.paused === 'true';
      return { paused };
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
      const invoice = newInvoice(subscription, 'paid');
      Object.assign(session, { status: 'complete', payment_status: 'paid', subscription: subscription.id });
      const { line_items_requested: _items, subscription_data: _data, ...sessionView } = session;
      await emit('checkout.session.completed', sessionView as Obj);
      await emit('customer.subscription.created', subscription);
      await emit('invoice.paid', invoice);
      return { session: sessionView, subscription, invoice };
    }
    if (kind === 'subscriptions' && id && method === 'POST') {
      const subscription = mustGet(subscriptions, id, 'subscription');
      const before = subscription.status;
      if (action === 'fail_payment') {
        const invoice = newInvoice(subscription, 'open');
        subscription.status = 'past_due';
        await emit('invoice.payment_failed', invoice);
        await emit('customer.subscription.updated', subscription, { status: before });
        return { subscription, invoice };
      }
      if (action === 'pay') {
        const open = [...invoices.values()].find(
          (invoice) => invoice.customer === subscription.customer && invoice.status === 'open',
        );
        const invoice = open ?? newInvoice(subscription, 'paid');
        Object.assign(invoice, {
          status: 'paid',
          amount_paid: invoice.amount_due,
          amount_remaining: 0,
          status_transitions: { paid_at: now(), finalized_at: now() },
        });
        subscription.status = 'active';
        await emit('invoice.paid', invoice);
        await emit('customer.subscription.updated', subscription, { status: before });
        return { subscription, invoice };
      }
      if (action === 'cancel') {
        Object.assign(subscription, { status: 'canceled', canceled_at: now(), ended_at: now() });
        await emit('customer.subscription.deleted', subscription);
        return { subscription };
      }
    }
    throw new StripeError(
      404,
      'invalid_request_error',
      `Unrecognized stand-in request (${method}: ${path}).`,
    );
  }

  async function readBody(req: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }

  function send(res: ServerResponse, status: number, body: unknown, requestId: string): void {
    res.writeHead(status, {
      'content-type': 'application/json',
      'request-id': requestId,
      'stripe-version': Stripe.API_VERSION,
    });
    res.end(JSON.stringify(body));
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = idOf('req');
    const target = new URL(req.url ?? '/', 'http://stand-in');
    const raw = await readBody(req);
    try {
      if (target.pathname.startsWith('/_stand-in/')) {
        if (req.method === 'GET' && /^\/_stand-in\/(checkout|portal|invoices)\//.test(target.pathname)) {
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
          res.end(
            `<!doctype html><title>Stripe stand-in</title><p>The local Stripe stand-in. ${target.pathname.includes('/checkout/') ? `<form method="post" action="${target.pathname}/complete"><button>Pay</button></form>` : ''}</p>`,
          );
          return;
        }
        const params = raw.trim().startsWith('{')
          ? (JSON.parse(raw) as Record<string, unknown>)
          : parseForm(raw);
        const result = (await control(req.method ?? 'GET', target.pathname, params)) as {
          session?: { success_url?: string };
        };
        save();
        // A person who pressed Pay on the checkout page goes on to the success URL, as with Stripe.
        const fromForm = req.headers['content-type']?.startsWith('application/x-www-form-urlencoded');
        if (fromForm && result.session?.success_url) {
          res.writeHead(303, { location: result.session.success_url });
          res.end();
          return;
        }
        send(res, 200, result, requestId);
        return;
      }
      const params =
        req.method === 'GET'
          ? parseForm(target.search.slice(1))
          : (parseForm(raw) as Record<string, unknown>);
      const inOutage = down.includes('*') || down.some((path) => target.pathname.startsWith(path));
      if (inOutage && Object.entries(downFor).every(([name, value]) => params[name] === value)) {
        if (downRefuse) {
          req.socket.destroy();
          return;
        }
        if (downDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, downDelayMs).unref());
        throw new StripeError(503, 'api_error', 'The stand-in is in an outage (POST /_stand-in/outage).');
      }
      if (req.headers.authorization !== `Bearer ${secretKey}`) {
        throw new StripeError(401, 'invalid_request_error', 'Invalid API Key provided.');
      }
      const key = req.headers['idempotency-key'];
      const replayKey = typeof key === 'string' ? `${req.method} ${target.pathname} ${key}` : undefined;
      const replay = replayKey ? idempotent.get(replayKey) : undefined;
      if (replay) {
        res.setHeader('idempotent-replayed', 'true');
        send(res, replay.status, replay.body, requestId);
        return;
      }
      const body = await api(req.method ?? 'GET', target.pathname, params);
      if (replayKey) idempotent.set(replayKey, { status: 200, body });
      if (req.method !== 'GET') save();
      send(res, 200, body, requestId);
    } catch (error) {
      if (error instanceof StripeError) {
        send(
          res,
          error.status,
          {
            error: {
              type: error.type,
              message: error.message,
              code: error.code,
              param: error.param,
              request_log_url: null,
            },
          },
          requestId,
        );
      } else {
        send(res, 500, { error: { type: 'api_error', message: String(error) } }, requestId);
      }
    }
  }

  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(options.port, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    secretKey,
    webhookSecret,
    setWebhookUrl: (value: string) => {
      webhookUrl = value;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
