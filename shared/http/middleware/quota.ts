import type { MiddlewareObj } from '@middy/core';
import { ForbiddenError } from '../../errors';
import { logger } from '../../observability/logger';
import { countMeteredRequest } from '../../observability/metrics';
import { giveBackTake, keepTake, settleStaleTakes, takeForOperation } from '../../quotas/quota-takes';
import { headersOf, meterRequest } from '../../quotas/request-metering';
import { runWithTenantContext } from '../../tenancy/context';
import { PLANS } from '../../tenants/plans';
import { operationCommitOf, type ApiEvent, type ApiResult, type ScopedContext } from '../request-scope';
import type { RouteDefinition } from '../route';

/**
 * Rate limit, metering and quota, as the route manifest declares them: the plan feature the route
 * needs; the per-minute rate limit and the monthly API-call quota (every tenant request, platform
 * admins excepted); and the monthly resource the route consumes, taken before the handler with a
 * receipt the operation commits (`quotas/quota-takes.ts`): kept when the operation committed, given
 * back when it failed before, settled later against the receipt when the request died. Responses
 * carry the RateLimit-* headers.
 */
export function quotaMiddleware(
  route: RouteDefinition,
): MiddlewareObj<ApiEvent, ApiResult, Error, ScopedContext> {
  return {
    before: async function enforceQuotas(request) {
      const { scope } = request.context;
      const ctx = scope.tenant;
      if (!ctx || ctx.principal.isPlatformAdmin) return;
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
      const now = scope.receivedAt;
      await runWithTenantContext(ctx, async () => {
        scope.rateLimit = await meterRequest(ctx, now);
        countMeteredRequest();
        if (route.consumes) {
          const { take, receipt } = await takeForOperation(ctx, route.consumes, now);
          scope.consumption = take;
          operationCommitOf(scope).attachments.push(receipt);
        }
      });
    },
    after: async function addRateLimitHeaders(request) {
      const { scope } = request.context;
      const state = scope.rateLimit;
      if (state && request.response) {
        request.response.headers = { ...(request.response.headers ?? {}), ...headersOf(state) };
      }
      await settleConsumption(scope, 'answered');
    },
    onError: async function settleFailedConsumption(request) {
      await settleConsumption(request.context.scope, 'failed');
    },
  };
}

/**
 * Ends the request's take: kept if its operation committed or answered, given back if it failed
 * before committing; then the takes other requests left pending and are over are settled (rare:
 * only after a request died). A failure here is logged: the take stays pending, and is settled by
 * the next take or the daily reconciliation.
 */
async function settleConsumption(scope: ScopedContext['scope'], outcome: 'answered' | 'failed') {
  const { tenant, consumption } = scope;
  if (!tenant || !consumption) return;
  const committed = scope.commit?.committed ?? false;
  await runWithTenantContext(tenant, async () => {
    if (committed || outcome === 'answered') await keepTake(tenant, consumption);
    else await giveBackTake(tenant, consumption);
    const others = (consumption.consumption.pending ?? []).filter((id) => id !== consumption.takeId);
    if (others.length > 0) {
      await settleStaleTakes(
        tenant,
        {
          resource: consumption.consumption.resource,
          period: consumption.consumption.period,
          pending: others,
        },
        scope.receivedAt,
      );
    }
  }).catch((error: unknown) =>
    logger.error('Could not settle a quota take', { error, resource: consumption.consumption.resource }),
  );
}
