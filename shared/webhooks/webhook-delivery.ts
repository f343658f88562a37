import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { getConfig } from '../config';
import { WebhookDeliveryEntity } from '../data/entities/webhook-delivery';
import { claimOnce, releaseOnce } from '../data/once';
import { WebhookEndpointEntity, type WebhookEndpointItem } from '../data/entities/webhook-endpoint';
import type { EventEnvelope } from '../events/catalogue';
import { announce } from '../events/publish';
import { logger } from '../observability/logger';
import { countWebhookEndpointDisabled } from '../observability/metrics';
import { newId } from '../ids';
import { openValue } from '../secrets/envelope';
import { runWithTenantContext } from '../context/tenant-context';
import { systemContextFor } from '../tenancy/system-context';
import { deliveryQueue, type DeliveryTask } from './webhook-dispatch';
import { secretContext } from './webhook-service';
import { checkWebhookUrl } from './webhook-url';

/** How long an endpoint has to answer. */
const TIMEOUT_MS = 10_000;
const DELIVERY_RETENTION_SECONDS = 30 * 86_400;

/** How much of an endpoint's answer the delivery log keeps. */
const RESPONSE_EXCERPT_BYTES = 1_024;

/**
 * The body an endpoint receives: Standard Webhooks' `type`, `timestamp` and `data`, and the event's
 * ids; a test event's says `"test": true`.
 */
export function webhookPayload(event: EventEnvelope, test = false): string {
  return JSON.stringify({
    id: event.id,
    type: event.type,
    timestamp: event.occurredAt,
    tenantId: event.tenantId,
    ...(test ? { test: true } : {}),
    data: event.data,
  });
}

/**
 * The webhooks consumer of a domain event: one delivery task per active endpoint of the tenant that
 * asked for the event's type (or `*`), queued at once, and once per endpoint however often the
 * event comes (a redelivery queues only what a failed one did not).
 */
export async function fanOutWebhooks(event: EventEnvelope): Promise<number> {
  const ctx = await systemContextFor(event.tenantId, `event:${event.id}`, 'system:webhooks');
  if (!ctx || !ctx.features.has('webhooks')) return 0;
  return runWithTenantContext(ctx, async () => {
    const endpoints = await WebhookEndpointEntity.query
      .byTenant({ tenantId: event.tenantId })
      .go({ pages: 'all', attributes: ['endpointId', 'status', 'events'] });
    const wanting = endpoints.data.filter(
      (endpoint) =>
        endpoint.status === 'active' &&
        (endpoint.events.includes('*') || endpoint.events.includes(event.type)),
    );
    let queued = 0;
    for (const endpoint of wanting) {
      // Once per event and endpoint, however often the event is delivered to this consumer.
      const claim = `webhook#${event.id}#${endpoint.endpointId}`;
      if (!(await claimOnce(event.tenantId, claim, new Date(event.occurredAt), 30))) continue;
      try {
        await deliveryQueue.send({
          task: 'webhook',
          tenantId: event.tenantId,
          endpointId: endpoint.endpointId,
          attempt: 1,
          event,
        });
      } catch (error) {
        await releaseOnce(event.tenantId, claim);
        throw error;
      }
      queued += 1;
    }
    return queued;
  });
}

interface Answer {
  ok: boolean;
  statusCode?: number;
  error?: string;
  /** The start of the answer's body, as text. */
  response?: string;
}

