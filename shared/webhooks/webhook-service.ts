import { writeAudited } from '../audit/audited-transaction';
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
