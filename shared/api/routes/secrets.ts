import * as z from 'zod/mini';
import { tenantPath } from '../schemas/tenant-path';
import { component } from '../schemas/components';
import type { RouteDefinition } from '../../http/route';
import { SECRET_NAMES } from '../../model/secret-names';
import { timestamp } from '../schemas/common';
import { opaqueText } from '../../text';

const oneTenantPath = tenantPath();

const secretPath = tenantPath({ name: z.enum(SECRET_NAMES) });
const secretView = component(
  'SecretSetting',
  z.object({
    name: z.enum(SECRET_NAMES),
    set: z.boolean(),
    updatedBy: z.nullable(z.string()),
    updatedAt: z.nullable(timestamp),
  }),
);

/** A tenant's secret settings (served by the tenants function): write-only values, sealed at rest. */
export const SECRET_ROUTES = [
  {
    id: 'tenants.secrets.list',
    method: 'GET',
    path: '/v1/tenants/{tenantId}/secrets',
    function: 'tenants',
    auth: 'tenant',
    permission: 'tenant:update',
    summary: "List the tenant's secret settings",
    description:
      'Which secret settings are set, by whom and when. Values are write-only: no operation returns them.',
    request: { path: oneTenantPath },
    responses: {
      200: { description: 'Every secret setting.', schema: z.object({ items: z.array(secretView) }) },
    },
    errors: [],
  },
  {
    id: 'tenants.secrets.put',
    method: 'PUT',
    path: '/v1/tenants/{tenantId}/secrets/{name}',
    function: 'tenants',
    auth: 'tenant',
    permission: 'tenant:update',
    summary: 'Set a secret setting',
    description:
      'Stores the value envelope-encrypted (a fresh data key under KMS in AWS, a local key in the twin), bound to the tenant and the name; audited without the value.',
    request: {
      path: secretPath,
      body: z.strictObject({ value: opaqueText(8_192) }),
      example: { value: 'whsec_3f9d…' },
    },
    responses: { 200: { description: 'The secret setting, without its value.', schema: secretView } },
    errors: [],
  },
  {
    id: 'tenants.secrets.delete',
    method: 'DELETE',
    path: '/v1/tenants/{tenantId}/secrets/{name}',
    function: 'tenants',
    auth: 'tenant',
    permission: 'tenant:update',
    summary: 'Delete a secret setting',
    description: 'Deletes the stored value (audited).',
    request: { path: secretPath },
    responses: { 204: { description: 'Deleted.' } },
    errors: ['secret_not_found'],
  },
] as const satisfies readonly RouteDefinition[];
