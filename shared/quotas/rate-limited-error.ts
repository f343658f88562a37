import { TooManyRequestsError } from '../errors';
import { RATE_POLICIES, TENANT_RATE_POLICY, type RatePolicyName } from '../model/rate-policies';

/**
 * A tenant's minute: its limit (`null`: unlimited), what is left of it, and when it resets; and, for
 * a route that names a rate policy with a limit for the plan, that policy's count in the same minute.
 */
export interface RateLimitState {
  limit: number | null;
  remaining: number | null;
  resetSeconds: number;
  route?: { policy: RatePolicyName; limit: number; remaining: number };
}

/**
 * A per-minute rate limit is reached, the tenant's or the route's policy: 429 with Retry-After until
 * the minute ends, naming the policy, and the minute's state (`rateLimit`), which the HTTP layer
 * answers as the RateLimit headers.
 */
export class RateLimitedError extends TooManyRequestsError {
  readonly rateLimit: RateLimitState;

  constructor(
    state: RateLimitState,
    policy: RatePolicyName | typeof TENANT_RATE_POLICY = TENANT_RATE_POLICY,
  ) {
    const limit = policy === TENANT_RATE_POLICY ? (state.limit ?? 0) : (state.route?.limit ?? 0);
    super(
      policy === TENANT_RATE_POLICY
        ? `The rate limit of ${limit} requests per minute is reached.`
        : `The rate limit of ${limit} a minute for ${RATE_POLICIES[policy].description.toLowerCase()} (policy "${policy}") is reached.`,
      state.resetSeconds,
      'rate_limited',
      { limit, windowSeconds: 60, policy },
    );
    this.rateLimit = state;
  }
}
