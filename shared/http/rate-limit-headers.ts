import { TENANT_RATE_POLICY } from '../model/rate-policies';
import type { RateLimitState } from '../quotas/rate-limited-error';

/**
 * The rate-limit headers of a tenant's minute, as the IETF draft's structured fields name each
 * policy: `RateLimit-Policy: "tenant";q=300;w=60, "run-starts";q=60;w=60` (each policy's quota and
 * window) and `RateLimit: "tenant";r=287;t=41, "run-starts";r=59;t=41` (what is left of each and
 * when it resets). `RateLimit-Limit`, `-Remaining` and `-Reset`, as most clients read them, describe
 * the policy with the least left. None for a tenant with no limit, on a route with none.
 */
export function rateLimitHeaders(state: RateLimitState): Record<string, string> {
  const policies = [
    ...(state.limit === null || state.remaining === null
      ? []
      : [{ name: TENANT_RATE_POLICY, limit: state.limit, remaining: Math.max(0, state.remaining) }]),
    ...(state.route
      ? [
          {
            name: state.route.policy,
            limit: state.route.limit,
            remaining: Math.max(0, state.route.remaining),
          },
        ]
      : []),
  ];
  if (policies.length === 0) return {};
  const tightest = policies.reduce((least, policy) => (policy.remaining < least.remaining ? policy : least));
  const reset = state.resetSeconds;
  return {
    'RateLimit-Policy': policies.map((policy) => `"${policy.name}";q=${policy.limit};w=60`).join(', '),
    RateLimit: policies.map((policy) => `"${policy.name}";r=${policy.remaining};t=${reset}`).join(', '),
    'RateLimit-Limit': String(tightest.limit),
    'RateLimit-Remaining': String(tightest.remaining),
    'RateLimit-Reset': String(reset),
  };
}
