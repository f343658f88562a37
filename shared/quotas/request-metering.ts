import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { TABLE_NAME, tenantDocumentClient } from '../data/clients';
import { isConditionalFailure } from '../data/dynamo-errors';
import { TooManyRequestsError } from '../http/errors';
import type { TenantContext } from '../tenancy/context';
import { addToPeriodCounter, addToUsageBucket, retentionExpiry } from './periodic-quota';
import { hourBucket, minuteAttribute } from './periods';

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

/**
 * Meters one API request in two conditional writes and no read:
 * 1. the hour's `apiCalls` usage bucket, which also holds this minute's count (`mNN`): the per-minute
 *    rate limit is its condition, the hourly usage its `used` (under 1 KB, so 1 WCU);
 * 2. the month's `apiCalls` quota counter.
 * A request refused by the monthly quota is taken back out of the hourly usage (not out of the
 * minute's count: refused requests still count against the rate).
 */
export async function meterRequest(ctx: TenantContext, now: Date = new Date()): Promise<RateLimitState> {
  const rpm = ctx.limits.requestsPerMinute;
  const minute = minuteAttribute(now);
  const resetSeconds = 60 - now.getUTCSeconds();
  const hour = hourBucket(now);
  let minuteCount: number;
  try {
    const result = await tenantDocumentClient.send(
      new UpdateCommand({
        TableName: TABLE_NAME,
        Key: { pk: `TENANT#${ctx.tenantId}`, sk: `USAGE#apiCalls#${hour}` },
        UpdateExpression:
          'ADD #used :one, #minute :one SET #e = :e, #v = :v, #tenantId = :tenantId, #resource = :resource, #hour = :hour, #expiresAt = if_not_exists(#expiresAt, :expiresAt)',
        ...(rpm === null ? {} : { ConditionExpression: 'attribute_not_exists(#minute) OR #minute < :rpm' }),
        ExpressionAttributeNames: {
          '#used': 'used',
          '#minute': minute,
          '#e': '__edb_e__',
          '#v': '__edb_v__',
          '#tenantId': 'tenantId',
          '#resource': 'resource',
          '#hour': 'hour',
          '#expiresAt': 'expiresAt',
        },
        ExpressionAttributeValues: {
          ':one': 1,
          ':e': 'usageBucket',
          ':v': '1',
          ':tenantId': ctx.tenantId,
          ':resource': 'apiCalls',
          ':hour': hour,
          ':expiresAt': retentionExpiry(ctx, now),
          ...(rpm === null ? {} : { ':rpm': rpm }),
        },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    minuteCount = Number(result.Attributes?.[minute] ?? 1);
  } catch (error) {
    if (rpm === null || !isConditionalFailure(error)) throw error;
    throw new TooManyRequestsError(
      `The rate limit of ${rpm} requests per minute is reached.`,
      resetSeconds,
      'rate_limited',
      { limit: rpm, windowSeconds: 60 },
      rateLimitHeaders(rpm, 0, resetSeconds),
    );
  }
  try {
    await addToPeriodCounter(ctx, 'apiCalls', 1, now);
  } catch (error) {
    await addToUsageBucket(ctx, 'apiCalls', -1, now);
    throw error;
  }
  return { limit: rpm, remaining: rpm === null ? null : rpm - minuteCount, resetSeconds };
}
