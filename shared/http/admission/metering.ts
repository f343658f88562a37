import type { OperationCommit } from '../../data/operation-commit';
import { ForbiddenError } from '../../errors';
import { PLANS, type PeriodicResource } from '../../model/plans';
import { logger } from '../../observability/logger';
import { countMeteredRequest } from '../../observability/metrics';
import {
  giveBackTake,
  keepTake,
  settleStaleTakes,
  takeForOperation,
  type QuotaTake,
} from '../../quotas/quota-takes';
import type { RateLimitState } from '../../quotas/rate-limited-error';
import { meterRequest } from '../../quotas/request-metering';
import { assertPeriodicLeft } from '../../quotas/periodic-quota';
import { suspensionDue } from '../../quotas/quota-policies';
import { enforceQuotaPoliciesAfter } from '../../tenants/overage-suspension';
import type { TenantRequest } from '../admitted-request';

/** What metering did for a request: its minute's rate-limit state, and the monthly take if any. */
export interface Metering {
  rateLimit: RateLimitState;
  take: QuotaTake | undefined;
}

/**
 * Stage 5, meter (tenant requests; platform admins are not metered): the plan feature the route
 * needs; the per-minute rate limit and the monthly API-call quota; and, beside them, the monthly
 * resource the route consumes, taken with a receipt the operation's first write commits
 * (`quotas/quota-takes.ts`): kept when the operation committed, given back when it failed before,
 * settled later against the receipt when the request died (`settleMetering`); and the monthly
 * resource its work will consume later, refused once used up (`requiresLeft`).
 */
export async function meter(
  request: TenantRequest,
  commit: OperationCommit,
  /** The validated body: what a `consumesBody` route takes (`{ resource, amount }`). */
  body?: unknown,
): Promise<Metering | undefined> {
  const { tenant: ctx, route, receivedAt } = request;
  const consumes = route.consumesBody
    ? (body as { resource: PeriodicResource; amount: number })
    : route.consumes
      ? { resource: route.consumes, amount: 1 }
      : undefined;
  if (ctx.principal.isPlatformAdmin) {
    if (!consumes || !route.consumesBody) return undefined;
    // A platform admin's usage record counts like anyone's (its units are the tenant's): taken, with
    // its receipt, but not rate-limited.
    const taken = await takeForOperation(ctx, consumes.resource, receivedAt, consumes.amount);
    return {
      rateLimit: { limit: null, remaining: null, resetSeconds: 0 },
      take: await kept(request, commit, taken),
    };
  }
  if (route.feature && !ctx.features.has(route.feature)) {
    throw new ForbiddenError(
      `The ${PLANS[ctx.plan].name} plan does not include ${route.feature}.`,
      'feature_not_in_plan',
      {
        feature: route.feature,
        plan: ctx.plan,
      },
    );
  }
  // The request's metering and the route's take are writes to two counters, and the resource its work
  // needs left is a read: sent side by side, one round trip. A take whose request was refused is
  // given back (or, if this process dies first, settled later: it has no receipt).
  const [metered, taken, left] = await Promise.allSettled([
    meterRequest(ctx, receivedAt, route.rateLimit),
    consumes
      ? takeForOperation(ctx, consumes.resource, receivedAt, consumes.amount)
      : Promise.resolve(undefined),
    route.requiresLeft ? assertPeriodicLeft(ctx, route.requiresLeft, receivedAt) : Promise.resolve(),
  ]);
  if (metered.status === 'rejected' || taken.status === 'rejected' || left.status === 'rejected') {
    if (taken.status === 'fulfilled' && taken.value) {
      await giveBackTake(ctx, taken.value.take).catch((error: unknown) =>
        logger.warn('A refused request’s take was not given back; it is settled later', { error }),
      );
    }
    if (metered.status === 'rejected') throw metered.reason;
    countMeteredRequest();
    // The run quota's refusal before the tokens': the order the checks had when they ran in turn.
    throw taken.status === 'rejected' ? taken.reason : (left as PromiseRejectedResult).reason;
  }
  countMeteredRequest();
  if (!taken.value) return { rateLimit: metered.value, take: undefined };
  return { rateLimit: metered.value, take: await kept(request, commit, taken.value) };
}

/**
 * A take admission made for the operation: its receipt goes with the operation's first write, the
 * operation finds it on the request, and the use that finds a `suspend` policy's hours over
 * suspends the tenant (the use itself is admitted).
 */
async function kept(
  request: TenantRequest,
  commit: OperationCommit,
  taken: Awaited<ReturnType<typeof takeForOperation>>,
): Promise<QuotaTake> {
  commit.attachments.push(taken.receipt);
  request.take = taken.take;
  const { consumption } = taken.take;
  if (suspensionDue(request.tenant, consumption.resource, consumption, request.receivedAt)) {
    await enforceQuotaPoliciesAfter(request.tenant.tenantId, request.receivedAt);
  }
  return taken.take;
}

/**
 * Ends the request's take: kept if its operation committed or answered, given back if it failed
 * before committing; then the takes other requests left pending and are over are settled (rare:
 * only after a request died). A failure here is logged: the take stays pending, and is settled by
 * the next take or the daily reconciliation. So is the take of an operation whose write failed
 * without saying it wrote nothing (`uncertain`: it may have committed; giving it back could count
 * less than was done): once its request is over, its receipt says.
 */
export async function settleMetering(
  request: TenantRequest,
  metering: Metering,
  outcome: 'committed' | 'answered' | 'failed' | 'uncertain',
): Promise<void> {
  const { tenant, receivedAt } = request;
  const { take } = metering;
  if (!take) return;
  if (outcome === 'uncertain') {
    logger.warn('A take is left pending: its operation’s write may have committed', {
      resource: take.consumption.resource,
      takeId: take.takeId,
    });
    return;
  }
  try {
    if (outcome !== 'failed') await keepTake(tenant, take);
    else await giveBackTake(tenant, take);
    const others = (take.consumption.pending ?? []).filter((member) => member !== take.member);
    if (others.length > 0) {
      await settleStaleTakes(
        tenant,
        { resource: take.consumption.resource, period: take.consumption.period, pending: others },
        receivedAt,
      );
    }
  } catch (error) {
    logger.error('Could not settle a quota take', { error, resource: take.consumption.resource });
  }
}
