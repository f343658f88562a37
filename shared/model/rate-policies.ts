import type { PlanId } from './plans';

/**
 * A route's own rate limit, beside the tenant's requests per minute: how many calls of the routes
 * that name it one tenant may make in a minute, per plan (`null`: none beyond the tenant's). A route
 * names its policy in the manifest (`rateLimit`); routes that name the same policy share its window.
 * The calls are counted in the tenant's minute window, on the month's API-call counter, by the same
 * conditional write that admits the request (`quotas/api-call-counter.ts`).
 */
export interface RatePolicy {
  /** What the policy limits, as people read it. */
  description: string;
  perMinute: Readonly<Record<PlanId, number | null>>;
}

export const RATE_POLICIES = {
  'run-starts': {
    description: 'Runs started',
    perMinute: { free: 10, starter: 60, professional: 300, business: 600, enterprise: null, partner: 600 },
  },
  invitations: {
    description: 'Invitations sent and resent',
    perMinute: { free: 10, starter: 30, professional: 60, business: 120, enterprise: null, partner: 120 },
  },
} as const satisfies Record<string, RatePolicy>;

export type RatePolicyName = keyof typeof RATE_POLICIES;
export const RATE_POLICY_NAMES = Object.keys(RATE_POLICIES) as [RatePolicyName, ...RatePolicyName[]];

/** The name of the tenant's own policy (its plan's requests per minute) in the RateLimit headers. */
export const TENANT_RATE_POLICY = 'tenant';

/** A policy's limit for a plan: calls a minute, or `null` for none beyond the tenant's. */
export function ratePolicyLimit(name: RatePolicyName, plan: PlanId): number | null {
  return RATE_POLICIES[name].perMinute[plan];
}
