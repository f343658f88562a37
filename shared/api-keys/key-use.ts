import { ApiKeyEntity, type ApiKeyItem } from '../data/entities/api-key';
import { isConditionalFailure } from '../data/dynamo-errors';
import { logger } from '../observability/logger';
import type { ApiKeyStatus } from '../model/api-key-status';

/**
 * What the tenant context needs of a key on every request, apart from the key service so that every
 * function does not carry the whole service.
 */

/** How often `lastUsedAt` is written at most: a busy key costs one write a minute, not one a request. */
export const LAST_USED_RESOLUTION_MS = 60_000;

export function apiKeyStatusOf(item: ApiKeyItem, now: Date): ApiKeyStatus {
  if (item.status === 'revoked') return 'revoked';
  if (item.validUntil && Date.parse(item.validUntil) <= now.getTime()) return 'expired';
  return 'active';
}

/**
 * Records that a key was used: at most once a minute per key across every process (a conditional
 * write on the last time), and not even tried in between by a process that knows the last time.
 * Never fails the request it is part of. Runs in the request's tenant context (an effect of admission).
 */
export async function noteApiKeyUse(key: ApiKeyItem, now: Date): Promise<void> {
  const cutoff = new Date(now.getTime() - LAST_USED_RESOLUTION_MS).toISOString();
  if (key.lastUsedAt && key.lastUsedAt > cutoff) return;
  const at = now.toISOString();
  key.lastUsedAt = at;
  try {
    await ApiKeyEntity.patch({ tenantId: key.tenantId, keyId: key.keyId })
      .set({ lastUsedAt: at })
      .where((attr, op) => `${op.notExists(attr.lastUsedAt)} OR ${op.lte(attr.lastUsedAt, cutoff)}`)
      .go({ response: 'none' });
  } catch (error) {
    if (!isConditionalFailure(error)) logger.warn('Could not record an API key’s use', { error });
  }
}
