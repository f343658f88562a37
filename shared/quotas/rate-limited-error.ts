import { TooManyRequestsError } from '../errors';

/** A tenant's minute: its limit (`null`: unlimited), what is left of it, and when it resets. */
export interface RateLimitState {
  limit: number | null;
  remaining: number | null;
  resetSeconds: number;
}

/**
 * The tenant's per-minute rate limit is reached: 429 with Retry-After until the minute ends, and the
 * minute's state (`rateLimit`), which the HTTP layer answers as RateLimit-* headers.
 */
export class RateLimitedError extends TooManyRequestsError {
  readonly rateLimit: RateLimitState;

  constructor(rpm: number, resetSeconds: number) {
    super(`The rate limit of ${rpm} requests per minute is reached.`, resetSeconds, 'rate_limited', {
      limit: rpm,
      windowSeconds: 60,
    });
    this.rateLimit = { limit: rpm, remaining: 0, resetSeconds };
  }
}
