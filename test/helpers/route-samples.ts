import type { RouteId } from '../../functions/routes';
import type { RouteDefinition } from '../../shared/http/route';

/**
 * A valid request body for every route in the manifest (`undefined` where it takes none). Typed by
 * route id, so a route added to the manifest does not compile here until someone gives it a sample,
 * and the suites that walk the manifest cover it from then on.
 */
export const SAMPLE_BODIES: Record<RouteId, (unique: string) => unknown> = {
  'tenants.signup': (u) => ({ name: `Signup ${u}`, slug: `s-${u}`, owner: { email: `${u}@signup.test` } }),
  'tenants.create': (u) => ({ name: `Created ${u}`, slug: `c-${u}`, owner: { email: `${u}@create.test` } }),
  'tenants.list': () => undefined,
  'tenants.getCurrent': () => undefined,
  'tenants.get': () => undefined,
  'tenants.update': (u) => ({ name: `Renamed ${u}`, settings: { timezone: 'Europe/Paris' } }),
  'tenants.changePlan': () => ({ plan: 'starter' }),
  'tenants.suspend': () => ({ reason: 'Unpaid invoices' }),
  'tenants.reactivate': () => undefined,
  'users.list': () => undefined,
  'users.get': () => undefined,
  'users.invite': (u) => ({ email: `${u}@invite.test`, role: 'member' }),
  'users.changeRole': () => ({ role: 'viewer' }),
  'users.remove': () => undefined,
  'audit.list': () => undefined,
};

export function sampleBody(route: RouteDefinition, unique: string): unknown {
  return SAMPLE_BODIES[route.id as RouteId](unique);
}

/** Fills a route's path parameters. */
export function pathFor(route: RouteDefinition, ids: { tenantId: string; userId: string }): string {
  return route.path.replace('{tenantId}', ids.tenantId).replace('{userId}', ids.userId);
}
