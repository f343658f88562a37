import type { RateLimitState } from '../quotas/rate-limited-error';

/**
 * The RateLimit-* headers (IETF draft `RateLimit` fields, as most APIs send them) for a tenant's
 * minute; none for an unlimited tenant.
 */
export function rateLimitHeaders(state: RateLimitState): Record<string, string> {
  if (state.limit === null || state.remaining === null) return {};
  return {
    'RateLimit-Policy': `${state.limit};w=60`,
    'RateLimit-Limit': String(state.limit),
    'RateLimit-Remaining': String(Math.max(0, state.remaining)),
    'RateLimit-Reset': String(state.resetSeconds),
  };
}
