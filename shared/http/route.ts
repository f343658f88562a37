import type { $ZodType } from 'zod/v4/core';
import type { ProblemCode } from '../problem-catalogue';
import type { Permission } from '../model/roles';
import type { FeatureFlag, PeriodicResource } from '../model/plans';
import type { RatePolicyName } from '../model/rate-policies';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** The Lambda function that serves a route; one per domain. */
export type FunctionName =
  | 'tenants'
  | 'users'
  | 'apiKeys'
  | 'billing'
  | 'audit'
  | 'agents'
  | 'runs'
  | 'quotas'
  | 'platform'
  | 'webhooks'
  | 'domains'
  | 'sso'
  | 'docs';

/** What a route accepts; each schema runs in the validation middleware, before anything is consumed. */
export interface RouteRequest {
  path?: $ZodType;
  query?: $ZodType;
  body?: $ZodType;
  /** A body schema is required unless this says otherwise (an empty body then parses as `{}`). */
  bodyOptional?: boolean;
  /**
   * The operation also gets the body exactly as sent and the headers (`request.raw`), to check a
   * signature over them (webhooks).
   */
  raw?: boolean;
  /** A larger body limit than the configured default (webhook events). */
  maxBodyBytes?: number;
  /** A realistic request body, shown in the reference. */
  example?: unknown;
}

/** One success answer of a route: JSON with a schema, another media type, or no content (204). */
export interface RouteResponse {
  description: string;
  /**
   * `application/json` unless said otherwise. Where several are listed, the reply names its own in a
   * `content-type` header (the first is the default).
   */
  contentType?: string | readonly string[];
  /** The body's schema; absent for 204. */
  schema?: $ZodType;
  /** Headers the answer carries, documented in the reference. */
  headers?: Readonly<Record<string, string>>;
}

/**
 * One endpoint, declared once. `public` routes skip the authorizer; `user` routes are about the
 * signed-in person and act on no tenant; `tenant` routes act on one tenant (from the path, the
 * `X-Tenant-ID` header, or the caller's own); `platform` routes are for platform admins and act on no
 * single tenant.
 */
export interface RouteDefinition {
  id: string;
  method: HttpMethod;
  path: string;
  function: FunctionName;
  auth: 'public' | 'user' | 'tenant' | 'platform';
  permission?: Permission;
  /** Reachable while the tenant is suspended (reading its own status). */
  allowWhenSuspended?: boolean;
  /** Reachable while the tenant is deleted and within its retention window (read, restore, export). */
  allowWhenDeleted?: boolean;
  /**
   * A monthly resource one call consumes; the quota middleware takes it before the handler, and the
   * operation's first write commits the take's receipt (`quotas/quota-takes.ts`).
   */
  consumes?: PeriodicResource;
  /**
   * The validated body names a monthly resource and an amount (`{ resource, amount }`): taken like
   * `consumes`, that amount of that resource, before the handler (the usage API).
   */
  consumesBody?: boolean;
  /** An `Idempotency-Key` is required: a 400 `idempotency_key_required` without one. */
  requiresIdempotencyKey?: boolean;
  /**
   * A monthly resource the work the call starts will consume later (a run reports its tokens when it
   * completes): refused with 429 once this month's use has reached its ceiling. Read beside the
   * metering write, not after it.
   */
  requiresLeft?: PeriodicResource;
  /** A plan feature the route requires (403 `feature_not_in_plan` without it). */
  feature?: FeatureFlag;
  /**
   * The route's own rate policy (`model/rate-policies.ts`), beside the tenant's requests per minute:
   * calls a minute per tenant, per plan, counted in the same metering write (429 `rate_limited`
   * naming the policy); routes naming the same policy share its window.
   */
  rateLimit?: RatePolicyName;
  /**
   * The operation keeps a project-limited API key to its project (projects, agents, memory, runs). Every
   * other route refuses such a key (403 `project_key_not_allowed`).
   */
  projectScoped?: boolean;
  /**
   * The answer carries a secret that is never stored, so no answer is kept for an Idempotency-Key to
   * replay: the header is not honoured (a retry makes a second, separately revocable one).
   */
  answersSecret?: boolean;
  summary: string;
  description: string;
  request: RouteRequest;
  /** Every success status with its body. */
  responses: Readonly<Record<number, RouteResponse>>;
  /** The problem codes the operation itself answers with (the pipeline's own are added to these). */
  errors: readonly ProblemCode[];
}

/** API Gateway's route key, e.g. `GET /v1/tenants/{tenantId}`. */
export function routeKey(route: Pick<RouteDefinition, 'method' | 'path'>): string {
  return `${route.method} ${route.path}`;
}

/** Whether an `Idempotency-Key` is honoured: a tenant POST whose answer may be stored for replay. */
export function isIdempotent(route: Pick<RouteDefinition, 'method' | 'auth' | 'answersSecret'>): boolean {
  return route.auth === 'tenant' && route.method === 'POST' && route.answersSecret !== true;
}

export function isMutation(route: Pick<RouteDefinition, 'method'>): boolean {
  return route.method !== 'GET';
}
