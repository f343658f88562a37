import type { RouteDefinition } from '../shared/http/route';

/**
 * The route manifest: every endpoint, once. The CDK stack creates API routes from it, the local
 * adapter mounts it, and the isolation suite walks it. A route not listed here does not exist.
 */
export const ROUTES = [
  // Tenants
  {
    id: 'tenants.signup',
    method: 'POST',
    path: '/v1/tenants/signup',
    function: 'tenants',
    auth: 'public',
    summary: 'Self-service signup: creates a tenant and its owner (limited per source IP).',
  },
  {
    id: 'tenants.create',
    method: 'POST',
    path: '/v1/tenants',
    function: 'tenants',
    auth: 'platform',
    permission: 'platform:tenants:manage',
    summary: 'Platform admin creates a tenant and its owner.',
  },
  {
    id: 'tenants.list',
    method: 'GET',
    path: '/v1/tenants',
    function: 'tenants',
    auth: 'platform',
    permission: 'platform:tenants:read',
    summary: 'Platform admin lists tenants, filtered by status and plan.',
  },
  {
    id: 'tenants.getCurrent',
    method: 'GET',
    path: '/v1/tenants/current',
    function: 'tenants',
    auth: 'tenant',
    permission: 'tenant:read',
    allowWhenSuspended: true,
    summary: "The caller's tenant.",
  },
  {
    id: 'tenants.get',
    method: 'GET',
    path: '/v1/tenants/{tenantId}',
    function: 'tenants',
    auth: 'tenant',
    permission: 'tenant:read',
    allowWhenSuspended: true,
    summary: 'A tenant by id.',
  },
  {
    id: 'tenants.update',
    method: 'PATCH',
    path: '/v1/tenants/{tenantId}',
    function: 'tenants',
    auth: 'tenant',
    permission: 'tenant:update',
    summary: "Updates a tenant's name and settings.",
  },
  {
    id: 'tenants.changePlan',
    method: 'PUT',
    path: '/v1/tenants/{tenantId}/plan',
    function: 'tenants',
    auth: 'tenant',
    permission: 'platform:tenants:manage',
    summary: "Platform admin changes a tenant's plan.",
  },
  {
    id: 'tenants.suspend',
    method: 'POST',
    path: '/v1/tenants/{tenantId}/suspend',
    function: 'tenants',
    auth: 'tenant',
    permission: 'platform:tenants:manage',
    summary: 'Platform admin suspends a tenant.',
  },
  {
    id: 'tenants.reactivate',
    method: 'POST',
    path: '/v1/tenants/{tenantId}/reactivate',
    function: 'tenants',
    auth: 'tenant',
    permission: 'platform:tenants:manage',
    summary: 'Platform admin reactivates a suspended tenant.',
  },
  // Users
  {
    id: 'users.list',
    method: 'GET',
    path: '/v1/tenants/{tenantId}/users',
    function: 'users',
    auth: 'tenant',
    permission: 'users:read',
    summary: "The tenant's users.",
  },
  {
    id: 'users.get',
    method: 'GET',
    path: '/v1/tenants/{tenantId}/users/{userId}',
    function: 'users',
    auth: 'tenant',
    permission: 'users:read',
    summary: 'One user of the tenant.',
  },
  {
    id: 'users.invite',
    method: 'POST',
    path: '/v1/tenants/{tenantId}/users',
    function: 'users',
    auth: 'tenant',
    permission: 'users:invite',
    summary: 'Invites a user with a role.',
  },
  {
    id: 'users.changeRole',
    method: 'PATCH',
    path: '/v1/tenants/{tenantId}/users/{userId}',
    function: 'users',
    auth: 'tenant',
    permission: 'users:update',
    summary: "Changes a user's role.",
  },
  {
    id: 'users.remove',
    method: 'DELETE',
    path: '/v1/tenants/{tenantId}/users/{userId}',
    function: 'users',
    auth: 'tenant',
    permission: 'users:remove',
    summary: 'Removes a user from the tenant and disables their sign-in.',
  },
  // Audit
  {
    id: 'audit.list',
    method: 'GET',
    path: '/v1/tenants/{tenantId}/audit-logs',
    function: 'audit',
    auth: 'tenant',
    permission: 'audit:read',
    summary: "The tenant's audit log, newest first.",
  },
] as const satisfies readonly RouteDefinition[];

export type RouteId = (typeof ROUTES)[number]['id'];

export function routesOf(fn: RouteDefinition['function']): RouteDefinition[] {
  return ROUTES.filter((route) => route.function === fn);
}
