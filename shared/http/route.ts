import type { Permission } from '../tenancy/roles';
import type { CountedResource, FeatureFlag, PeriodicResource } from '../tenants/plans';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** The Lambda function that serves a route; one per domain. */
export type FunctionName = 'tenants' | 'users' | 'audit' | 'agents' | 'runs' | 'quotas';

/**
 * One endpoint, declared once. `public` routes skip the authorizer; `tenant` routes act on one tenant
 * (from the path, the `X-Tenant-ID` header, or the caller's own); `platform` routes are for platform
 * admins and act on no single tenant.
 */
export interface RouteDefinition {
  id: string;
  method: HttpMethod;
  path: string;
  function: FunctionName;
  auth: 'public' | 'tenant' | 'platform';
  permission?: Permission;
  /** Reachable while the tenant is suspended (reading its own status). */
  allowWhenSuspended?: boolean;
  /** A monthly resource one call consumes; the quota middleware takes it before the handler. */
  consumes?: PeriodicResource;
  /** A standing resource the route's service takes in the same transaction as its create. */
  counts?: CountedResource;
  /** A plan feature the route requires (403 `feature_not_in_plan` without it). */
  feature?: FeatureFlag;
  summary: string;
}

/** API Gateway's route key, e.g. `GET /v1/tenants/{tenantId}`. */
export function routeKey(route: Pick<RouteDefinition, 'method' | 'path'>): string {
  return `${route.method} ${route.path}`;
}

export function isMutation(route: Pick<RouteDefinition, 'method'>): boolean {
  return route.method !== 'GET';
}