/** POSTs to the address the URL check found (never re-resolved), within the timeout. */
function post(
  url: URL,
  address: string,
  family: 4 | 6,
  headers: Record<string, string>,
  body: string,
): Promise<Answer> {
  const lookup: LookupFunction = (_host, options, callback) => {
    if ((options as { all?: boolean }).all) callback(null, [{ address, family }] as never, family);
    else callback(null, address, family);
  };
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    const req = send(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        lookup,
        timeout: TIMEOUT_MS,
      },
      (res) => {
        // The first kilobyte is kept for the log; the rest is read and dropped.
        const kept: Buffer[] = [];
        let keptBytes = 0;
        res.on('data', (chunk: Buffer) => {
          if (keptBytes >= RESPONSE_EXCERPT_BYTES) return;
          kept.push(chunk.subarray(0, RESPONSE_EXCERPT_BYTES - keptBytes));
          keptBytes += Math.min(chunk.length, RESPONSE_EXCERPT_BYTES - keptBytes);
        });
        res.on('end', () => {
          const statusCode = res.statusCode ?? 0;
          const response = Buffer.concat(kept).toString('utf8');
          resolve({
            ok: statusCode >= 200 && statusCode < 300,
            statusCode,
            ...(response ? { response } : {}),
          });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${TIMEOUT_MS / 1000} s`)));
    req.on('error', (error) => resolve({ ok: false, error: error.message }));
    req.end(body);
  });
}

async function attempt(
  endpoint: WebhookEndpointItem,
  task: DeliveryTask,
  body: string,
  now: Date,
): Promise<Answer> {
  const check = await checkWebhookUrl(endpoint.url);
  if (!check.ok) return { ok: false, error: `address not allowed: ${check.reason}` };
  const secret = await openValue(endpoint, secretContext(endpoint.tenantId, endpoint.endpointId));
  const headers = {
    'content-type': 'application/json',
    'user-agent': 'Tenantry-Webhooks/1',
    'webhook-id': task.event.id,
    'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(task.event.id, now, body),
  };
  return post(new URL(endpoint.url), check.address, check.family, headers, body);
}

/**
 * One delivery attempt, as the deliveries queue's worker makes it: signed (Standard Webhooks:
 * `webhook-id`, `webhook-timestamp`, `webhook-signature` with the endpoint's secret), posted to the
 * address checked for it, and logged. A 2xx is a success and ends a failure streak. Otherwise the
 * next attempt is queued after `WEBHOOK_RETRY_DELAYS_SECONDS`, while any remain; and an endpoint that
 * has failed `WEBHOOK_DISABLE_AFTER_FAILURES` deliveries in a row is disabled and its owners told.
 * A test event or a tenant's retry is one attempt: logged, never retried, and its failure is not
 * counted (its success still ends a streak). The log keeps the body, for a retry to send again.
 */
export async function deliverWebhook(task: DeliveryTask, now: Date = new Date()): Promise<void> {
  const ctx = await systemContextFor(task.tenantId, `webhook:${task.event.id}`, 'system:webhooks');
  if (!ctx) return;
  await runWithTenantContext(ctx, async () => {
    const key = { tenantId: task.tenantId, endpointId: task.endpointId };
    const endpoint = (await WebhookEndpointEntity.get(key).go({ consistent: true })).data;
    if (!endpoint || endpoint.status !== 'active') return;
    const started = performance.now();
    const body = webhookPayload(task.event, task.test === true);
    const answer = await attempt(endpoint, task, body, now);
    const trigger = task.trigger ?? 'event';
    logger.debug('Webhook delivery: attempt', {
      endpointId: task.endpointId,
      eventType: task.event.type,
      attempt: task.attempt,
      ok: answer.ok,
      statusCode: answer.statusCode,
    });
    const { retryDelaysSeconds, disableAfterFailures } = getConfig().webhooks;
    const delay = answer.ok || trigger !== 'event' ? undefined : retryDelaysSeconds[task.attempt - 1];
    await WebhookDeliveryEntity.create({
      ...key,
      deliveryId: newId('delivery', now.getTime()),
      eventId: task.event.id,
      eventType: task.event.type,
      attempt: task.attempt,
      ok: answer.ok,
      ...(answer.statusCode !== undefined ? { statusCode: answer.statusCode } : {}),
      ...(answer.error ? { error: answer.error.slice(0, 500) } : {}),
      ...(answer.response ? { response: answer.response } : {}),
      trigger,
      payload: body,
      durationMs: Math.round(performance.now() - started),
      ...(delay !== undefined ? { nextAttemptAt: new Date(now.getTime() + delay * 1000).toISOString() } : {}),
      at: now.toISOString(),
      expiresAt: Math.floor(now.getTime() / 1000) + DELIVERY_RETENTION_SECONDS,
    }).go({ response: 'none' });

    if (answer.ok) {
      if (endpoint.consecutiveFailures > 0) {
        await WebhookEndpointEntity.patch(key).set({ consecutiveFailures: 0 }).go({ response: 'none' });
      }
      return;
    }
    if (trigger !== 'event') return;
    const counted = await WebhookEndpointEntity.patch(key)
      .add({ consecutiveFailures: 1 })
      .go({ response: 'all_new' });
    const failures = counted.data.consecutiveFailures ?? endpoint.consecutiveFailures + 1;
    if (failures >= disableAfterFailures) {
      try {
        await WebhookEndpointEntity.patch(key)
          .set({
            status: 'disabled',
            disabledReason: `Disabled after ${failures} failed deliveries in a row.`,
          })
          .where((attr, op) => op.eq(attr.status, 'active'))
          .go({ response: 'none' });
      } catch {
        return; // Disabled meanwhile (by the tenant, or a concurrent attempt): told once already.
      }
      countWebhookEndpointDisabled();
      await announce(
        task.tenantId,
        'webhook.endpoint_disabled',
        { endpointId: task.endpointId, url: endpoint.url, failures },
        now,
      );
      return;
    }
    if (delay !== undefined) {
      await deliveryQueue.send({ ...task, attempt: task.attempt + 1 }, { delaySeconds: delay });
    }
  });
}
