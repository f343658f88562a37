import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import Stripe from 'stripe';

/** A Stripe object as the stand-in keeps it: JSON with its `id`. */
export type Obj = Record<string, unknown> & { id: string };

/** An error Stripe answers with: its status and its error body's type, message, code and param. */
export class StripeError extends Error {
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

export const now = () => Math.floor(Date.now() / 1000);
export const idOf = (prefix: string) =>
  `${prefix}_${randomBytes(12).toString('base64url').replace(/[-_]/g, 'x')}`;
export const MONTH_SECONDS = 30 * 86_400;

export function list(url: string, data: unknown[]) {
  return { object: 'list', url, has_more: false, data };
}

export function metadataOf(value: unknown): Record<string, string> {
  return value && typeof value === 'object' ? (value as Record<string, string>) : {};
}

export function mustGet(store: Map<string, Obj>, id: string, kind: string): Obj {
  const found = store.get(id);
  if (!found)
    throw new StripeError(404, 'invalid_request_error', `No such ${kind}: '${id}'`, 'resource_missing', 'id');
  return found;
}

export function required(params: Record<string, unknown>, name: string): string {
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

/** The object stores kept across restarts. */
const STORES = [
  'customers',
  'products',
  'prices',
  'meters',
  'meterEvents',
  'sessions',
  'subscriptions',
  'invoices',
  'invoiceItems',
  'events',
] as const;

/** What the stand-in holds: Stripe's objects (kept across restarts), its outage switch, its webhooks. */
export class StripeState {
  readonly customers = new Map<string, Obj>();
  readonly products = new Map<string, Obj>();
  readonly prices = new Map<string, Obj>();
  readonly meters = new Map<string, Obj>();
  readonly meterEvents = new Map<string, Obj>();
  readonly sessions = new Map<string, Obj>();
  readonly subscriptions = new Map<string, Obj>();
  readonly invoices = new Map<string, Obj>();
  /** One-off charges waiting for the customer's next invoice (then on it, `invoice` set). */
  readonly invoiceItems = new Map<string, Obj>();
  readonly events = new Map<string, Obj>();
  /** Answers kept by Idempotency-Key, as Stripe keeps them. */
  readonly idempotent = new Map<string, { status: number; body: unknown }>();
  /** The paths in an outage (503), or every path (`*`), and how the outage behaves. */
  readonly outage = {
    down: [] as string[],
    /** Limits the outage to requests with these parameters (one test's customer or meter event). */
    downFor: {} as Record<string, string>,
    /** An outage may be slowness instead: answers held this long before the 503 (a hung Stripe). */
    downDelayMs: 0,
    /** Or no answer at all: the connection is cut, as when the process is gone (`refuse: true`). */
    downRefuse: false,
  };
  /** While paused, events are kept (`GET /v1/events/{id}`) but not delivered. */
  paused = false;
  /** Where events are delivered (the twin's `POST /v1/stripe/webhook`); set once the API is up. */
  webhookUrl: string | undefined;
  /** The stand-in's own address, for the pages it links to (checkout, portal, invoices). */
  url = '';
  readonly signer: Stripe;

  constructor(
    readonly secretKey: string,
    readonly webhookSecret: string,
    private readonly stateFile?: string,
  ) {
    this.signer = new Stripe(secretKey);
    if (stateFile && existsSync(stateFile)) {
      const saved = JSON.parse(readFileSync(stateFile, 'utf8')) as Record<string, Obj[]>;
      for (const [name, store] of Object.entries(this.stores()))
        for (const item of saved[name] ?? []) store.set(item.id, item);
    }
  }

  private stores(): Record<string, Map<string, Obj>> {
    return Object.fromEntries(STORES.map((name) => [name, this[name]]));
  }

  /** Keeps the objects across restarts, with the twin's data (its customers are named in the table). */
  save(): void {
    if (!this.stateFile) return;
    const snapshot = Object.fromEntries(
      Object.entries(this.stores()).map(([name, store]) => [name, [...store.values()]]),
    );
    writeFileSync(this.stateFile, JSON.stringify(snapshot));
  }
}
