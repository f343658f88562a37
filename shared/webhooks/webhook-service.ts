import { auditSourceOf } from '../audit/actor';
import { recordAuditEvent } from '../audit/audit-log';
import { writeAudited } from '../audit/audited-transaction';
import {
  EVENT_CATALOGUE,
  eventEnvelopeSchema,
  type EventEnvelope,
  type EventType,
} from '../events/catalogue';
import { randomBytes } from 'node:crypto';
import { readPage } from '../data/page';
import { WebhookDeliveryEntity, type WebhookDeliveryItem } from '../data/entities/webhook-delivery';
import { WebhookEndpointEntity, type WebhookEndpointItem } from '../data/entities/webhook-endpoint';
import { tenantPartitionKey } from '../data/table-definition';
import { ConflictError, NotFoundError, ValidationError } from '../errors';
import { newId } from '../ids';
import { sealValue } from '../secrets/envelope';
import { principalId, requestTime, type TenantContext } from '../context/tenant-context';
import { checkWebhookUrl } from './webhook-url';
import type { DeliveryTrigger } from '../model/webhook-deliveries';
import { deliveryQueue } from './webhook-dispatch';

/** How many endpoints a tenant may have. */
export const MAX_WEBHOOK_ENDPOINTS = 10;

export interface WebhookEndpointView {
  id: string;
  url: string;
  events: string[];
  description: string | null;
  status: WebhookEndpointItem['status'];
  disabledReason: string | null;
  consecutiveFailures: number;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

export interface WebhookDeliveryView {
  id: string;
  eventId: string;
  eventType: string;
  attempt: number;
  ok: boolean;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
  nextAttemptAt: string | null;
  at: string;
  trigger: DeliveryTrigger;
  /** Whether the log kept what was sent, so that it can be sent again. */
  retryable: boolean;
  response: string | null;
}

/** What the signing secret is bound to: opening it under another tenant or endpoint fails. */
export function secretContext(tenantId: string, endpointId: string): Record<string, string> {
  return { tenantId, webhook: endpointId };
}

function toView(item: WebhookEndpointItem): WebhookEndpointView {
  return {
    id: item.endpointId,
    url: item.url,
    events: item.events,
    description: item.description ?? null,
    status: item.status,
    disabledReason: item.disabledReason ?? null,
    consecutiveFailures: item.consecutiveFailures,
    createdBy: item.createdBy,
    createdAt: item.createdAt,
    updatedAt: item.updatedAt,
  };
}

function toDeliveryView(item: WebhookDeliveryItem): WebhookDeliveryView {
  return {
    id: item.deliveryId,
    eventId: item.eventId,
    eventType: item.eventType,
    attempt: item.attempt,
    ok: item.ok,
    statusCode: item.statusCode ?? null,
    error: item.error ?? null,
    durationMs: item.durationMs,
    nextAttemptAt: item.nextAttemptAt ?? null,
    at: item.at,
    trigger: item.trigger ?? 'event',
    retryable: item.payload !== undefined,
    response: item.response ?? null,
  };
}

async function assertUrl(url: string): Promise<void> {
  const check = await checkWebhookUrl(url);
  if (!check.ok) {
    throw new ValidationError(
      `Webhooks are delivered over https to public addresses only: ${check.reason}.`,
      [{ path: 'url', message: check.reason }],
      'webhook_url_not_allowed',
    );
  }
}

async function readEndpoint(ctx: TenantContext, endpointId: string): Promise<WebhookEndpointItem> {
  const item = (
    await WebhookEndpointEntity.get({ tenantId: ctx.tenantId, endpointId }).go({ consistent: true })
  ).data;
  if (!item) throw new NotFoundError('No webhook endpoint with this id in the tenant.', 'webhook_not_found');
  return item;
}

/**
 * Adds an endpoint for the tenant's events, with a fresh signing secret (`whsec_…`, Standard
 * Webhooks) that this answer alone shows; it is stored sealed by envelope encryption. Audited.
 */
export async function createWebhookEndpoint(
  ctx: TenantContext,
  input: { url: string; events: string[]; description?: string | undefined },
  now: Date = requestTime(ctx),
): Promise<WebhookEndpointView & { secret: string }> {
  await assertUrl(input.url);
  const existing = await WebhookEndpointEntity.query
    .byTenant({ tenantId: ctx.tenantId })
    .go({ pages: 'all', attributes: ['endpointId'] });
  if (existing.data.length >= MAX_WEBHOOK_ENDPOINTS) {
    throw new ConflictError(
      `A tenant has at most ${MAX_WEBHOOK_ENDPOINTS} webhook endpoints.`,
      'webhook_endpoint_limit',
    );
  }
  const endpointId = newId('webhook', now.getTime());
  const secret = `whsec_${randomBytes(24).toString('base64')}`;
  const item: WebhookEndpointItem = {
    tenantId: ctx.tenantId,
    endpointId,
    url: input.url,
    events: [...new Set(input.events)],
    ...(input.description ? { description: input.description } : {}),
    status: 'active',
    consecutiveFailures: 0,
    ...(await sealValue(secret, secretContext(ctx.tenantId, endpointId))),
    createdBy: principalId(ctx.principal),
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
  await writeAudited(
    ctx,
    {
      action: 'webhook.created',
      targetType: 'webhook',
      targetId: endpointId,
      after: { url: item.url, events: item.events },
    },
    ({ webhookEndpoint }) => ({
      endpoint: webhookEndpoint.create(item).commit(),
    }),
    { now },
  );
  return { ...toView(item), secret };
}

export async function listWebhookEndpoints(ctx: TenantContext): Promise<{ items: WebhookEndpointView[] }> {
  const result = await WebhookEndpointEntity.query.byTenant({ tenantId: ctx.tenantId }).go({ pages: 'all' });
  return { items: result.data.map(toView) };
}

export async function getWebhookEndpoint(
  ctx: TenantContext,
  endpointId: string,
): Promise<WebhookEndpointView> {
  return toView(await readEndpoint(ctx, endpointId));
}

/**
 * Changes an endpoint's URL, events, description, or whether it is enabled; enabling one the
 * platform disabled starts its failure count again. Audited with the fields that moved.
 */
export async function updateWebhookEndpoint(
  ctx: TenantContext,
  endpointId: string,
  input: {
    url?: string | undefined;
    events?: string[] | undefined;
    description?: string | undefined;
    enabled?: boolean | undefined;
  },
  now: Date = requestTime(ctx),
): Promise<WebhookEndpointView> {
  if (input.url !== undefined) await assertUrl(input.url);
  // The write is conditioned on the endpoint as read; a delivery that counted a failure meanwhile
  // (every write moves updatedAt) makes it read again, a few times before answering 409.
  // The change asked for: the same whichever read of the endpoint it meets.
  const change: Partial<WebhookEndpointItem> = {
    ...(input.url !== undefined ? { url: input.url } : {}),
    ...(input.events !== undefined ? { events: [...new Set(input.events)] } : {}),
    ...(input.description !== undefined ? { description: input.description } : {}),
    ...(input.enabled === true ? { status: 'active' as const, consecutiveFailures: 0 } : {}),
    ...(input.enabled === false
      ? { status: 'disabled' as const, disabledReason: 'Disabled by the tenant.' }
      : {}),
  };
  for (let attempt = 1; ; attempt += 1) {
    const current = await readEndpoint(ctx, endpointId);
    const next = { ...current, ...change, updatedAt: now.toISOString() };
    const before = Object.fromEntries(
      Object.keys(change).map((key) => [key, current[key as keyof WebhookEndpointItem]]),
    );
    const changedMeanwhile = new ConflictError(
      'The endpoint changed meanwhile; retry.',
      'concurrent_modification',
    );
    try {
      await writeAudited(
        ctx,
        { action: 'webhook.updated', targetType: 'webhook', targetId: endpointId, before, after: change },
        ({ webhookEndpoint }) => ({
          endpoint: webhookEndpoint
            .patch({ tenantId: ctx.tenantId, endpointId })
            .set(change)
            .remove(input.enabled === true ? ['disabledReason'] : [])
            .where((attr, op) => op.eq(attr.updatedAt, current.updatedAt))
            .commit(),
        }),
        { rejections: { endpoint: () => changedMeanwhile }, now },
      );
    } catch (error) {
      if (error === changedMeanwhile && attempt < 3) continue;
      throw error;
    }
    if (input.enabled === true) delete (next as Partial<WebhookEndpointItem>).disabledReason;
    return toView(next);
  }
}

export async function deleteWebhookEndpoint(
  ctx: TenantContext,
  endpointId: string,
  now: Date = requestTime(ctx),
): Promise<void> {
  const current = await readEndpoint(ctx, endpointId);
  await writeAudited(
    ctx,
    { action: 'webhook.deleted', targetType: 'webhook', targetId: endpointId, before: { url: current.url } },
    ({ webhookEndpoint }) => ({
      endpoint: webhookEndpoint.delete({ tenantId: ctx.tenantId, endpointId }).commit(),
    }),
    { now },
  );
}

/** The endpoint's delivery log, newest first, a page at a time. */
export async function listWebhookDeliveries(
  ctx: TenantContext,
  endpointId: string,
  query: { limit: number; cursor?: string | undefined },
): Promise<{ items: WebhookDeliveryView[]; nextCursor: string | null }> {
  await readEndpoint(ctx, endpointId);
  return readPage(
    { name: `webhook-deliveries:${ctx.tenantId}:${endpointId}`, partition: tenantPartitionKey(ctx.tenantId) },
    query,
    (from) =>
      WebhookDeliveryEntity.query
        .byEndpoint({ tenantId: ctx.tenantId, endpointId })
        .go({ ...from, order: 'desc' }),
    toDeliveryView,
  );
}

/** An endpoint that may be sent to now: a disabled one receives nothing until it is enabled. */
async function activeEndpoint(ctx: TenantContext, endpointId: string): Promise<WebhookEndpointItem> {
  const endpoint = await readEndpoint(ctx, endpointId);
  if (endpoint.status !== 'active') {
    throw new ConflictError(
      'The endpoint is disabled: enable it, then try again.',
      'webhook_endpoint_disabled',
    );
  }
  return endpoint;
}

/**
 * Queues one delivery by the tenant's hand (a test event, a retry), audited as asked for: the audit
 * event is written first, so a delivery is never sent that the log does not show was asked for.
 */
async function queueByHand(
  ctx: TenantContext,
  endpointId: string,
  delivery: { event: EventEnvelope; trigger: Exclude<DeliveryTrigger, 'event'>; test: boolean },
  audit: { action: string; after: Record<string, unknown> },
): Promise<void> {
  await recordAuditEvent(ctx.tenantId, auditSourceOf(ctx), {
    action: audit.action,
    targetType: 'webhook',
    targetId: endpointId,
    after: audit.after,
  });
  await deliveryQueue.send({
    task: 'webhook',
    tenantId: ctx.tenantId,
    endpointId,
    attempt: 1,
    event: delivery.event,
    trigger: delivery.trigger,
    test: delivery.test,
  });
}

/**
 * Sends the endpoint an example event of `type` (by default the first type it asked for), marked
 * `"test": true` in its body and signed as any delivery. One attempt, logged with `trigger: test`;
 * not retried, and a failure does not count towards disabling the endpoint.
 */
export async function sendTestWebhook(
  ctx: TenantContext,
  endpointId: string,
  input: { type?: EventType | undefined },
  now: Date = requestTime(ctx),
): Promise<{ eventId: string; type: EventType }> {
  const endpoint = await activeEndpoint(ctx, endpointId);
  const asked = endpoint.events.find((type): type is EventType => type !== '*');
  const type = input.type ?? asked ?? 'quota.threshold_crossed';
  const event: EventEnvelope = {
    id: newId('event', now.getTime()),
    type,
    tenantId: ctx.tenantId,
    occurredAt: now.toISOString(),
    data: EVENT_CATALOGUE[type].example,
  };
  await queueByHand(
    ctx,
    endpointId,
    { event, trigger: 'test', test: true },
    { action: 'webhook.test_requested', after: { eventId: event.id, type } },
  );
  return { eventId: event.id, type };
}

/**
 * Sends a logged delivery's body again, as it was (its event id, so a receiver that already acted on
 * it can tell), freshly signed. One attempt, logged with `trigger: retry`.
 */
export async function retryWebhookDelivery(
  ctx: TenantContext,
  endpointId: string,
  deliveryId: string,
): Promise<{ eventId: string }> {
  await activeEndpoint(ctx, endpointId);
  const logged = (
    await WebhookDeliveryEntity.get({ tenantId: ctx.tenantId, endpointId, deliveryId }).go({
      consistent: true,
    })
  ).data;
  if (!logged) {
    throw new NotFoundError('No logged attempt with this id for the endpoint.', 'webhook_delivery_not_found');
  }
  if (logged.payload === undefined) {
    throw new ConflictError(
      'This attempt was logged before the log kept what was sent: there is nothing to send again.',
      'webhook_delivery_not_retryable',
    );
  }
  const sent = JSON.parse(logged.payload) as {
    id: string;
    type: string;
    timestamp: string;
    tenantId: string;
    test?: boolean;
    data: unknown;
  };
  const event = eventEnvelopeSchema.parse({
    id: sent.id,
    type: sent.type,
    tenantId: sent.tenantId,
    occurredAt: sent.timestamp,
    data: sent.data,
  });
  await queueByHand(
    ctx,
    endpointId,
    { event, trigger: 'retry', test: sent.test === true },
    { action: 'webhook.delivery_retried', after: { eventId: event.id, deliveryId } },
  );
  return { eventId: event.id };
}
