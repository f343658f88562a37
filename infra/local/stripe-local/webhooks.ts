import Stripe from 'stripe';
import { idOf, now, type Obj, type StripeState } from './state';

/** Sends an event as Stripe does: JSON, signed with the webhook secret, retried while not 2xx. */
async function deliver(state: StripeState, event: Obj): Promise<void> {
  const { webhookUrl, paused, signer, webhookSecret } = state;
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

/** Records an event of Stripe's shape and delivers it. */
export async function emit(
  state: StripeState,
  type: string,
  object: Obj,
  previous?: Record<string, unknown>,
): Promise<Obj> {
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
  state.events.set(event.id, event);
  await deliver(state, event);
  return event;
}
