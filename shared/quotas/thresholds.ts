import { settingValue } from '../setting-registry';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { getConfig } from '../config';
import { QuotaEventEntity } from '../data/entities/quota-event';
import { isConditionalFailure } from '../data/dynamo-errors';
import { logger } from '../observability/logger';
import { countThresholdCrossed } from '../observability/metrics';
import type { TenantContext } from '../context/tenant-context';
import type { QuotaResource } from '../model/plans';
import { publishEvent } from '../events/publish';

const { thresholds } = getConfig().quotas;

/** The thresholds (percent) a use moving from `before` to `after` of `limit` crosses. */
export function crossedThresholds(
  before: number,
  after: number,
  limit: number,
  levels: readonly number[] = thresholds,
): number[] {
  if (limit <= 0) return [];
  return levels.filter((level) => {
    const line = (limit * level) / 100;
    return before < line && after >= line;
  });
}

/**
 * Emits `quota.threshold_crossed` once per threshold, resource and period. Conditional counter
 * updates give each request a disjoint (before, after] slice, so one request sees each crossing; the
 * event item is created with `attribute_not_exists`, so a retried request cannot emit it twice.
 */
export async function emitThresholdEvents(
  /**
   * The tenant whose counter it is (a partner, for its pool), and the client to write it with; its
   * typed settings, where it set its own levels (`quotas.notifyAtPercent`).
   */
  ctx: Pick<TenantContext, 'tenantId' | 'plan'> &
    Partial<Pick<TenantContext, 'typedSettings'>> & { client?: DynamoDBDocumentClient | undefined },
  change: { resource: QuotaResource; period: string; before: number; after: number; limit: number | null },
  now: Date,
): Promise<void> {
  if (change.limit === null) return;
  const levels = settingValue(ctx.typedSettings, 'quotas.notifyAtPercent') as number[];
  for (const threshold of crossedThresholds(change.before, change.after, change.limit, levels)) {
    try {
      await QuotaEventEntity.create({
        tenantId: ctx.tenantId,
        period: change.period,
        resource: change.resource,
        threshold,
        used: change.after,
        limit: change.limit,
        occurredAt: now.toISOString(),
      }).go({ response: 'none', ...(ctx.client ? { client: ctx.client } : {}) });
    } catch (error) {
      if (isConditionalFailure(error)) continue;
      throw error;
    }
    countThresholdCrossed(change.resource, threshold);
    try {
      const publishedTo = await publishEvent(
        ctx.tenantId,
        'quota.threshold_crossed',
        {
          resource: change.resource,
          period: change.period,
          threshold,
          used: change.after,
          limit: change.limit,
          plan: ctx.plan,
        },
        now,
      );
      await QuotaEventEntity.patch({
        tenantId: ctx.tenantId,
        period: change.period,
        resource: change.resource,
        threshold,
      })
        .set({ publishedTo })
        .go({ response: 'none', ...(ctx.client ? { client: ctx.client } : {}) });
    } catch (error) {
      // The event item stays without `publishedTo`; the request it rode on is not failed for it.
      logger.error('Quota threshold event not published', { error, threshold, resource: change.resource });
    }
  }
}
