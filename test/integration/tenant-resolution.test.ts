import { beforeAll, describe, expect, it } from 'vitest';
import {
  adminToken,
  call,
  createApiKey,
  createTenant,
  twin,
  type ApiResponse,
  type TestTenant,
} from '../helpers/twin-api';

/**
 * Tenants by host on the twin, whose base domain is `localhost` (`acme.localhost:<port>` names the
 * tenant whose slug is `acme`; browsers and curl reach the twin there). The requests go to 127.0.0.1
 * with the Host header a browser would send (Node does not resolve `*.localhost`).
 */
describe('tenants named by host, header, path and credential', () => {
  let a: TestTenant;
  let b: TestTenant;
  const port = () => new URL(twin.apiUrl).port;
  const at = (tenant: TestTenant | string) =>
    `${typeof tenant === 'string' ? tenant : tenant.slug}.localhost:${port()}`;
  const get = <T = { id: string; name: string }>(path: string, token: string, host?: string) =>
    call<T>('GET', path, { token, from: '127.0.0.1', ...(host ? { headers: { host } } : {}) });
  const resolvedBy = (response: ApiResponse<unknown>) => response.headers.get('tenant-resolved-by');

  beforeAll(async () => {
    [a, b] = await Promise.all([createTenant(), createTenant()]);
  });

  it('names the tenant by its host, and says so', async () => {
    const current = await get('/v1/tenants/current', a.owner.token, at(a));
    expect(current.status, current.text).toBe(200);
    expect(current.body.id).toBe(a.id);
    expect(resolvedBy(current)).toBe('host');
    // The same request at the API's own address is named by the credential (the person's default).
    const plain = await get('/v1/tenants/current', a.owner.token);
    expect(plain.body.id).toBe(a.id);
    expect(resolvedBy(plain)).toBe('credential');
    // A path names its tenant first; the host agrees.
    const agents = await get(`/v1/tenants/${a.id}/agents`, a.owner.token, at(a));
    expect(agents.status, agents.text).toBe(200);
    expect(resolvedBy(agents)).toBe('path');
    // `current` in a path stands for the tenant the host names.
    const created = await call<{ id: string }>('POST', '/v1/tenants/current/agents', {
      token: a.owner.token,
      from: '127.0.0.1',
      headers: { host: at(a) },
      body: { name: 'By host', model: 'claude-sonnet' },
    });
    expect(created.status, created.text).toBe(201);
    expect(resolvedBy(created)).toBe('host');
    const listed = await get<{ items: Array<{ id: string }> }>(`/v1/tenants/${a.id}/agents`, a.owner.token);
    expect(listed.body.items.map((agent) => agent.id)).toContain(created.body.id);
    // A refusal after the tenant was named says so too; one before it was named cannot.
    const missing = await get(
      `/v1/tenants/current/agents/agt_01JF3Z9G7Q5W8R2T6Y4B1N0M3K`,
      a.owner.token,
      at(a),
    );
    expect(missing.status, missing.text).toBe(404);
    expect(resolvedBy(missing)).toBe('host');
    const unknown = await get('/v1/tenants/current', a.owner.token, at('no-such-tenant-here'));
    expect(unknown.status).toBe(404);
    expect(resolvedBy(unknown)).toBeNull();
  });

  it('refuses a person at another tenant’s host, with B’s own owner as the positive control', async () => {
    const refused = await get('/v1/tenants/current', a.owner.token, at(b));
    expect(refused.status, refused.text).toBe(403);
    expect(refused.body).toMatchObject({ code: 'tenant_mismatch' });
    expect(refused.text).not.toContain(b.name);
    const allowed = await get('/v1/tenants/current', b.owner.token, at(b));
    expect(allowed.status, allowed.text).toBe(200);
    expect(allowed.body.id).toBe(b.id);
  });

  it('refuses strategies that disagree, even for a member of both named tenants', async () => {
    // The path names A and the host B: refused before anything of either is read.
    const both = await get(`/v1/tenants/${a.id}/agents`, a.owner.token, at(b));
    expect(both.status, both.text).toBe(403);
    expect(both.body).toMatchObject({ code: 'tenant_mismatch' });
    const header = await call('GET', '/v1/tenants/current', {
      token: await adminToken(),
      from: '127.0.0.1',
      headers: { host: at(a), 'x-tenant-id': b.id },
    });
    expect(header.status, header.text).toBe(403);
    expect(header.body).toMatchObject({ code: 'tenant_mismatch' });
  });

  it('lets a platform admin reach any tenant by its host, as by its id', async () => {
    const admin = await adminToken();
    const reached = await get('/v1/tenants/current', admin, at(b));
    expect(reached.status, reached.text).toBe(200);
    expect(reached.body.id).toBe(b.id);
    expect(resolvedBy(reached)).toBe('host');
  });

  it('keeps an API key to its own tenant at any host', async () => {
    const key = await createApiKey(a, ['agents:read']);
    const own = await get(`/v1/tenants/${a.id}/agents`, key.secret, at(a));
    expect(own.status, own.text).toBe(200);
    const other = await get('/v1/tenants/current', key.secret, at(b));
    expect(other.status, other.text).toBe(403);
    expect(other.body).toMatchObject({ code: 'tenant_mismatch' });
  });

  it('answers an unknown host with 404, never another tenant', async () => {
    for (const host of [at('no-such-tenant-here'), `a.b.localhost:${port()}`, `-x.localhost:${port()}`]) {
      const unknown = await get('/v1/tenants/current', a.owner.token, host);
      expect(unknown.status, host).toBe(404);
      expect(unknown.headers.get('content-type')).toContain('application/problem+json');
      expect(unknown.body, host).toMatchObject({ code: 'tenant_host_unknown' });
      expect(unknown.text).not.toContain(a.id);
    }
  });
});
