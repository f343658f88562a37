import { principalId, requestTime, type TenantContext } from '../context/tenant-context';
import { ForbiddenError } from '../errors';
import { SETTINGS, settingValue, type SettingKey, type StoredSetting } from '../setting-registry';
import { mutateTenant, readTenant } from './tenant-mutation';

export interface SettingView {
  key: SettingKey;
  value: unknown;
  default: unknown;
  /** Whether the value is the key's default (never set, or deleted). */
  isDefault: boolean;
  description: string;
  updatedBy: string | null;
  updatedAt: string | null;
}

function viewOf(key: SettingKey, stored: Readonly<Record<string, StoredSetting>> | undefined): SettingView {
  const own = stored?.[key];
  return {
    key,
    value: settingValue(stored, key),
    default: SETTINGS[key].default,
    isDefault: own === undefined,
    description: SETTINGS[key].description,
    updatedBy: own?.updatedBy ?? null,
    updatedAt: own?.updatedAt ?? null,
  };
}

/** A key is read only by the roles it declares (platform admins read every key). */
function assertReadable(ctx: TenantContext, key: SettingKey): void {
  if (ctx.role === 'platform_admin') return;
  if ((SETTINGS[key].readers as readonly string[]).includes(ctx.role)) return;
  throw new ForbiddenError(
    `The setting ${key} is read by ${SETTINGS[key].readers.join(', ')} only.`,
    'permission_denied',
    {
      permission: `settings:${key}`,
    },
  );
}

/** A typed setting's value (the default until it is set), for the roles the key declares. */
export async function getSetting(ctx: TenantContext, key: SettingKey): Promise<SettingView> {
  assertReadable(ctx, key);
  const tenant = await readTenant(ctx);
  return viewOf(key, tenant.typedSettings as Record<string, StoredSetting> | undefined);
}

/**
 * Sets a typed setting to a value its schema accepted (the operation parsed it), on the tenant's
 * record, audited with the settings before and after (`tenant.setting_changed`).
 */
export async function putSetting(
  ctx: TenantContext,
  key: SettingKey,
  value: unknown,
  now: Date = requestTime(ctx),
): Promise<SettingView> {
  // The settings as the write left them (the last compute, if a concurrent change made it retry).
  let written: Record<string, StoredSetting> = {};
  await mutateTenant(ctx, 'tenant.setting_changed', (current) => {
    written = {
      ...((current.typedSettings as Record<string, StoredSetting> | undefined) ?? {}),
      [key]: { value, updatedBy: principalId(ctx.principal), updatedAt: now.toISOString() },
    };
    return { typedSettings: written };
  });
  return viewOf(key, written);
}

/** Deletes a typed setting: the key holds its default again (audited). */
export async function deleteSetting(ctx: TenantContext, key: SettingKey): Promise<SettingView> {
  await mutateTenant(ctx, 'tenant.setting_changed', (current) => {
    const settings = { ...((current.typedSettings as Record<string, StoredSetting> | undefined) ?? {}) };
    // Never set: nothing changes, nothing is audited.
    if (!(key in settings)) return {};
    delete settings[key];
    return { typedSettings: settings };
  });
  // The key holds its default now, whatever else the tenant set.
  return viewOf(key, undefined);
}
