import type { MiddlewareObj } from '@middy/core';
import { ForbiddenError } from '../../errors';
import { logger } from '../../observability/logger';
import { countMeteredRequest } from '../../observability/metrics';
import { consumePeriodic, refundPeriodic } from '../../quotas/periodic-quota';
import { headersOf, meterRequest } from '../../quotas/request-metering';
import { runWithTenantContext } from '../../tenancy/context';
import { PLANS } from '../../tenants/plans';
import type { ApiEvent, ApiResult, ScopedContext } from '../request-scope';
import type { RouteDefinition } from '../route';

/**
 * Rate limit, metering and quota, as the route manifest declares them: the plan feature the route
 * needs; the per-minute rate limit and the monthly API-call quota (every tenant request, platform
 * admins excepted); and the monthly resource the route consumes, taken before the handler and given
 * back if the handler fails. Responses carry the RateLimit-* headers.
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
        if (route.consumes)
          scope.consumption = { taken: await consumePeriodic(ctx, route.consumes, 1, now), at: now };
      });
    },
    after: async function addRateLimitHeaders(request) {
      const state = request.context.scope.rateLimit;
      if (state && request.response) {
        request.response.headers = { ...(request.response.headers ?? {}), ...headersOf(state) };
      }
    },
    onError: async function refundConsumption(request) {
      const { tenant, consumption } = request.context.scope;
      if (!tenant || !consumption) return;
      const { taken, at } = consumption;
      await runWithTenantContext(tenant, () => refundPeriodic(tenant, taken, at)).catch((error: unknown) =>
        logger.error('Could not refund a consumption', { error, resource: taken.resource }),
      );
    },
  };
}
