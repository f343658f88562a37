import { beforeAll, describe, expect, it } from 'vitest';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { addRecord, removeRecords } from '../../infra/local/dns-local';
import { processTenantJob } from '../../shared/jobs/tenant-job-worker';
import {
  addUser,
  call,
  inbox,
  createTenant,
  storedAuditEvents,
  table,
  twin,
  unique,
  type ApiResponse,
  type TestTenant,
  type TestUser,
} from '../helpers/twin-api';

/**
 * Custom domains end to end on the twin: the verifier asks the twin's DNS server (dns2, over the DNS
 * protocol) what the test put in its zone, as `npm run dns` does for people; a domain whose CNAME
 * points at `localhost` is served by the twin's gateway, where its host then names the tenant.
 */
interface DomainView {
  domain: string;
  displayName: string;
  state: string;
  verification: { type: string; name: string; value: string };
  routing: { type: string; name: string; value: string | null };
  findings: {
    txt: { found: string[]; ok: boolean };
    cname: { found: string[]; ok: boolean };
    caa: { at: string | null; ok: boolean };
    heldByAnotherTenant: boolean;
    actions: string[];
  } | null;
  missingSince: string | null;
}

const zone = () => twin.dnsRecordsFile;
const DAY = 86_400_000;

describe('custom domains', () => {
  let a: TestTenant;
  let b: TestTenant;
  let admin: TestUser;
  const port = () => new URL(twin.apiUrl).port;
  const domains = (tenant: TestTenant) => `/v1/tenants/${tenant.id}/domains`;
  const add = (tenant: TestTenant, domain: string, token = tenant.owner.token) =>
    call<DomainView>('POST', domains(tenant), { token, body: { domain } });
  const check = (tenant: TestTenant, domain: string, at?: Date) =>
    call<DomainView>('POST', `${domains(tenant)}/${domain}/check`, {
      token: tenant.owner.token,
      body: {},
      ...(at ? { at } : {}),
    });
  const atHost = (host: string, token: string) =>
    call<{ id: string }>('GET', '/v1/tenants/current', {
      token,
      from: '127.0.0.1',
      headers: { host: `${host}:${port()}` },
    });
  const prove = (view: ApiResponse<DomainView>) =>
    addRecord(zone(), {
      type: 'TXT',
      name: view.body.verification.name,
      value: view.body.verification.value,
    });
  const route = (domain: string) => addRecord(zone(), { type: 'CNAME', name: domain, value: 'localhost' });

  beforeAll(async () => {
    [a, b] = await Promise.all([createTenant(), createTenant()]);
    admin = await addUser(a, 'admin');
  });

  it('goes claimed → verifying → verified → active, saying at each check what it found and what to change', async () => {
    const domain = `app.${unique('acme')}.example`.toLowerCase();
    const added = await add(a, domain, admin.token);
    expect(added.status, added.text).toBe(201);
    expect(added.body).toMatchObject({
      domain,
      state: 'claimed',
      verification: { type: 'TXT', name: `_tenantry-challenge.${domain}` },
      routing: { type: 'CNAME', name: domain, value: 'localhost' },
      findings: null,
    });
    expect(added.body.verification.value).toMatch(/^tenantry-domain-verification=[\w-]{20,}$/);

    // Nothing in DNS yet: verifying, and the findings say exactly what to add.
    const first = await check(a, domain);
    expect(first.status, first.text).toBe(200);
    expect(first.body.state).toBe('verifying');
    expect(first.body.findings?.txt).toMatchObject({ found: [], ok: false });
    expect(first.body.findings?.actions.join(' ')).toContain(
      `Add a TXT record at _tenantry-challenge.${domain} with the value ${added.body.verification.value}`,
    );

    // A wrong value is reported as found, beside the one expected.
    addRecord(zone(), {
      type: 'TXT',
      name: added.body.verification.name,
      value: 'tenantry-domain-verification=old',
    });
    const wrong = await check(a, domain);
    expect(wrong.body.state).toBe('verifying');
    expect(wrong.body.findings?.txt.found).toEqual(['tenantry-domain-verification=old']);
    expect(wrong.body.findings?.actions.join(' ')).toContain(
      'found “tenantry-domain-verification=old” instead',
    );

    // The token stays the same across retries (reading it again and checking again do not change it).
    const again = await call<DomainView>('GET', `${domains(a)}/${domain}`, { token: a.owner.token });
    expect(again.body.verification.value).toBe(added.body.verification.value);

    // The right TXT record: verified; no CNAME yet, so it waits there and says where to point it.
    prove(added);
    const verified = await check(a, domain);
    expect(verified.body.state).toBe('verified');
    expect(verified.body.findings?.actions.join(' ')).toContain(
      `Add a CNAME record at ${domain} pointing to localhost`,
    );
    // Verified is not served: the host names no one yet (404, never the caller's own tenant).
    const early = await atHost(domain, a.owner.token);
    expect(early.status, early.text).toBe(404);
    expect(early.body).toMatchObject({ code: 'tenant_host_unknown' });

    // The CNAME: provisioned and active in the same check (the twin's gateway serves it at once).
    route(domain);
    const active = await check(a, domain);
    expect(active.body.state).toBe('active');
    expect(active.body.findings?.actions.join(' ')).toContain('Nothing to change');
    const served = await atHost(domain, a.owner.token);
    expect(served.status, served.text).toBe(200);
    expect(served.body.id).toBe(a.id);
    expect(served.headers.get('tenant-resolved-by')).toBe('host');
    // The isolation control: B's owner at A's domain is refused; A's owner (above) is the positive one.
    const other = await atHost(domain, b.owner.token);
    expect(other.status, other.text).toBe(403);
    expect(other.body).toMatchObject({ code: 'tenant_mismatch' });

    const actions = (await storedAuditEvents(a.id))
      .filter((event) => event.targetId === domain)
      .map((event) => event.action);
    expect(actions).toEqual(
      expect.arrayContaining(['domain.added', 'domain.verified', 'domain.provisioning', 'domain.activated']),
    );
  });

  it('holds a verified domain for one tenant; an unverified claim elsewhere is no hold', async () => {
    const domain = `shop.${unique('held')}.example`.toLowerCase();
    // Both claim it; only the one whose token is in DNS takes it.
    const [mine, theirs] = await Promise.all([add(a, domain), add(b, domain)]);
    expect([mine.status, theirs.status]).toEqual([201, 201]);
    expect(mine.body.verification.value).not.toBe(theirs.body.verification.value);
    prove(theirs);
    route(domain);
    expect((await check(a, domain)).body.state).toBe('verifying');
    expect((await check(b, domain)).body.state).toBe('active');
    // Now A's record appears too: A is told another tenant holds it, and nothing moves.
    prove(mine);
    const held = await check(a, domain);
    expect(held.body.state).toBe('verifying');
    expect(held.body.findings?.heldByAnotherTenant).toBe(true);
    expect(held.body.findings?.actions.join(' ')).toContain('verified by another tenant');
    // A third tenant cannot even add it while it is held.
    const c = await createTenant();
    const taken = await add(c, domain);
    expect(taken.status, taken.text).toBe(409);
    expect(taken.body).toMatchObject({ code: 'domain_taken' });
    // B removes it: the host stops naming B at once, and A's next check takes it.
    const removed = await call('DELETE', `${domains(b)}/${domain}`, { token: b.owner.token });
    expect(removed.status, removed.text).toBe(204);
    const gone = await atHost(domain, b.owner.token);
    expect(gone.status, gone.text).toBe(404);
    expect(gone.body).toMatchObject({ code: 'tenant_host_unknown' });
    expect((await check(a, domain)).body.state).toBe('active');
    const served = await atHost(domain, a.owner.token);
    expect(served.body.id).toBe(a.id);
  });

  it('moves an active domain whose record is gone to at risk, then suspended, then releases it', async () => {
    const domain = `lapse.${unique('gone')}.example`.toLowerCase();
    const added = await add(a, domain);
    prove(added);
    route(domain);
    expect((await check(a, domain)).body.state).toBe('active');
    removeRecords(zone(), 'TXT', added.body.verification.name);
    const start = Date.now();
    const atRisk = await check(a, domain, new Date(start + DAY));
    expect(atRisk.body.state).toBe('at_risk');
    expect(atRisk.body.missingSince).toBe(new Date(start + DAY).toISOString());
    // At risk is still served, and the owners are told when it will be suspended.
    expect((await atHost(domain, a.owner.token)).body.id).toBe(a.id);
    const warned = await inbox(a.owner.email, { subject: `${domain} is at risk`, waitMs: 10_000 });
    expect(warned).toHaveLength(1);
    expect(warned[0]?.text).toContain(`found no TXT record at _tenantry-challenge.${domain}`);
    // Two days on: within the 3-day grace, still at risk; past it, suspended and no longer served.
    expect((await check(a, domain, new Date(start + 3 * DAY))).body.state).toBe('at_risk');
    expect((await check(a, domain, new Date(start + 4 * DAY + 1_000))).body.state).toBe('suspended');
    const suspended = await atHost(domain, a.owner.token);
    expect(suspended.status).toBe(404);
    expect(await inbox(a.owner.email, { subject: `${domain} is suspended`, waitMs: 10_000 })).toHaveLength(1);
    expect(suspended.body).toMatchObject({ code: 'tenant_host_unknown' });
    // The record comes back: active again, served again.
    prove(added);
    expect((await check(a, domain, new Date(start + 5 * DAY))).body.state).toBe('active');
    expect((await atHost(domain, a.owner.token)).body.id).toBe(a.id);
    // Gone for good: at risk, suspended, then released past 14 days; the guard goes with it.
    removeRecords(zone(), 'TXT', added.body.verification.name);
    expect((await check(a, domain, new Date(start + 6 * DAY))).body.state).toBe('at_risk');
    expect((await check(a, domain, new Date(start + 10 * DAY))).body.state).toBe('suspended');
    const released = await check(a, domain, new Date(start + 21 * DAY));
    expect(released.status).toBe(404);
    expect(released.body).toMatchObject({ code: 'domain_not_found' });
    const guard = await table.send(
      new GetCommand({ TableName: twin.tableName, Key: { pk: `DOMAIN#${domain}`, sk: 'DOMAIN' } }),
    );
    expect(guard.Item).toBeUndefined();
    const actions = (await storedAuditEvents(a.id))
      .filter((event) => event.targetId === domain)
      .map((event) => event.action);
    expect(actions).toEqual(
      expect.arrayContaining([
        'domain.at_risk',
        'domain.suspended',
        'domain.restored',
        'domain.releasing',
        'domain.released',
      ]),
    );
    // Released: any tenant may add it again.
    expect((await add(b, domain)).status).toBe(201);
  });

  it('is checked by the scheduled job: pending domains every run, active ones once a day', async () => {
    const tenant = await createTenant();
    const pending = `pending.${unique('job')}.example`.toLowerCase();
    const settled = `settled.${unique('job')}.example`.toLowerCase();
    const p = await add(tenant, pending);
    const s = await add(tenant, settled);
    prove(s);
    route(settled);
    expect((await check(tenant, settled)).body.state).toBe('active');
    prove(p);
    route(pending);
    removeRecords(zone(), 'TXT', s.body.verification.name);
    const now = new Date(Date.now() + 60_000);
    await processTenantJob({ job: 'domain-check', tenantId: tenant.id, period: 'x' }, now);
    const read = async (domain: string) =>
      (await call<DomainView>('GET', `${domains(tenant)}/${domain}`, { token: tenant.owner.token })).body;
    // The pending one moved on; the active one was checked minutes ago and waits for its daily re-check.
    expect((await read(pending)).state).toBe('active');
    expect((await read(settled)).state).toBe('active');
    await processTenantJob(
      { job: 'domain-check', tenantId: tenant.id, period: 'y' },
      new Date(now.getTime() + DAY),
    );
    expect((await read(settled)).state).toBe('at_risk');
  });

  it('refuses what cannot be a tenant’s domain, with a clear problem, and adds nothing', async () => {
    const cases: Array<[string, string]> = [
      ['192.0.2.10', 'domain_invalid'],
      ['[2001:db8::1]', 'domain_invalid'],
      ['*.acme.example', 'domain_invalid'],
      ['acme', 'domain_invalid'],
      ['https://app.acme.example/x', 'domain_invalid'],
      ['app.acme.example:8443', 'domain_invalid'],
      [`${'a'.repeat(64)}.example`, 'domain_invalid'],
      [`${'abcdefghij.'.repeat(25)}example`, 'domain_invalid'],
      ['under_score.example', 'domain_invalid'],
      ['-lead.example', 'domain_invalid'],
      ['app.acme.123', 'domain_invalid'],
      [`${unique('slug')}.localhost`, 'domain_not_allowed'],
      ['printer.local', 'domain_not_allowed'],
      ['db.internal', 'domain_not_allowed'],
      // Cyrillic а in a Latin word; a Cyrillic word that reads as Latin; the same in punycode.
      ['pаypal.example', 'domain_confusable'],
      ['аррӏе.example', 'domain_confusable'],
      ['xn--80ak6aa92e.example', 'domain_confusable'],
    ];
    const before = (await call<{ items: DomainView[] }>('GET', domains(b), { token: b.owner.token })).body
      .items.length;
    for (const [domain, code] of cases) {
      const refused = await add(b, domain);
      expect(refused.status, `${domain}: ${refused.text}`).toBe(400);
      expect(refused.headers.get('content-type')).toContain('application/problem+json');
      expect(refused.body, domain).toMatchObject({ code });
    }
    const after = (await call<{ items: DomainView[] }>('GET', domains(b), { token: b.owner.token })).body
      .items;
    expect(after.length).toBe(before);
    // Positive controls: an internationalized name in one script, and its punycode, are accepted as one.
    const idn = `bücher-${unique('idn')}.example`.toLowerCase();
    const accepted = await add(b, idn);
    expect(accepted.status, accepted.text).toBe(201);
    expect(accepted.body.domain).toMatch(/^xn--/);
    expect(accepted.body.displayName).toBe(idn);
    const duplicate = await add(b, accepted.body.domain);
    expect(duplicate.status).toBe(409);
    expect(duplicate.body).toMatchObject({ code: 'domain_exists' });
  });

  it('needs the plan’s customDomains feature and domains:manage, with the rightful caller beside each', async () => {
    const free = await createTenant({ plan: 'free' });
    const refused = await add(free, `${unique('free')}.example`.toLowerCase());
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: 'feature_not_in_plan' });
    const member = await addUser(a, 'member');
    const forbidden = await add(a, `${unique('member')}.example`.toLowerCase(), member.token);
    expect(forbidden.status).toBe(403);
    expect(forbidden.body).toMatchObject({ code: 'permission_denied' });
    const allowed = await add(a, `${unique('owner')}.example`.toLowerCase());
    expect(allowed.status, allowed.text).toBe(201);
    // Another tenant's domain is not found through one's own tenant, and not reachable through theirs.
    const viaOwn = await call('GET', `${domains(b)}/${allowed.body.domain}`, { token: b.owner.token });
    expect(viaOwn.status).toBe(404);
    const viaTheirs = await call('GET', `${domains(a)}/${allowed.body.domain}`, { token: b.owner.token });
    expect(viaTheirs.status).toBe(403);
  });
});
