import * as z from 'zod/mini';
import { tenantPath } from '../schemas/tenant-path';
import { component } from '../schemas/components';
import { timestamp } from '../schemas/common';
import type { RouteDefinition } from '../../http/route';
import { SETTING_KEYS, SETTINGS } from '../../setting-registry';

const settingPath = tenantPath({
  key: z
    .enum(SETTING_KEYS)
    .check(
      z.describe(
        `A declared key: ${SETTING_KEYS.map((key) => `\`${key}\` (${SETTINGS[key].description} Read by: ${SETTINGS[key].readers.join(', ')}.)`).join(' ')}`,
      ),
    ),
});

const settingView = component(
  'TypedSetting',
  z.object({
    key: z.enum(SETTING_KEYS),
    value: z.unknown().check(z.describe('The tenant’s value, or the key’s default.')),
    default: z.unknown(),
    isDefault: z.boolean(),
    description: z.string(),
    updatedBy: z.nullable(z.string()),
    updatedAt: z.nullable(timestamp),
  }),
);

/** The tenant's typed settings (`shared/setting-registry.ts`), served by the tenants function. */
export const SETTING_ROUTES = [
  {
    id: 'tenants.settings.get',
    method: 'GET',
    path: '/v1/tenants/{tenantId}/settings/{key}',
    function: 'tenants',
    auth: 'tenant',
    permission: 'tenant:read',
    allowWhenSuspended: true,
    summary: 'Read a typed setting',
    description:
      'A declared setting’s value (its default until it is set), who set it and when. Each key is read by the roles it declares (a `403 permission_denied` otherwise).',
    request: { path: settingPath },
    responses: { 200: { description: 'The setting.', schema: settingView } },
    errors: [],
  },
  {
    id: 'tenants.settings.put',
    method: 'PUT',
    path: '/v1/tenants/{tenantId}/settings/{key}',
    function: 'tenants',
    auth: 'tenant',
    permission: 'tenant:update',
    summary: 'Set a typed setting',
    description:
      'Sets a declared setting: `value` must meet the key’s schema (a `400` names the rule), audited with the settings before and after (`tenant.setting_changed`).',
    request: {
      path: settingPath,
      body: z.strictObject({ value: z.unknown().check(z.describe('The value, by the key’s schema.')) }),
      example: { value: SETTINGS['agents.defaultModel'].example },
    },
    responses: { 200: { description: 'The setting as it is now.', schema: settingView } },
    errors: [],
  },
  {
    id: 'tenants.settings.delete',
    method: 'DELETE',
    path: '/v1/tenants/{tenantId}/settings/{key}',
    function: 'tenants',
    auth: 'tenant',
    permission: 'tenant:update',
    summary: 'Reset a typed setting',
    description: 'Deletes the tenant’s value: the key holds its default again (audited).',
    request: { path: settingPath },
    responses: { 200: { description: 'The setting as it is now (its default).', schema: settingView } },
    errors: [],
  },
] as const satisfies readonly RouteDefinition[];
