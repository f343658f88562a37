import { RateWindowEntity } from '../data/entities/rate-window';
import { isConditionalFailure } from '../data/dynamo-errors';
import { TooManyRequestsError } from '../errors';

export interface FixedWindowLimit {
  /** The whole partition key of the counter, e.g. `SIGNUP#IP#203.0.113.7`. */
  scope: string;
  resource: string;
  limit: number;
  windowSeconds: number;
}

/**
 * Counts one hit in the current fixed window with a single conditional UpdateItem (no read first,
 * so concurrent callers cannot all slip under the limit). Over the limit: 429 with Retry-After.
 */
export async function consumeFixedWindow(limit: FixedWindowLimit, now: Date = new Date()): Promise<void> {
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const windowStart = nowSeconds - (nowSeconds % limit.windowSeconds);
  const windowEnd = windowStart + limit.windowSeconds;
  try {
    await RateWindowEntity.update({
      scope: limit.scope,
      resource: limit.resource,
      window: String(windowStart),
    })
      .add({ count: 1 })
      .set({ expiresAt: windowEnd + limit.windowSeconds })
      .where((attr, op) => `${op.notExists(attr.count)} OR ${op.lt(attr.count, limit.limit)}`)
      .go({ response: 'none' });
  } catch (error) {
    if (!isConditionalFailure(error)) throw error;
    throw new TooManyRequestsError(
      `Too many ${limit.resource} requests; try again later.`,
      Math.max(1, windowEnd - nowSeconds),
    );
  }
}
