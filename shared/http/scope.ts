import type { TenantContext, UserPrincipal } from '../tenancy/context';
import type { RequestScope } from '../tenancy/tenant-context-middleware';
import { UnauthorizedError } from './errors';

/** The tenant context of a `tenant` route; the middleware guarantees it, this states it in types. */
export function requireTenant(scope: RequestScope): TenantContext {
  if (!scope.tenant) throw new UnauthorizedError('The request carries no tenant context.');
  return scope.tenant;
}

export function requirePrincipal(scope: RequestScope): UserPrincipal {
  if (!scope.principal) throw new UnauthorizedError('The request carries no verified identity.');
  return scope.principal;
}
