import type { Permission } from '../tenancy/roles';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** The Lambda function that serves a route; one per domain. */
export type FunctionName = 'tenants' | 'users' | 'audit';

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
  summary: string;
}

/** API Gateway's route key, e.g. `GET /v1/tenants/{tenantId}`. */
export function routeKey(route: Pick<RouteDefinition, 'method' | 'path'>): string {
  return `${route.method} ${route.path}`;
}

export function isMutation(route: Pick<RouteDefinition, 'method'>): boolean {
  return route.method !== 'GET';
}
