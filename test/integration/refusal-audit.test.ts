import { describe, expect, it } from 'vitest';
import { REFUSAL_AUDIT_LIMIT } from '../../shared/http/admission/refusal-audit';
import {
  OWNER_SCOPES,
  call,
  createApiKey,
  createTenant,
  storedAuditEvents,
  type TestTenant,
} from '../helpers/twin-api';

const ALLOWED = '127.0.0.2';
const ELSEWHERE = '127.0.0.3';

const refusals = async (tenant: TestTenant) =>
  (await storedAuditEvents(tenant.id)).filter((event) => event.action === 'access.refused');

describe('refused attempts against a tenant, in its audit log', () => {
  it('audits a request from an address the tenant does not allow, by whom and from where; the allowed one is no refusal', async () => {
    const tenant = await createTenant();
    const set = await call('PATCH', `/v1/tenants/${tenant.id}`, {
      token: tenant.owner.token,
      body: { settings: { ipAllowlist: [`${ALLOWED}/32`] } },
      from: ALLOWED,
    });
    expect(set.status, set.text).toBe(200);
    // The rightful request beside it: admitted, and no refusal audited.
    expect(
      (await call('GET', `/v1/tenants/${tenant.id}/agents`, { token: tenant.owner.token, from: ALLOWED }))
        .status,
    ).toBe(200);
    expect(await refusals(tenant)).toEqual([]);
    const refused = await call('GET', `/v1/tenants/${tenant.id}/agents`, {
      token: tenant.owner.token,
      from: ELSEWHERE,
    });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: 'ip_not_allowed' });
    const [event, ...more] = await refusals(tenant);
    expect(more).toEqual([]);
    expect(event).toMatchObject({
      actorId: tenant.owner.id,
      targetId: 'agents.list',
      after: { code: 'ip_not_allowed' },
      sourceIp: ELSEWHERE,
    });
  });

  it('audits a revoked key the gateway had still cached, and someone of another tenant naming this one', async () => {
    const [tenant, stranger] = await Promise.all([createTenant(), createTenant()]);
    const key = await createApiKey(tenant, OWNER_SCOPES);
    expect((await call('GET', `/v1/tenants/${tenant.id}/agents`, { token: key.secret })).status).toBe(200);
    const revoked = await call('DELETE', `/v1/tenants/${tenant.id}/api-keys/${key.id}`, {
      token: tenant.owner.token,
    });
    expect(revoked.status).toBe(200);
    const again = await call('GET', `/v1/tenants/${tenant.id}/agents`, { token: key.secret });
    expect(again.status).toBe(401);
    const named = await call('GET', `/v1/tenants/${tenant.id}/agents`, { token: stranger.owner.token });
    expect(named.status).toBe(403);
    const events = await refusals(tenant);
    expect(events.map((event) => [event.actorId, (event.after as { code: string }).code]).sort()).toEqual(
      [
        [key.id, 'api_key_revoked'],
        [stranger.owner.id, 'tenant_mismatch'],
      ].sort(),
    );
    // The stranger's own tenant records nothing of it.
    expect(await refusals(stranger)).toEqual([]);
  });

  it('takes at most its window’s share of a flood, and the flood is still refused', async () => {
    const [tenant, stranger] = await Promise.all([createTenant(), createTenant()]);
    const attempts = 50;
    const answers = await Promise.all(
      Array.from({ length: attempts }, () =>
        call('GET', `/v1/tenants/${tenant.id}/agents`, { token: stranger.owner.token }),
      ),
    );
    expect(answers.every((answer) => answer.status === 403)).toBe(true);
    const audited = (await refusals(tenant)).length;
    // One window's limit, or two if the flood crossed a window's end.
    expect(audited).toBeGreaterThanOrEqual(REFUSAL_AUDIT_LIMIT.limit);
    expect(audited).toBeLessThanOrEqual(2 * REFUSAL_AUDIT_LIMIT.limit);
    expect(audited).toBeLessThan(attempts);
  });

  it('writes nothing for a tenant id that names no tenant', async () => {
    const stranger = await createTenant();
    const nobody = 'ten_01ARZ3NDEKTSV4RRFFQ69G5FAV';
    const response = await call('GET', `/v1/tenants/${nobody}/agents`, { token: stranger.owner.token });
    expect(response.status).toBe(403);
    expect(await storedAuditEvents(nobody)).toEqual([]);
  });
});
