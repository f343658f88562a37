import * as z from 'zod/mini';
import { tenantPath } from '../schemas/tenant-path';
import { EVENT_TYPE_DESCRIPTIONS, EVENT_TYPE_NAMES } from '../../model/event-types';
import { idSchema } from '../../ids';
import type { RouteDefinition } from '../../http/route';
import { cursorParam, limitParam } from '../../http/validation';
import { component } from '../schemas/components';
import { pageOf, timestamp } from '../schemas/common';
import { singleLineText } from '../../text';
import { DELIVERY_TRIGGERS } from '../../model/webhook-deliveries';

const endpointsPath = tenantPath();
const endpointPath = tenantPath({ endpointId: idSchema('webhook') });
const deliveryPath = tenantPath({ endpointId: idSchema('webhook'), deliveryId: idSchema('delivery') });

const url = z.string().check(z.maxLength(2048), z.url());
const events = z
  .array(z.enum(['*', ...EVENT_TYPE_NAMES]))
  .check(
    z.minLength(1),
    z.maxLength(EVENT_TYPE_NAMES.length + 1),
    z.describe(
      `Event types of the catalogue, or \`*\` for all of them. ${EVENT_TYPE_NAMES.map((name) => `\`${name}\`: ${EVENT_TYPE_DESCRIPTIONS[name]}`).join(' ')}`,
    ),
  );

const endpointFields = {
  id: idSchema('webhook'),
  url: z.string(),
  events: z.array(z.string()),
  description: z.nullable(z.string()),
  status: z.enum(['active', 'disabled']),
  disabledReason: z.nullable(z.string()),
  consecutiveFailures: z.int().check(z.gte(0)),
  createdBy: z.string(),
  createdAt: timestamp,
  updatedAt: timestamp,
};
const endpointView = component('WebhookEndpoint', z.object(endpointFields));
const createdEndpointView = component(
  'CreatedWebhookEndpoint',
  z.object({
    ...endpointFields,
    secret: z
      .string()
      .check(
        z.describe(
          'The signing secret (`whsec_…`), shown this once: verify each delivery’s `webhook-signature` with it (Standard Webhooks).',
        ),
      ),
  }),
);
const deliveryView = component(
  'WebhookDelivery',
  z.object({
    id: idSchema('delivery'),
    eventId: z.string(),
    eventType: z.string(),
    attempt: z.int().check(z.gte(1)),
    ok: z.boolean(),
    statusCode: z.nullable(z.int()),
    error: z.nullable(z.string()),
    durationMs: z.int().check(z.gte(0)),
    nextAttemptAt: z.nullable(timestamp),
    at: timestamp,
    trigger: z
      .enum(DELIVERY_TRIGGERS)
      .check(
        z.describe(
          '`event`: the event happened (retried on failure); `test`: a test event; `retry`: sent again by hand. A test or a retry is one attempt, and its failure is not counted towards disabling the endpoint.',
        ),
      ),
    retryable: z
      .boolean()
      .check(z.describe('Whether the log kept what was sent, so that it can be sent again.')),
    response: z.nullable(
      z.string().check(z.describe('The first kilobyte of the endpoint’s answer, as text.')),
    ),
  }),
);
const webhookId = z.string().check(z.describe('The `webhook-id` the endpoint receives.'));
const queuedView = component('QueuedWebhookDelivery', z.object({ eventId: webhookId }));
const queuedTestView = component(
  'QueuedWebhookTest',
  z.object({ eventId: webhookId, type: z.enum(EVENT_TYPE_NAMES) }),
);

const common = {
  function: 'webhooks',
  auth: 'tenant',
  permission: 'webhooks:manage',
  feature: 'webhooks',
} as const;

export const WEBHOOK_ROUTES = [
  {
    ...common,
    id: 'webhooks.create',
    method: 'POST',
    path: '/v1/tenants/{tenantId}/webhooks',
    answersSecret: true,
    summary: 'Add a webhook endpoint',
    description:
      'An https URL on a public address (never a private, loopback, link-local or reserved one) that receives the tenant’s events of the given types. Each delivery is a POST of `{id, type, timestamp, tenantId, data}` signed as Standard Webhooks do (`webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64 HMAC-SHA256>`) with the endpoint’s secret, which this answer alone shows. A delivery that does not get a 2xx within 10 s is retried after 30 s, 2, 10, 15 and 15 minutes; after 15 failures in a row the endpoint is disabled and the owners are emailed. At most 10 endpoints.',
    request: {
      path: endpointsPath,
      body: z.strictObject({ url, events, description: z.optional(singleLineText(200)) }),
      example: {
        url: 'https://hooks.acme.example/tenantry',
        events: ['quota.threshold_crossed', 'tenant.suspended'],
      },
    },
    responses: {
      201: { description: 'The endpoint, with its secret (shown once).', schema: createdEndpointView },
    },
    errors: ['webhook_url_not_allowed', 'webhook_endpoint_limit'],
  },
  {
    ...common,
    id: 'webhooks.list',
    method: 'GET',
    path: '/v1/tenants/{tenantId}/webhooks',
    summary: "List the tenant's webhook endpoints",
    description: 'Every endpoint, with its status and failure streak. Never a secret.',
    request: { path: endpointsPath },
    responses: { 200: { description: 'The endpoints.', schema: z.object({ items: z.array(endpointView) }) } },
    errors: [],
  },
  {
    ...common,
    id: 'webhooks.get',
    method: 'GET',
    path: '/v1/tenants/{tenantId}/webhooks/{endpointId}',
    summary: 'Get a webhook endpoint',
    description: 'One endpoint. Never its secret.',
    request: { path: endpointPath },
    responses: { 200: { description: 'The endpoint.', schema: endpointView } },
    errors: ['webhook_not_found'],
  },
  {
    ...common,
    id: 'webhooks.update',
    method: 'PATCH',
    path: '/v1/tenants/{tenantId}/webhooks/{endpointId}',
    summary: 'Change a webhook endpoint',
    description:
      'Its URL, events or description, or `enabled`: `false` stops deliveries, `true` starts them again (and the failure streak from zero).',
    request: {
      path: endpointPath,
      body: z.strictObject({
        url: z.optional(url),
        events: z.optional(events),
        description: z.optional(singleLineText(200)),
        enabled: z.optional(z.boolean()),
      }),
      example: { enabled: true },
    },
    responses: { 200: { description: 'The endpoint.', schema: endpointView } },
    errors: ['webhook_not_found', 'webhook_url_not_allowed', 'concurrent_modification'],
  },
  {
    ...common,
    id: 'webhooks.delete',
    method: 'DELETE',
    path: '/v1/tenants/{tenantId}/webhooks/{endpointId}',
    summary: 'Remove a webhook endpoint',
    description: 'No more deliveries; attempts already queued find it gone and stop.',
    request: { path: endpointPath },
    responses: { 204: { description: 'Removed.' } },
    errors: ['webhook_not_found'],
  },
  {
    ...common,
    id: 'webhooks.deliveries',
    method: 'GET',
    path: '/v1/tenants/{tenantId}/webhooks/{endpointId}/deliveries',
    summary: "An endpoint's delivery log",
    description:
      'Every attempt of the last 30 days, newest first: the event, the answer (or the error), the time it took, and when the next attempt is due.',
    request: { path: endpointPath, query: z.strictObject({ limit: limitParam, cursor: cursorParam }) },
    responses: { 200: { description: 'A page of attempts.', schema: pageOf(deliveryView) } },
    errors: ['webhook_not_found', 'invalid_cursor'],
  },
  {
    ...common,
    id: 'webhooks.test',
    method: 'POST',
    path: '/v1/tenants/{tenantId}/webhooks/{endpointId}/test',
    summary: 'Send a test event to an endpoint',
    description:
      'An example event of `type` (by default the first type the endpoint asked for), delivered like any other — signed, logged — with `"test": true` in its body. One attempt: not retried, and a failure is not counted towards disabling the endpoint. The answer comes when the attempt is queued; the delivery log shows how it went.',
    request: {
      path: endpointPath,
      body: z.strictObject({ type: z.optional(z.enum(EVENT_TYPE_NAMES)) }),
      example: { type: 'quota.threshold_crossed' },
    },
    responses: {
      202: { description: 'Queued: its attempt appears in the delivery log.', schema: queuedTestView },
    },
    errors: ['webhook_not_found', 'webhook_endpoint_disabled'],
  },
  {
    ...common,
    id: 'webhooks.retry',
    method: 'POST',
    path: '/v1/tenants/{tenantId}/webhooks/{endpointId}/deliveries/{deliveryId}/retry',
    summary: 'Send a logged delivery again',
    description:
      'The body of a logged attempt, sent again as it was (the same `webhook-id`, so a receiver that acted on it already can tell) and freshly signed. One attempt, logged with `trigger: retry`; not retried, and a failure is not counted towards disabling the endpoint.',
    request: { path: deliveryPath },
    responses: {
      202: { description: 'Queued: its attempt appears in the delivery log.', schema: queuedView },
    },
    errors: [
      'webhook_not_found',
      'webhook_delivery_not_found',
      'webhook_endpoint_disabled',
      'webhook_delivery_not_retryable',
    ],
  },
] as const satisfies readonly RouteDefinition[];
