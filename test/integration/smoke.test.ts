import { describe, expect, it } from 'vitest';
import { call, createTenant } from '../helpers/twin-api';

describe('the local twin', () => {
  it('serves the current tenant to its owner and 401 without a token', async () => {
    const tenant = await createTenant();
    const ok = await call('GET', '/v1/tenants/current', { token: tenant.owner.token });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({
      id: tenant.id,
      slug: tenant.slug,
      plan: 'professional',
      status: 'active',
    });
    const anonymous = await call('GET', '/v1/tenants/current');
    expect(anonymous.status).toBe(401);
  });
});
