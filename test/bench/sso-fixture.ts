import { randomBytes } from 'node:crypto';
import { addRecord } from '../../infra/local/dns-local';
import type { RouteDefinition } from '../../shared/http/route';
import type { PathIds } from '../helpers/route-samples';
import type { BenchClient } from './bench-twin';

/**
 * What the single sign-on and directory routes need to do their work in `bench:routes` rather than
 * answer 403: an Enterprise tenant (the plan that sells `sso`) with the twin's stand-in OpenID provider
 * set, a captured domain verified through the twin's DNS, and a directory token (`directory:sync`).
 * Each call gets fresh records of its own (a SCIM user and group, a pending domain, the provider set
 * again before it is removed), made before the measured call.
 */
export interface SsoFixture {
  /** Whether the route is one of these (discovery is public and needs none of it). */
  covers(route: RouteDefinition): boolean;
  /** The caller, the path's ids and the body for one measured call of the route. */
  prepare(
    route: RouteDefinition,
    ids: PathIds,
    body: unknown,
  ): Promise<{ token: string; ids: PathIds; body: unknown }>;
}

export async function ssoFixture(
  bench: BenchClient,
  dnsRecordsFile: string,
  providerBody: unknown,
): Promise<SsoFixture> {
  const tenant = await bench.createTenant('enterprise');
  const base = `/v1/tenants/${tenant.id}`;
  const must = async (what: string, answer: Promise<{ status: number; body: Record<string, unknown> }>) => {
    const { status, body } = await answer;
    if (status >= 300) throw new Error(`${what}: ${status} ${JSON.stringify(body)}`);
    return body;
  };
  const setProvider = () =>
    must('sso', bench.call('PUT', `${base}/sso`, { token: tenant.token, body: providerBody }));
  const tag = () => randomBytes(5).toString('hex');
  const addDomain = async () => {
    const domain = `d${tag()}.bench.test`;
    const added = (await must(
      'domain',
      bench.call('POST', `${base}/sso/domains`, { token: tenant.token, body: { domain } }),
    )) as { verification: { name: string; value: string } };
    return { domain, verification: added.verification };
  };
  await setProvider();
  const captured = await addDomain();
  addRecord(dnsRecordsFile, { type: 'TXT', ...captured.verification });
  await must(
    'domain check',
    bench.call('POST', `${base}/sso/domains/${captured.domain}/check`, { token: tenant.token, body: {} }),
  );
  const key = (await must(
    'directory token',
    bench.call('POST', `${base}/api-keys`, {
      token: tenant.token,
      body: { name: 'Directory', scopes: ['directory:sync'] },
    }),
  )) as { secret: string };
  const scim = (method: string, path: string, body: unknown) =>
    must(`scim ${path}`, bench.call(method, `${base}/scim/v2${path}`, { token: key.secret, body }));

  return {
    covers: (route) =>
      route.id.startsWith('scim.') || (route.id.startsWith('sso.') && route.auth !== 'public'),
    async prepare(route, ids, body) {
      const next: PathIds = { ...ids, tenantId: tenant.id };
      let nextBody = body;
      if (route.id === 'sso.remove') await setProvider();
      if (route.id === 'sso.domains.check' || route.id === 'sso.domains.remove') {
        next.domain = (await addDomain()).domain;
      }
      if (route.id.startsWith('scim.users.')) {
        const userName = `p${tag()}@${captured.domain}`;
        const user = (await scim('POST', '/Users', { userName, active: true })) as { id: string };
        next.userId = user.id;
        if (route.id === 'scim.users.create')
          nextBody = { userName: `n${tag()}@${captured.domain}`, active: true };
        if (route.id === 'scim.users.replace') nextBody = { userName, active: true, displayName: 'Replaced' };
      }
      if (route.id.startsWith('scim.groups.')) {
        const group = (await scim('POST', '/Groups', { displayName: `Group ${tag()}` })) as { id: string };
        next.groupId = group.id;
      }
      return { token: route.id.startsWith('scim.') ? key.secret : tenant.token, ids: next, body: nextBody };
    },
  };
}
