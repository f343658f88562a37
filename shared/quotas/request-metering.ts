import { ConditionalCheckFailedException, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { UpdateCommand, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { tenantDocumentClient } from '../data/clients';
import { QuotaCounterEntity } from '../data/entities/quota-counter';
import { allConditions } from '../data/filters';
import { TooManyRequestsError } from '../errors';
import type { TenantContext } from '../tenancy/context';
import { enforcedCeiling } from '../tenants/plans';
import { giveBackCapacity, takeOwedCapacity, type CapacityUnits } from './capacity-ledger';
import { addToUsageBucket, periodQuotaExceeded } from './periodic-quota';
import { minuteOf, monthPeriod } from './periods';
import { emitThresholdEvents } from './thresholds';

export interface RateLimitState {
  limit: number | null;
  remaining: number | null;
  resetSeconds: number;
}

function rateLimitHeaders(limit: number, remaining: number, resetSeconds: number): Record<string, string> {
  return {
    'RateLimit-Policy': `${limit};w=60`,
    'RateLimit-Limit': String(limit),
    'RateLimit-Remaining': String(Math.max(0, remaining)),
    'RateLimit-Reset': String(resetSeconds),
  };
}

export function headersOf(state: RateLimitState): Record<string, string> {
  return state.limit === null || state.remaining === null
    ? {}
    : rateLimitHeaders(state.limit, state.remaining, state.resetSeconds);
}

interface MeterItem {
  used?: number;
  windowMinute?: string;
  windowCount?: number;
  windowReadUnits?: number;
  windowWriteUnits?: number;
}

/**
 * Meters one API request with one conditional UpdateItem on the month's `apiCalls` counter, which
 * also carries the current minute's window (`windowMinute`, `windowCount`):
 * - same minute (the hot path): `ADD used 1, windowCount 1` if the minute's count is under the
 *   per-minute limit and the month's use under the monthly ceiling; 1 write, no read;
 * - first request of a new minute: the window moves to this minute (conditional on it not having
 *   moved already, so concurrent first requests agree), and the finished minute's count is added to
 *   its hour's usage bucket: a second write once a minute, not once a request.
 * A refused request writes nothing; why it was refused comes back with the failed condition. The
 * updates are built by the counter's entity (its key, its identity attributes) and sent with
 * `ReturnValuesOnConditionCheckFailure`, which ElectroDB does not expose.
 */
export async function meterRequest(ctx: TenantContext, now: Date = new Date()): Promise<RateLimitState> {
  const rpm = ctx.limits.requestsPerMinute;
  const ceiling = enforcedCeiling(ctx.plan, 'apiCalls', ctx.limits.apiCalls);
  const minute = minuteOf(now);
  const period = monthPeriod(now);
  const resetSeconds = 60 - now.getUTCSeconds();
  const key = { tenantId: ctx.tenantId, resource: 'apiCalls' as const, period };
  const updatedAt = now.toISOString();
  // What this tenant's earlier requests cost, carried by this write (see capacity-ledger.ts).
  const owed = takeOwedCapacity(ctx.tenantId);
  try {
    return await meterOnce(ctx, { key, minute, period, rpm, ceiling, resetSeconds, updatedAt, owed }, now);
  } catch (error) {
    giveBackCapacity(ctx.tenantId, owed);
    throw error;
  }
}

interface MeterPlan {
  key: { tenantId: string; resource: 'apiCalls'; period: string };
  minute: string;
  period: string;
  rpm: number | null;
  ceiling: number | null;
  resetSeconds: number;
  updatedAt: string;
  owed: CapacityUnits;
}

async function meterOnce(ctx: TenantContext, plan: MeterPlan, now: Date): Promise<RateLimitState> {
  const { key, minute, period, rpm, ceiling, resetSeconds, updatedAt, owed } = plan;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    let old: MeterItem;
    try {
      const sameMinute = QuotaCounterEntity.update(key)
        .add({
          used: 1,
          windowCount: 1,
          readUnits: owed.read,
          writeUnits: owed.write,
          windowReadUnits: owed.read,
          windowWriteUnits: owed.write,
        })
        .set({ updatedAt })
        .where((attr, op) =>
          allConditions([
            op.eq(attr.windowMinute, minute),
            rpm === null ? '' : op.lt(attr.windowCount, rpm),
            ceiling === null ? '' : op.lt(attr.used, ceiling),
          ]),
        )
        .params({ response: 'updated_new' });
      const result = await send(sameMinute);
      const item = (result.Attributes ?? {}) as MeterItem;
      await afterCount(ctx, period, item.used ?? 1, now);
      return { limit: rpm, remaining: rpm === null ? null : rpm - (item.windowCount ?? 1), resetSeconds };
    } catch (error) {
      old = refusedItem(error);
    }
    if (old.windowMinute === minute) {
      if (rpm !== null && (old.windowCount ?? 0) >= rpm) throw rateLimited(rpm, resetSeconds);
      if (ceiling !== null && (old.used ?? 0) >= ceiling)
        throw periodQuotaExceeded(ctx, 'apiCalls', ceiling, old.used ?? 0, now);
      continue;
    }
    if (ceiling !== null && (old.used ?? 0) >= ceiling)
      throw periodQuotaExceeded(ctx, 'apiCalls', ceiling, old.used ?? 0, now);
    try {
      const newMinute = QuotaCounterEntity.update(key)
        .add({ used: 1, readUnits: owed.read, writeUnits: owed.write })
        .set({
          windowMinute: minute,
          windowCount: 1,
          windowReadUnits: owed.read,
          windowWriteUnits: owed.write,
          updatedAt,
        })
        .where((attr, op) =>
          allConditions([
            `(${op.notExists(attr.windowMinute)} OR ${op.ne(attr.windowMinute, minute)})`,
            ceiling === null ? '' : `(${op.notExists(attr.used)} OR ${op.lt(attr.used, ceiling)})`,
          ]),
        )
        .params({ response: 'all_old' });
      const result = await send(newMinute);
      const previous = (result.Attributes ?? {}) as MeterItem;
      if (previous.windowMinute && previous.windowCount) {
        const closed = new Date(`${previous.windowMinute}:00.000Z`);
        await addToUsageBucket(ctx, 'apiCalls', previous.windowCount, closed);
        if (previous.windowReadUnits)
          await addToUsageBucket(ctx, 'readUnits', previous.windowReadUnits, closed);
        if (previous.windowWriteUnits)
          await addToUsageBucket(ctx, 'writeUnits', previous.windowWriteUnits, closed);
      }
      await afterCount(ctx, period, (previous.used ?? 0) + 1, now);
      return { limit: rpm, remaining: rpm === null ? null : rpm - 1, resetSeconds };
    } catch (error) {
      refusedItem(error);
      // Another request opened this minute first: count this one on the hot path.
    }
  }
  throw new TooManyRequestsError(
    'The request could not be metered under contention; retry.',
    1,
    'metering_contention',
  );
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

async function afterCount(ctx: TenantContext, period: string, used: number, now: Date): Promise<void> {
  await emitThresholdEvents(
    ctx,
    { resource: 'apiCalls', period, before: used - 1, after: used, limit: ctx.limits.apiCalls },
    now,
  );
}

function rateLimited(rpm: number, resetSeconds: number): TooManyRequestsError {
  return new TooManyRequestsError(
    `The rate limit of ${rpm} requests per minute is reached.`,
    resetSeconds,
    'rate_limited',
    { limit: rpm, windowSeconds: 60 },
    rateLimitHeaders(rpm, 0, resetSeconds),
  );
}
