import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context } from 'aws-lambda';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { logger } from '../observability/logger';
import { metrics } from '../observability/metrics';
import { runWithTenantContext } from '../tenancy/context';
import {
  tenantContextMiddleware,
  type ApiEvent,
  type ApiResult,
  type RequestScope,
  type ScopedContext,
} from '../tenancy/tenant-context-middleware';
import { quotaMiddleware } from '../quotas/quota-middleware';
import { MethodNotAllowedError } from './errors';
import { idempotencyMiddleware } from './idempotency-middleware';
import { problemErrorHandler } from './error-handler';
import { routeKey, type RouteDefinition } from './route';

export type Operation = (event: ApiEvent, scope: RequestScope) => Promise<ApiResult>;

function buildRouteHandler(route: RouteDefinition, operation: Operation) {
  return middy<ApiEvent, ApiResult, Error, ScopedContext>()
    .use(problemErrorHandler())
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics))
    .use(tenantContextMiddleware(route))
    .use({
      before: async function appendRequestKeys(request) {
        logger.appendKeys({
          requestId: request.context.scope.meta.requestId,
          tenantId: request.context.scope.tenant?.tenantId,
          route: route.id,
        });
      },
    })
    .use(idempotencyMiddleware())
    .use(quotaMiddleware(route))
    .handler(async function runOperation(event, context) {
      const { scope } = context;
      return scope.tenant
        ? runWithTenantContext(scope.tenant, () => operation(event, scope))
        : operation(event, scope);
    });
}

/**
 * The Lambda entry point of one domain: one Middy stack per route (error handler outermost, then
 * logging and metrics, tenant context and permission, idempotency, rate limit and quota), dispatched
 * on API Gateway's route key. Validation happens in each operation with zod, at the edge, before
 * any service is called.
 */
export function createApiHandler(routes: RouteDefinition[], operations: Record<string, Operation>) {
  const byKey = new Map<string, ReturnType<typeof buildRouteHandler>>();
  for (const route of routes) {
    const operation = operations[route.id];
    if (!operation) throw new Error(`No operation implements route ${route.id}`);
    byKey.set(routeKey(route), buildRouteHandler(route, operation));
  }
  const fallback = middy<ApiEvent, ApiResult>()
    .use(problemErrorHandler())
    .handler(async (event) => {
      throw new MethodNotAllowedError(`No route ${event.routeKey} in this function.`);
    });
  return async function handler(event: ApiEvent, context: Context): Promise<ApiResult> {
    const routeHandler = byKey.get(event.routeKey);
    // A fresh context object per invocation: the middlewares keep per-request state on it, and an
    // invoker that reuses one object across concurrent calls must not mix their states.
    const own = { ...context } as ScopedContext;
    return routeHandler ? routeHandler(event, own) : fallback(event, own);
  };
}
