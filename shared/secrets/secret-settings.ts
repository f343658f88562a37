import { writeAudited } from '../audit/audited-transaction';
import { SecretSettingEntity, type SecretSettingItem } from '../data/entities/secret-setting';
import { NotFoundError } from '../errors';
import { principalId, requestTime, type TenantContext } from '../context/tenant-context';
import { SECRET_NAMES, type SecretName } from '../model/secret-names';
import { openValue, sealValue } from './envelope';
import type { EncryptionContext } from './key-encryption-key';

export interface SecretSettingView {
  name: SecretName;
  set: boolean;
  updatedBy: string | null;
  updatedAt: string | null;
}

function contextOf(tenantId: string, name: SecretName): EncryptionContext {
  return { tenantId, secret: name };
}

function toView(name: SecretName, item: SecretSettingItem | undefined): SecretSettingView {
  return {
    name,
    set: item !== undefined,
    updatedBy: item?.updatedBy ?? null,
    updatedAt: item?.updatedAt ?? null,
  };
}

/** Every secret setting of the tenant: whether it is set, by whom and when; never its value. */
export async function listSecretSettings(ctx: TenantContext): Promise<{ items: SecretSettingView[] }> {
  const stored = await SecretSettingEntity.query.byTenant({ tenantId: ctx.tenantId }).go({ pages: 'all' });
  const byName = new Map(stored.data.map((item) => [item.name, item]));
  return { items: SECRET_NAMES.map((name) => toView(name, byName.get(name))) };
}

/**
 * Sets a secret: a fresh data key from the key-encryption key (bound to the tenant and the name)
 * encrypts the value with AES-256-GCM; only the ciphertext and the wrapped key are stored, with an
 * audit event that names the secret and not its value.
 */
export async function putSecretSetting(
  ctx: TenantContext,
  name: SecretName,
  value: string,
  now: Date = requestTime(ctx),
): Promise<SecretSettingView> {
  const item: SecretSettingItem = {
    tenantId: ctx.tenantId,
    name,
    ...(await sealValue(value, contextOf(ctx.tenantId, name))),
    updatedBy: principalId(ctx.principal),
    updatedAt: now.toISOString(),
  };
  await writeAudited(
    ctx,
    { action: 'secret.set', targetType: 'secret', targetId: name },
    ({ secretSetting }) => ({
      secret: secretSetting.put(item).commit(),
    }),
    { now },
  );
  return toView(name, item);
}

export async function deleteSecretSetting(
  ctx: TenantContext,
  name: SecretName,
  now: Date = requestTime(ctx),
): Promise<void> {
  await writeAudited(
    ctx,
    { action: 'secret.deleted', targetType: 'secret', targetId: name },
    ({ secretSetting }) => ({
      secret: secretSetting
        .delete({ tenantId: ctx.tenantId, name })
        .where((attr, op) => op.exists(attr.ciphertext))
        .commit(),
    }),
    { rejections: { secret: () => new NotFoundError('This secret is not set.', 'secret_not_found') }, now },
  );
}

/** The value of a secret, for the platform's own use (signing webhooks); never for the API. */
export async function readSecretSetting(ctx: TenantContext, name: SecretName): Promise<string | null> {
  const item = (await SecretSettingEntity.get({ tenantId: ctx.tenantId, name }).go({ consistent: true }))
    .data;
  if (!item) return null;
  return openValue(item, contextOf(ctx.tenantId, name));
}
