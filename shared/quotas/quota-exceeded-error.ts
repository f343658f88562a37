import { AppError } from '../errors';
import { nextPlan, PLANS, type PlanId, type QuotaResource } from '../model/plans';

export interface QuotaExceededDetails {
  resource: QuotaResource;
  limit: number;
  used: number;
  period: string;
  plan: PlanId;
  /** Seconds until the period ends, for periodic resources (sent as Retry-After). */
  retryAfterSeconds?: number;
}

/**
 * A quota would be exceeded. Counted resources answer 403 (retrying will not help until something is
 * deleted or the plan changes); periodic ones 429 with Retry-After until the period ends. The body
 * names the resource, the limit, the use, and how to upgrade.
 */
export class QuotaExceededError extends AppError {
  readonly statusCode: number;
  readonly code = 'quota_exceeded';

  constructor(details: QuotaExceededDetails) {
    const upgradeTo = nextPlan(details.plan);
    super(
      `The ${details.resource} quota of the ${PLANS[details.plan].name} plan is used up (${details.used} of ${details.limit}).`,
      {
        resource: details.resource,
        limit: details.limit,
        used: details.used,
        period: details.period,
        plan: details.plan,
        upgrade: upgradeTo
          ? {
              plan: upgradeTo,
              limit: PLANS[upgradeTo].limits[details.resource],
              how: 'The tenant owner upgrades with POST /v1/tenants/{tenantId}/billing/checkout (or the customer portal, POST …/billing/portal, for a tenant with a subscription); a platform admin can raise the limit.',
            }
          : null,
      },
      details.retryAfterSeconds ? { 'Retry-After': String(details.retryAfterSeconds) } : {},
    );
    this.statusCode = details.retryAfterSeconds ? 429 : 403;
  }
}
