/**
 * How a request may name its tenant (shared/tenancy/tenant-resolution.ts resolves them):
 * - `path`: the route's `{tenantId}`;
 * - `header`: a header (`X-Tenant-ID` unless configured);
 * - `host`: the request's host, a subdomain of a configured base domain (`acme.example.com` names the
 *   tenant whose slug is `acme`);
 * - `query`: a query parameter, only where one is configured (off by default: URLs end up in logs);
 * - `credential`: the API key's own tenant, or a person's default tenant;
 * - `default`: the deployment's default tenant, where one is configured.
 */
export const RESOLUTION_STRATEGIES = ['path', 'header', 'host', 'query', 'credential', 'default'] as const;
export type ResolutionStrategy = (typeof RESOLUTION_STRATEGIES)[number];

/** A route's `{tenantId}` may be `current`: the tenant the request's other strategies name. */
export const CURRENT_TENANT = 'current';
