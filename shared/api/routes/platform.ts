import * as z from 'zod/mini';
import { idSchema } from '../../ids';
import type { RouteDefinition } from '../../http/route';
import { cursorParam, limitParam } from '../../http/validation';
import { pageOf, timestamp } from '../schemas/common';
import { component } from '../schemas/components';

const adminPath = z.strictObject({ userId: idSchema('user') });

const platformAdminView = component(
  'PlatformAdmin',
  z.object({ userId: idSchema('user'), grantedBy: z.string(), grantedAt: timestamp }),
);

const platformAuditEventView = component(
  'PlatformAuditEvent',
  z.object({
    id: idSchema('audit'),
    action: z.string(),
    actorId: z.string(),
    target: z.object({ type: z.string(), id: z.string() }),
    sourceIp: z.nullable(z.string()),
    userAgent: z.nullable(z.string()),
    requestId: z.nullable(z.string()),
    occurredAt: timestamp,
  }),
);

export const PLATFORM_ROUTES = [
  {
    id: 'platform.admins.list',
    method: 'GET',
    path: '/v1/platform/admins',
    function: 'platform',
    auth: 'platform',
    permission: 'platform:admins:manage',
    summary: 'List platform admins',
    description:
      'The platform-admin records. Platform-admin power needs both a record here and the Cognito `platform-admins` group claim.',
    request: {},
    responses: {
      200: { description: 'Every platform admin.', schema: z.object({ items: z.array(platformAdminView) }) },
    },
    errors: [],
  },
  {
    id: 'platform.admins.grant',
    method: 'PUT',
    path: '/v1/platform/admins/{userId}',
    function: 'platform',
    auth: 'platform',
    permission: 'platform:admins:manage',
    summary: 'Grant platform-admin power',
    description:
      'Records the user as a platform admin (audited in the platform audit log). The user also needs the Cognito `platform-admins` group. Granting an existing admin changes nothing.',
    request: { path: adminPath },
    responses: { 200: { description: 'The record.', schema: platformAdminView } },
    errors: ['concurrent_modification'],
  },
  {
    id: 'platform.admins.revoke',
    method: 'DELETE',
    path: '/v1/platform/admins/{userId}',
    function: 'platform',
    auth: 'platform',
    permission: 'platform:admins:manage',
    summary: 'Revoke platform-admin power',
    description:
      'Deletes the record (audited): the power ends at once in the instance that served this and within 5 seconds everywhere, whatever the user’s tokens still claim. The last platform admin stays.',
    request: { path: adminPath },
    responses: { 204: { description: 'Revoked.' } },
    errors: ['platform_admin_not_found', 'last_platform_admin', 'concurrent_modification'],
  },
  {
    id: 'platform.audit.list',
    method: 'GET',
    path: '/v1/platform/audit-logs',
    function: 'platform',
    auth: 'platform',
    permission: 'platform:admins:manage',
    summary: 'The platform audit log',
    description: 'Grants and revocations of platform admins, newest first.',
    request: { query: z.strictObject({ limit: limitParam, cursor: cursorParam }) },
    responses: {
      200: { description: 'A page of platform audit events.', schema: pageOf(platformAuditEventView) },
    },
    errors: ['invalid_cursor'],
  },
] as const satisfies readonly RouteDefinition[];
