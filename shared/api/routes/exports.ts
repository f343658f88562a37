import * as z from 'zod/mini';
import { tenantPath } from '../schemas/tenant-path';
import { component } from '../schemas/components';
import type { RouteDefinition } from '../../http/route';
import { idSchema } from '../../ids';
import { cursorParam, limitParam } from '../../http/validation';
import { EXPORT_STATUSES } from '../../model/export-statuses';
import { pageOf, timestamp } from '../schemas/common';

const oneTenantPath = tenantPath();

const exportPath = tenantPath({ exportId: idSchema('export') });
const exportView = component(
  'Export',
  z.object({
    id: idSchema('export'),
    status: z.enum(EXPORT_STATUSES),
    requestedBy: z.string(),
    requestedAt: timestamp,
    completedAt: z.nullable(timestamp),
    itemCount: z.nullable(z.int().check(z.gte(0))),
    bytes: z.nullable(z.int().check(z.gte(0))),
    error: z.nullable(z.string()),
    expiresAt: timestamp,
    downloadUrl: z.nullable(z.string()),
    downloadUrlExpiresAt: z.nullable(timestamp),
  }),
);
/** What every export route shares: the tenants function, owners and admins, open while suspended or deleted. */
const EXPORT_ROUTE = {
  function: 'tenants',
  auth: 'tenant',
  permission: 'tenant:export',
  allowWhenSuspended: true,
  allowWhenDeleted: true,
} as const;
const EXPORT_OPEN =
  ' Open while the tenant is suspended, and while it is deleted until `purgeAfter` (a way to take the data before it goes).';

/** A tenant's exports (served by the tenants function): the data it owns, to take away. */
export const EXPORT_ROUTES = [
  {
    id: 'tenants.exports.create',
    method: 'POST',
    path: '/v1/tenants/{tenantId}/exports',
    ...EXPORT_ROUTE,
    summary: 'Export everything the tenant owns',
    description:
      'Starts an export: the job worker writes every item the tenant owns (the tenant, memberships, API keys without their hashes, agents, runs, memory, counters and usage, audit events, billing periods, secret settings without their values, webhook endpoints without their secrets) as gzipped NDJSON (`tenantry-export/1`: a header line, then one `{type, data}` line per item) under the tenant’s own prefix of an encrypted bucket that expires it after `EXPORT_RETENTION_DAYS` (7). Follow it with the status endpoint; the requester is emailed when it is ready. One export at a time.' +
      EXPORT_OPEN,
    request: { path: oneTenantPath },
    responses: { 202: { description: 'The export, `pending`.', schema: exportView } },
    errors: ['export_in_progress'],
  },
  {
    id: 'tenants.exports.list',
    method: 'GET',
    path: '/v1/tenants/{tenantId}/exports',
    ...EXPORT_ROUTE,
    summary: "List the tenant's exports",
    description: 'Newest first, without download links (the status endpoint gives one).' + EXPORT_OPEN,
    request: { path: oneTenantPath, query: z.strictObject({ limit: limitParam, cursor: cursorParam }) },
    responses: { 200: { description: 'A page of exports.', schema: pageOf(exportView) } },
    errors: ['invalid_cursor'],
  },
  {
    id: 'tenants.exports.get',
    method: 'GET',
    path: '/v1/tenants/{tenantId}/exports/{exportId}',
    ...EXPORT_ROUTE,
    summary: 'An export’s status, and its download link',
    description:
      'A completed export carries `downloadUrl`, made fresh at each read and working for `EXPORT_LINK_TTL_SECONDS` (15 minutes): an S3 presigned URL in AWS, a link to the twin’s export file server locally.' +
      EXPORT_OPEN,
    request: { path: exportPath },
    responses: { 200: { description: 'The export.', schema: exportView } },
    errors: ['export_not_found'],
  },
  {
    id: 'tenants.import',
    method: 'POST',
    path: '/v1/tenants/{tenantId}/import',
    function: 'tenants',
    auth: 'tenant',
    permission: 'platform:tenants:manage',
    summary: 'Import data into a tenant',
    description:
      'Platform admins: loads a file into a new or an empty tenant (`409 import_target_not_empty` when it has agents of its own). `file` is either an export of this platform (`tenantry-export/1`, unzipped: agents, runs, memory, the logo, settings and profile come back under their ids) or the NDJSON format for data from a single-tenant system (`tenantry-import/1`, docs/operations.md). Each item is written only where absent, so importing again changes nothing; the quota counters are then set from the items, and one `tenant.imported` audit event records what came in, what was there already and what a file cannot carry (skipped, by type). `npm run tenant:import` does the same from a file.',
    request: {
      path: oneTenantPath,
      body: z.strictObject({
        file: z.string().check(z.minLength(1), z.describe('The file’s text, one JSON object a line.')),
      }),
      maxBodyBytes: 4 * 1024 * 1024,
      example: {
        file: '{"format":"tenantry-import/1"}\n{"type":"agent","ref":"support","name":"Support","model":"claude-sonnet"}',
      },
    },
    responses: {
      200: {
        description: 'What was imported.',
        schema: component(
          'ImportReport',
          z.object({
            format: z.string(),
            imported: z.record(z.string(), z.int()),
            alreadyThere: z.record(z.string(), z.int()),
            skipped: z.record(z.string(), z.int()),
          }),
        ),
      },
    },
    errors: ['import_invalid', 'import_target_not_empty', 'import_exceeds_plan'],
  },
] as const satisfies readonly RouteDefinition[];
