import { beforeAll, describe, expect, it } from 'vitest';
import { adminToken, call, createTenant, type TestTenant } from '../helpers/twin-api';

/** The twin hands the handlers the client's real address as API Gateway's `sourceIp`. */
const ALLOWED = '127.0.0.2';
const ELSEWHERE = '127.0.0.3';

describe('IP allowlist per tenant', () => {
  let tenant: TestTenant;

  beforeAll(async () => {
    tenant = await createTenant();
  });

  const settings = (ipAllowlist: string[], options: { force?: boolean; from?: string } = {}) =>
    call('PATCH', `/v1/tenants/${tenant.id}`, {
      token: tenant.owner.token,
      body: { settings: { ipAllowlist }, ...(options.force ? { force: true } : {}) },
      ...(options.from ? { from: options.from } : {}),
    });

  it('refuses a list that leaves out the caller’s own address unless forced', async () => {
    const refused = await settings(['203.0.113.0/24'], { from: ALLOWED });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'ip_allowlist_lockout' });
    const current = await call('GET', `/v1/tenants/${tenant.id}`, {
      token: tenant.owner.token,
      from: ALLOWED,
    });
    expect(current.body).toMatchObject({ settings: {} });
  });

  it('refuses what is not a CIDR block', async () => {
    for (const bad of ['10.0.0.1', '300.1.1.1/8', 'localhost', '2001:db8::/129']) {
      const response = await settings([bad], { force: true });
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ code: 'validation_failed' });
    }
  });

  it('accepts a list with the caller’s address, IPv6 included, in canonical form', async () => {
    const response = await settings([`${ALLOWED}/32`, '2001:db8:0:0::1/32', '10.1.2.3/8'], { from: ALLOWED });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      settings: { ipAllowlist: ['127.0.0.2/32', '2001:db8::/32', '10.0.0.0/8'] },
    });
  });

  it('answers a request from an address outside the list with 403 ip_not_allowed', async () => {
    const response = await call('GET', `/v1/tenants/${tenant.id}/agents`, {
      token: tenant.owner.token,
      from: ELSEWHERE,
    });
    expect(response.status).toBe(403);
    expect(response.body).toMatchObject({ code: 'ip_not_allowed' });
  });

  it('serves the same request from an allowed address (positive control)', async () => {
    const response = await call('GET', `/v1/tenants/${tenant.id}/agents`, {
      token: tenant.owner.token,
      from: ALLOWED,
    });
    expect(response.status).toBe(200);
  });

  it('does not bind platform admins, who can lift a list that locked a tenant out', async () => {
    const response = await call('PATCH', `/v1/tenants/${tenant.id}`, {
      token: await adminToken(),
      body: { settings: { ipAllowlist: [] } },
      from: ELSEWHERE,
    });
    expect(response.status).toBe(200);
    const after = await call('GET', `/v1/tenants/${tenant.id}/agents`, {
      token: tenant.owner.token,
      from: ELSEWHERE,
    });
    expect(after.status).toBe(200);
  });

  it('applies a forced list even when it leaves out the caller', async () => {
    const forced = await settings(['203.0.113.0/24'], { force: true, from: ALLOWED });
    expect(forced.status).toBe(200);
    const locked = await call('GET', `/v1/tenants/${tenant.id}`, {
      token: tenant.owner.token,
      from: ALLOWED,
    });
    expect(locked.status).toBe(403);
    expect(locked.body).toMatchObject({ code: 'ip_not_allowed' });
  });
});
