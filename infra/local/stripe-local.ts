import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse as parseForm } from 'qs';
import Stripe from 'stripe';
import { control } from './stripe-local/controls';
import { api } from './stripe-local/resources';
import { idOf, StripeError, StripeState } from './stripe-local/state';

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

/**
 * Starts the stand-in: its state (`stripe-local/state.ts`), Stripe's resources
 * (`resources.ts`), its webhooks (`webhooks.ts`) and its own controls (`controls.ts`), behind one
 * HTTP server that speaks Stripe's wire format.
 */
export async function startStripeLocal(
  options: Options,
): Promise<StripeLocal & { setWebhookUrl(url: string): void }> {
  const secretKey = options.secretKey ?? `sk_test_local_${randomBytes(12).toString('hex')}`;
  const webhookSecret = options.webhookSecret ?? `whsec_local_${randomBytes(16).toString('hex')}`;
  const state = new StripeState(secretKey, webhookSecret, options.stateFile);
  state.webhookUrl = options.webhookUrl;

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
        const result = (await control(state, req.method ?? 'GET', target.pathname, params)) as {
          session?: { success_url?: string };
        };
        state.save();
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
      const { down, downFor, downDelayMs, downRefuse } = state.outage;
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
      const replay = replayKey ? state.idempotent.get(replayKey) : undefined;
      if (replay) {
        res.setHeader('idempotent-replayed', 'true');
        send(res, replay.status, replay.body, requestId);
        return;
      }
      const body = await api(state, req.method ?? 'GET', target.pathname, params);
      if (replayKey) state.idempotent.set(replayKey, { status: 200, body });
      if (req.method !== 'GET') state.save();
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
  state.url = url;
  return {
    url,
    secretKey,
    webhookSecret,
    setWebhookUrl: (value: string) => {
      state.webhookUrl = value;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
