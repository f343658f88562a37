import { isConditionalFailure } from './dynamo-errors';
import { OnceMarkerEntity } from './entities/once-marker';
import { expiresAfterDays } from './ttl';

/**
 * Claims `key` for the tenant in scope: true the first time, false ever after (until the marker
 * expires, `days` later). The tenant-guarded client: call it within the tenant's context.
 */
export async function claimOnce(tenantId: string, key: string, now: Date, days = 90): Promise<boolean> {
  try {
    await OnceMarkerEntity.create({
      tenantId,
      key,
      at: now.toISOString(),
      expiresAt: expiresAfterDays(now, days),
    }).go({ response: 'none' });
    return true;
  } catch (error) {
    if (isConditionalFailure(error)) return false;
    throw error;
  }
}

/** Gives a claim back, so that the work it marked can be done again (it failed as a whole). */
export async function releaseOnce(tenantId: string, key: string): Promise<void> {
  await OnceMarkerEntity.delete({ tenantId, key }).go({ response: 'none' });
}
