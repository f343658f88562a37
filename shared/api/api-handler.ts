import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { Context } from 'aws-lambda';
import type * as z from 'zod/v4/core';
import { currentTenantContext, runInRequestSlot } from '../context/tenant-context';
import { runWithinDeadline } from '../data/call-budget';
import { withOperationCommit } from '../data/operation-commit';
import { NotFoundError } from '../errors';
import type { OperationInput, RequestFor } from '../http/admitted-request';
import { receivedAtOf, type ApiEvent, type ApiResult } from '../http/api-event';
import { problemErrorHandler } from '../http/middleware/error-handler';
import { metricsMiddleware } from '../http/middleware/metrics';
import { tenantContextMiddleware, type AdmissionContext } from '../http/middleware/tenant-context';
import { routeKey, type RouteDefinition } from '../http/route';
import { logger } from '../observability/logger';
import { recordRequestCost } from '../observability/metrics';
import { withRequestCost } from '../observability/request-cost';
import { tracer } from '../observability/tracer';
import { oweCapacity } from '../quotas/capacity-ledger';

export type { OperationInput } from '../http/admitted-request';

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

/**
 * A route's operation: its typed path, query and body, and the admitted request its route's `auth`
 * guarantees (a `tenant` route's carries the tenant context; a `user` route's the person).
 */
export type Operation<R extends RouteDefinition> = (
  input: OperationInput<R>,
  request: RequestFor<R>,
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
  const json = contentType === 'application/json' || contentType.endsWith('+json');
  const body = json ? JSON.stringify(reply.body) : String(reply.body);
  return { statusCode: reply.status, headers: { 'content-type': contentType, ...headers }, body };
}

function buildRouteHandler(route: RouteDefinition, operation: Operation<RouteDefinition>) {
  return (
    middy<ApiEvent, ApiResult, Error, AdmissionContext>()
      .use(problemErrorHandler())
      // Answers are not put in traces: they carry tenants' data.
      .use(captureLambdaHandler(tracer, { captureResponse: false }))
      .use(injectLambdaContext(logger, { resetKeys: true }))
      .use(metricsMiddleware())
      .use({
        before: async function appendRequestKeys(request) {
          logger.appendKeys({ requestId: request.event.requestContext.requestId, route: route.id });
          tracer.putAnnotation('route', route.id);
        },
      })
      .use(tenantContextMiddleware(route))
      .handler(async function runOperation(_event, context) {
        const admission = context.admission;
        if (!admission) throw new Error('The operation ran without an admission.');
        // The operation's first write commits the request's bookkeeping with it (operation-commit.ts).
        const reply = await withOperationCommit(admission.commit, () =>
          operation(admission.input, admission.request as RequestFor<RouteDefinition>),
        );
        return toResult(route, reply);
      })
  );
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
 * error handler, logging and metrics, the tenant-context middleware (admission: principal and
 * tenant, status, allowlist, MFA and permission, validation, idempotency, rate limit and quota, in
 * that order: `http/admission/pipeline.ts`), then the operation. Dispatched on API Gateway's route
 * key; each request runs in a tenant-context slot of its own, which admission fills once. Every
 * answer carries `Cache-Control: no-store` and `X-Content-Type-Options: nosniff`.
 */
export function createApiHandler<const Routes extends readonly RouteDefinition[]>(
  routes: Routes,
  operations: Operations<NoInfer<Routes>>,
  options: ApiHandlerOptions = {},
) {
  const byKey = new Map<string, { routeId: string; handle: ReturnType<typeof buildRouteHandler> }>();
  const table = operations as unknown as Record<string, Operation<RouteDefinition>>;
  for (const route of routes) {
    byKey.set(routeKey(route), {
      routeId: route.id,
      handle: buildRouteHandler(route, table[route.id] as Operation<RouteDefinition>),
    });
  }
  const unmatched = options.unmatched ?? routeNotFound;
  const fallback = middy<ApiEvent, ApiResult>()
    .use(problemErrorHandler())
    .handler(async (event) => unmatched(event));
  return async function handler(event: ApiEvent, context: Context): Promise<ApiResult> {
    const routeHandler = byKey.get(event.routeKey);
    // A fresh context object per invocation: the middlewares keep per-request state on it, and an
    // invoker that reuses one object across concurrent calls must not mix their states.
    const own = { ...context } as AdmissionContext;
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    // Every dependency call of the invocation ends within the function's remaining time.
    const { result, cost, tenantId } = await runInRequestSlot(receivedAtOf(event), async () => {
      const answered = await runWithinDeadline(context.getRemainingTimeInMillis(), () =>
        withRequestCost(() => (routeHandler ? routeHandler.handle(event, own) : fallback(event, own))),
      );
      // The tenant admission granted access to, even where a later stage refused the request
      // (invalid input, a rate limit): its requests are the tenant's, whatever they were answered.
      return { ...answered, tenantId: currentTenantContext()?.tenantId };
    });
    const cpu = process.cpuUsage(cpuBefore);
    const admission = own.admission;
    const finished = {
      ...cost,
      routeId: routeHandler?.routeId ?? 'unmatched',
      tenantId,
      status: result.statusCode ?? 200,
      durationMs: performance.now() - started,
      cpuMs: (cpu.user + cpu.system) / 1000,
    };
    recordRequestCost(finished);
    // Owed to the tenant's next metering write, which carries it to its usage (no write of its own).
    if (finished.tenantId && admission?.metering) {
      oweCapacity(finished.tenantId, { read: cost.readUnits, write: cost.writeUnits });
    }
    return withSecurityHeaders(result);
  };
}
