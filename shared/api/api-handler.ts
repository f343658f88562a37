import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context } from 'aws-lambda';
import type * as z from 'zod/v4/core';
import { NotFoundError } from '../errors';
import { problemErrorHandler } from '../http/middleware/error-handler';
import { idempotencyMiddleware } from '../http/middleware/idempotency';
import { metricsMiddleware } from '../http/middleware/metrics';
import { quotaMiddleware } from '../http/middleware/quota';
import { tenantContextMiddleware } from '../http/middleware/tenant-context';
import { validationMiddleware } from '../http/middleware/validation';
import type { ApiEvent, ApiResult, RequestScope, ScopedContext } from '../http/request-scope';
import { routeKey, type RouteDefinition } from '../http/route';
import { logger } from '../observability/logger';
import { recordRequestCost } from '../observability/metrics';
import { withRequestCost } from '../observability/request-cost';
import { runWithinDeadline } from '../data/call-budget';
import { withOperationCommit } from '../data/operation-commit';
import { oweCapacity } from '../quotas/capacity-ledger';
import { runWithTenantContext } from '../tenancy/context';

type Parsed<Request, K extends string> = Request extends { [P in K]: infer S }
  ? S extends z.$ZodType
    ? z.output<S>
    : undefined
  : undefined;

/** What an operation receives: the request parsed with its route's schemas, nothing else. */
export interface OperationInput<R extends RouteDefinition> {
  path: Parsed<R['request'], 'path'>;
  query: Parsed<R['request'], 'query'>;
  body: Parsed<R['request'], 'body'>;
}

type BodyOf<Response> = Response extends { schema: infer S }
  ? S extends z.$ZodType
    ? z.input<S>
    : never
  : undefined;

/** One of the answers the route declares: its status and a body of that status's schema. */
export type Reply<R extends RouteDefinition> = {
  [S in keyof R['responses'] & number]: {
    status: S;
    body: BodyOf<R['responses'][S]>;
    headers?: Record<string, string>;
  };
}[keyof R['responses'] & number];

export type Operation<R extends RouteDefinition> = (
  input: OperationInput<R>,
  scope: RequestScope,
) => Promise<Reply<R>>;

/** Exactly one operation per route of the domain: a missing or an extra one does not compile. */
export type Operations<Routes extends readonly RouteDefinition[]> = {
  [R in Routes[number] as R['id']]: Operation<R>;
};

/**
 * Every answer is marked not to be sniffed, and not to be stored unless its operation says
 * otherwise (only the public documentation does): nothing authenticated is ever cached.
 */
function withSecurityHeaders(result: ApiResult): ApiResult {
  return {
    ...result,
    headers: { 'cache-control': 'no-store', ...(result.headers ?? {}), 'x-content-type-options': 'nosniff' },
  };
}

function toResult(
  route: RouteDefinition,
  reply: { status: number; body: unknown; headers?: Record<string, string> },
): ApiResult {
  const spec = route.responses[reply.status];
  const headers = { ...(reply.headers ?? {}) };
  if (!spec?.schema) return { statusCode: reply.status, headers };
  const contentType = [spec.contentType ?? 'application/json'].flat()[0] ?? 'application/json';
  const body = contentType === 'application/json' ? JSON.stringify(reply.body) : String(reply.body);
  return { statusCode: reply.status, headers: { 'content-type': contentType, ...headers }, body };
}

function buildRouteHandler(route: RouteDefinition, operation: Operation<RouteDefinition>) {
  return middy<ApiEvent, ApiResult, Error, ScopedContext>()
    .use(problemErrorHandler())
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(metricsMiddleware())
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
    .use(validationMiddleware(route))
    .use(idempotencyMiddleware(route))
    .use(quotaMiddleware(route))
    .handler(async function runOperation(_event, context) {
      const { scope } = context;
      const input = scope.input as OperationInput<RouteDefinition>;
      // The operation's first write commits the request's bookkeeping with it (operation-commit.ts).
      const run = () => withOperationCommit(scope.commit, () => operation(input, scope));
      const reply = scope.tenant ? await runWithTenantContext(scope.tenant, run) : await run();
      return toResult(route, reply);
    });
}

export interface ApiHandlerOptions {
  /** Answers a route key this function does not serve (API Gateway's `$default` route lands here). */
  unmatched?: (event: ApiEvent) => never;
}

function routeNotFound(event: ApiEvent): never {
  throw new NotFoundError(`No operation has the path ${event.rawPath}.`, 'route_not_found');
}

/**
 * The Lambda entry point of one domain: one Middy stack per route, outermost first: problem+json
 * error handler, logging and metrics, tenant context and permission, validation (the route's
 * schemas), idempotency, rate limit and quota, then the operation. Dispatched on API Gateway's
 * route key; every answer carries `Cache-Control: no-store` and `X-Content-Type-Options: nosniff`.
 */
export function createApiHandler<const Routes extends readonly RouteDefinition[]>(
  routes: Routes,
  operations: Operations<NoInfer<Routes>>,
  options: ApiHandlerOptions = {},
) {
  const byKey = new Map<string, ReturnType<typeof buildRouteHandler>>();
  const table = operations as unknown as Record<string, Operation<RouteDefinition>>;
  for (const route of routes) {
    byKey.set(routeKey(route), buildRouteHandler(route, table[route.id] as Operation<RouteDefinition>));
  }
  const unmatched = options.unmatched ?? routeNotFound;
  const fallback = middy<ApiEvent, ApiResult>()
    .use(problemErrorHandler())
    .handler(async (event) => unmatched(event));
  return async function handler(event: ApiEvent, context: Context): Promise<ApiResult> {
    const routeHandler = byKey.get(event.routeKey);
    // A fresh context object per invocation: the middlewares keep per-request state on it, and an
    // invoker that reuses one object across concurrent calls must not mix their states.
    const own = { ...context } as ScopedContext;
    const started = performance.now();
    // Every dependency call of the invocation ends within the function's remaining time.
    const { result, cost } = await runWithinDeadline(context.getRemainingTimeInMillis(), () =>
      withRequestCost(() => (routeHandler ? routeHandler(event, own) : fallback(event, own))),
    );
    const scope = (own as Partial<ScopedContext>).scope;
    const finished = {
      ...cost,
      routeId: scope?.route.id ?? 'unmatched',
      tenantId: scope?.tenant?.tenantId,
      status: result.statusCode ?? 200,
      durationMs: performance.now() - started,
    };
    recordRequestCost(finished);
    // Owed to the tenant's next metering write, which carries it to its usage (no write of its own).
    if (finished.tenantId && scope?.rateLimit) {
      oweCapacity(finished.tenantId, { read: cost.readUnits, write: cost.writeUnits });
    }
    return withSecurityHeaders(result);
  };
}
