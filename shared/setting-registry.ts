import * as z from 'zod/mini';
import type { Role } from './model/roles';
import { getConfig } from './config';
import { singleLineText } from './text';

/**
 * The typed tenant settings (`GET/PUT/DELETE /v1/tenants/{tenantId}/settings/{key}`): each key is
 * declared here once, with the schema its value must meet, its default, what it does, and the roles
 * that may read it (owners and admins change them: `tenant:update`). A value is validated by its
 * schema at the edge (a 400 names the key's rule), stored on the tenant's record (so a request's
 * context carries it, as it carries the plan), and every change is audited with the value before
 * and after. The tenant's name, IP allowlist and MFA keep their own routes.
 */
export interface SettingDefinition {
  schema: z.ZodMiniType;
  /** What the key holds until it is set, and again once it is deleted. */
  default: unknown;
  description: string;
  readers: readonly Role[];
  /** A realistic value, for the reference. */
  example: unknown;
}

const percentLevels = z.array(z.int().check(z.minimum(1), z.maximum(100))).check(
  z.minLength(1),
  z.maxLength(5),
  z.refine(
    (levels: number[]) => levels.every((level, index) => index === 0 || level > (levels[index - 1] ?? 0)),
    'must rise: each level above the one before',
  ),
);

export const SETTINGS = {
  'agents.defaultModel': {
    schema: z.nullable(singleLineText(100)),
    default: null,
    description:
      'The model an agent is created with when its creation names none (`POST …/agents` without `model`); `null`: every creation names one.',
    readers: ['owner', 'admin', 'member', 'viewer'],
    example: 'claude-sonnet',
  },
  'quotas.notifyAtPercent': {
    schema: percentLevels,
    /** The platform's levels (`QUOTA_THRESHOLDS`), read when asked: the manifest loads this without a configuration. */
    get default(): readonly number[] {
      return getConfig().quotas.thresholds;
    },
    description:
      'The percentages of a limit at which the owners are told (`quota.threshold_crossed`, email and webhook) and the quota report marks: 1 to 5 rising levels from 1 to 100.',
    readers: ['owner', 'admin'],
    example: [50, 75, 90, 100],
  },
} as const satisfies Record<string, SettingDefinition>;

export type SettingKey = keyof typeof SETTINGS;
export const SETTING_KEYS = Object.keys(SETTINGS) as [SettingKey, ...SettingKey[]];

/** A key as stored on the tenant's record: its value, and who set it when. */
export interface StoredSetting {
  value: unknown;
  updatedBy: string;
  updatedAt: string;
}

/** The value of a key for a tenant: its own, or the key's default. */
export function settingValue(
  stored: Readonly<Record<string, StoredSetting>> | undefined,
  key: SettingKey,
): unknown {
  const own = stored?.[key];
  return own === undefined ? SETTINGS[key].default : own.value;
}
