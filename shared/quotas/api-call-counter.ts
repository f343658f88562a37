import { ConditionalCheckFailedException, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { UpdateCommand, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { TenantContext } from '../context/tenant-context';
import { tenantDocumentClient } from '../data/clients';
import { QuotaCounterEntity } from '../data/entities/quota-counter';
import { allConditions } from '../data/filters';
import { TooManyRequestsError } from '../errors';
import { logger } from '../observability/logger';
import type { CapacityUnits } from './capacity-ledger';
import { addToUsageBucket, periodQuotaExceeded } from './periodic-quota';
import { RateLimitedError } from './rate-limited-error';
import { emitThresholdEvents } from './thresholds';

/**
 * The API-call counter's protocol: the month's `apiCalls` counter item, which also carries the
 * current minute's window, is taken from with conditional UpdateItems (a block of calls if the
 * window and the month have room; the window moved by the first request of a minute) and given
 * back to when a block is retired unspent. The lease pool that decides how much to take and when
 * is `request-metering.ts`.
 */

interface MeterItem {
  used?: number;
  windowMinute?: string;
  windowCount?: number;
  windowReadUnits?: number;
  windowWriteUnits?: number;
}

export interface MeterPlan {
  key: { tenantId: string; resource: 'apiCalls'; period: string };
  minute: string;
  period: string;
  rpm: number | null;
  ceiling: number | null;
  resetSeconds: number;
  updatedAt: string;
  owed: CapacityUnits;
  /**
   * Whether the minute's window is likely not open yet (this instance has seen no earlier request of
   * the tenant in this minute): the window is then moved first, and the open window's update is the
   * fallback, not the other way round. Either order is correct; the right guess saves a round trip.
   */
  newMinuteFirst: boolean;
}

/**
 * Takes a block of up to `wanted` calls (at least 1) for this minute: all of it if the window and
 * the month have room, else as much as they have; none (429) if they have none.
 */
export async function takeBlock(
  ctx: TenantContext,
  plan: MeterPlan,
  wanted: number,
  now: Date,
): Promise<{ size: number; windowAfter: number }> {
  const { key, minute, period, rpm, ceiling, resetSeconds, updatedAt, owed } = plan;
  let size = wanted;
  for (let attempt = 0; attempt < 4; attempt += 1) {
    if (attempt === 0 && plan.newMinuteFirst) {
      // The window's state is unknown: the new minute's update states its own conditions (the window
      // not yet at this minute, the month's room); if it fails, the loop learns the state below.
      size = Math.max(1, Math.min(size, rpm ?? Number.POSITIVE_INFINITY));
      const opened = await openMinute(ctx, plan, size, now);
      if (opened) return opened;
      continue;
    }
    let old: MeterItem;
    try {
      const sameMinute = QuotaCounterEntity.update(key)
        .add({
          used: size,
          windowCount: size,
          readUnits: owed.read,
          writeUnits: owed.write,
          windowReadUnits: owed.read,
          windowWriteUnits: owed.write,
        })
        .set({ updatedAt })
        .where((attr, op) =>
          allConditions([
            op.eq(attr.windowMinute, minute),
            rpm === null ? '' : op.lte(attr.windowCount, rpm - size),
            ceiling === null ? '' : op.lte(attr.used, ceiling - size),
          ]),
        )
        .params({ response: 'updated_new' });
      const result = await send(sameMinute);
      const item = (result.Attributes ?? {}) as MeterItem;
      await afterCount(ctx, period, item.used ?? size, size, now);
      return { size, windowAfter: item.windowCount ?? size };
    } catch (error) {
      old = refusedItem(error);
    }
    const monthRoom = ceiling === null ? Number.POSITIVE_INFINITY : ceiling - (old.used ?? 0);
    if (old.windowMinute === minute) {
      const windowRoom = rpm === null ? Number.POSITIVE_INFINITY : rpm - (old.windowCount ?? 0);
      if (windowRoom <= 0) throw rateLimited(rpm ?? 0, resetSeconds);
      if (monthRoom <= 0) throw periodQuotaExceeded(ctx, 'apiCalls', ceiling ?? 0, old.used ?? 0, now);
      size = Math.max(1, Math.min(size, windowRoom, monthRoom));
      continue;
    }
    if (monthRoom <= 0) throw periodQuotaExceeded(ctx, 'apiCalls', ceiling ?? 0, old.used ?? 0, now);
    size = Math.max(1, Math.min(size, monthRoom, rpm ?? Number.POSITIVE_INFINITY));
    const opened = await openMinute(ctx, plan, size, now);
    if (opened) return opened;
    // Another request opened this minute first: take the block on the hot path.
  }
  throw new TooManyRequestsError(
    'The request could not be metered under contention; retry.',
    1,
    'metering_contention',
  );
}

/**
 * Opens this minute's window with a block of `size` calls, moving the finished minute's count (and
 * its capacity units) to its hour's usage: if the window is not at this minute yet and the month has
 * room. `undefined` when another request opened it first or the month is full (the caller reads
 * why from the item).
 */
async function openMinute(
  ctx: TenantContext,
  plan: MeterPlan,
  size: number,
  now: Date,
): Promise<{ size: number; windowAfter: number } | undefined> {
  const { key, minute, period, ceiling, updatedAt, owed } = plan;
  try {
    const newMinute = QuotaCounterEntity.update(key)
      .add({ used: size, readUnits: owed.read, writeUnits: owed.write })
      .set({
        windowMinute: minute,
        windowCount: size,
        windowReadUnits: owed.read,
        windowWriteUnits: owed.write,
        updatedAt,
      })
      .where((attr, op) =>
        allConditions([
          `(${op.notExists(attr.windowMinute)} OR ${op.ne(attr.windowMinute, minute)})`,
          ceiling === null ? '' : `(${op.notExists(attr.used)} OR ${op.lte(attr.used, ceiling - size)})`,
        ]),
      )
      .params({ response: 'all_old' });
    const result = await send(newMinute);
    const previous = (result.Attributes ?? {}) as MeterItem;
    if (previous.windowMinute && previous.windowCount) {
      const closed = new Date(`${previous.windowMinute}:00.000Z`);
      // Three items, written side by side: the request waits for one round trip, not three.
      await Promise.all([
        addToUsageBucket(ctx, 'apiCalls', previous.windowCount, closed),
        previous.windowReadUnits
          ? addToUsageBucket(ctx, 'readUnits', previous.windowReadUnits, closed)
          : undefined,
        previous.windowWriteUnits
          ? addToUsageBucket(ctx, 'writeUnits', previous.windowWriteUnits, closed)
          : undefined,
      ]);
    }
    await afterCount(ctx, period, (previous.used ?? 0) + size, size, now);
    return { size, windowAfter: size };
  } catch (error) {
    refusedItem(error);
    return undefined;
  }
}

/** Sends an update the entity built, asking DynamoDB for the item as it was when the condition failed. */
function send(params: object) {
  return tenantDocumentClient.send(
    new UpdateCommand({ ...(params as UpdateCommandInput), ReturnValuesOnConditionCheckFailure: 'ALL_OLD' }),
  );
}

function refusedItem(error: unknown): MeterItem {
  if (!(error instanceof ConditionalCheckFailedException)) throw error;
  return error.Item ? (unmarshall(error.Item as Record<string, AttributeValue>) as MeterItem) : {};
}

async function afterCount(
  ctx: TenantContext,
  period: string,
  used: number,
  taken: number,
  now: Date,
): Promise<void> {
  await emitThresholdEvents(
    ctx,
    { resource: 'apiCalls', period, before: used - taken, after: used, limit: ctx.limits.apiCalls },
    now,
  );
}

function rateLimited(rpm: number, resetSeconds: number): RateLimitedError {
  return new RateLimitedError(rpm, resetSeconds);
}

/**
 * Gives an unspent part of a block back: to the month's counter, and to its minute's window while
 * that minute is still the open one (else to its hour's usage, where the closed minute went).
 * Under-use, never over-admission: a give-back that fails leaves the calls counted as used.
 */
export async function giveBackUnspent(
  ctx: TenantContext,
  lease: { period: string; minute: string },
  unspent: number,
  minute: string,
  period: string,
): Promise<void> {
  const at = new Date(`${lease.minute}:00.000Z`);
  try {
    await send(
      QuotaCounterEntity.update({ tenantId: ctx.tenantId, resource: 'apiCalls', period: lease.period })
        .subtract({ used: unspent })
        .where((attr, op) => op.gte(attr.used, unspent))
        .params({ response: 'none' }),
    );
    // The block's minute is closed (its count went to its hour) unless it is still the open one.
    if (lease.minute !== minute || lease.period !== period) {
      await addToUsageBucket(ctx, 'apiCalls', -unspent, at);
    } else {
      await send(
        QuotaCounterEntity.update({ tenantId: ctx.tenantId, resource: 'apiCalls', period })
          .subtract({ windowCount: unspent })
          .where(
            (attr, op) =>
              `${op.eq(attr.windowMinute, lease.minute)} AND ${op.gte(attr.windowCount, unspent)}`,
          )
          .params({ response: 'none' }),
      );
    }
  } catch (error) {
    // Under-use, never over-admission: a give-back that fails leaves the calls counted as used.
    logger.warn('Could not give back an unspent block of API calls', {
      tenantId: ctx.tenantId,
      unspent,
      error,
    });
  }
}
