import * as z from 'zod/mini';
import { tenantPath } from '../schemas/tenant-path';
import { component } from '../schemas/components';
import { idSchema } from '../../ids';
import type { RouteDefinition } from '../../http/route';
import { cursorParam, limitParam } from '../../http/validation';
import { emailAddress, pageOf, timestamp } from '../schemas/common';

const auditPath = tenantPath();

const auditEventView = component(
  'AuditEvent',
  z.object({
    id: idSchema('audit'),
    action: z.string(),
    actor: z.object({
      type: z.enum(['user', 'apiKey', 'system']),
      id: z.string(),
      email: z.nullable(
        z
          .string()
          .check(z.describe('The person’s email; `null` for keys, jobs, and people no longer known.')),
      ),
      tenantId: z.optional(z.string()),
      platformAdmin: z.boolean(),
      actingFor: z.nullable(
        z
          .object({ tenantId: idSchema('tenant'), delegationId: idSchema('delegation') })
          .check(
            z.describe(
              'A partner’s person acting in this tenant through a delegation: the partner they acted for and the delegation; `null` otherwise.',
            ),
          ),
      ),
    }),
    target: z.object({
      type: z.string(),
      id: z.string(),
      email: z.nullable(z.string().check(z.describe('For a user target: their email, while a member.'))),
    }),
    before: z.optional(z.record(z.string(), z.unknown())),
    after: z.optional(z.record(z.string(), z.unknown())),
    sourceIp: z.optional(z.string()),
    userAgent: z.optional(z.string()),
    requestId: z.optional(z.string()),
    occurredAt: timestamp,
  }),
);

export const AUDIT_ROUTES = [
  {
    id: 'audit.list',
    method: 'GET',
    path: '/v1/tenants/{tenantId}/audit-logs',
    function: 'audit',
    auth: 'tenant',
    permission: 'audit:read',
    allowWhenSuspended: true,
    summary: "The tenant's audit log",
    description:
      'Every change in the tenant, newest first, with the actor (and a person’s email), the fields before and after, the source IP and the request id; filtered by action, by actor (id or email) and by time. Events expire after the plan’s retention.',
    request: {
      path: auditPath,
      query: z.strictObject({
        action: z.optional(z.string().check(z.regex(/^[a-z_]+\.[a-z_]+$/, 'an action such as user.invited'))),
        actorId: z.optional(
          z
            .string()
            .check(z.regex(/^[A-Za-z0-9_:-]{1,64}$/, 'an actor id such as usr_… or job:monthly-reset')),
        ),
        actorEmail: z.optional(
          emailAddress.check(z.describe('The acting person, by email; no events when no one has it.')),
        ),
        from: z.optional(z.iso.datetime({ offset: true }).check(z.describe('Events at or after this time.'))),
        to: z.optional(z.iso.datetime({ offset: true }).check(z.describe('Events at or before this time.'))),
        limit: limitParam,
        cursor: cursorParam,
      }),
    },
    responses: { 200: { description: 'A page of audit events.', schema: pageOf(auditEventView) } },
    errors: ['invalid_cursor', 'invalid_range'],
  },
  {
    id: 'audit.export',
    method: 'GET',
    path: '/v1/tenants/{tenantId}/audit-logs/export',
    function: 'audit',
    auth: 'tenant',
    permission: 'audit:read',
    allowWhenSuspended: true,
    feature: 'auditExport',
    summary: 'Export the audit log',
    description:
      "The whole audit log, oldest first, as NDJSON (one audit event a line) or CSV (`format=csv`: a header row, then one event a row, `before` and `after` as JSON, cells a spreadsheet would run as formulas prefixed with `'`), up to 10,000 events; `x-export-truncated` says when the log is longer. Plans with `auditExport` only.",
    request: {
      path: auditPath,
      query: z.strictObject({ format: z.optional(z.enum(['ndjson', 'csv'])) }),
    },
    responses: {
      200: {
        description: 'NDJSON, one AuditEvent a line; or CSV.',
        contentType: ['application/x-ndjson', 'text/csv'],
        schema: z.string(),
        headers: {
          'x-export-count': 'How many events the export holds.',
          'x-export-truncated': '`true` when the log holds more events than one export returns.',
        },
      },
    },
    errors: [],
  },
] as const satisfies readonly RouteDefinition[];
