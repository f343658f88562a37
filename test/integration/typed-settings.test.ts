import { describe, expect, it } from 'vitest';
import { addUser, call, createTenant, storedAuditEvents, type TestTenant } from '../helpers/twin-api';

/**
 * Typed settings: declared keys, each with its schema, default and readers; validated at the edge,
 * audited with before and after, and read where they take effect (an agent's model, the quota
 * notification levels).
 */

interface Setting {
  key: string;
  value: unknown;
  default: unknown;
  isDefault: boolean;
  updatedBy: string | null;
  code?: string;
}

const path = (tenant: TestTenant, key: string) => `/v1/tenants/${tenant.id}/settings/${key}`;
const read = (tenant: TestTenant, key: string, token = tenant.owner.token) =>
  call<Setting>('GET', path(tenant, key), { token });
const write = (tenant: TestTenant, key: string, body: unknown, token = tenant.owner.token) =>
  call<Setting>('PUT', path(tenant, key), { token, body });

describe('typed settings', () => {
  it('reads the default, sets and resets a key, each change audited with before and after', async () => {
    const tenant = await createTenant();
    const fresh = await read(tenant, 'agents.defaultModel');
    expect(fresh.status, fresh.text).toBe(200);
    expect(fresh.body).toMatchObject({
      key: 'agents.defaultModel',
      value: null,
      isDefault: true,
      updatedBy: null,
    });

    const set = await write(tenant, 'agents.defaultModel', { value: 'claude-haiku' });
    expect(set.status, set.text).toBe(200);
    expect(set.body).toMatchObject({ value: 'claude-haiku', isDefault: false, updatedBy: tenant.owner.id });
    expect((await read(tenant, 'agents.defaultModel')).body.value).toBe('claude-haiku');

    const reset = await call<Setting>('DELETE', path(tenant, 'agents.defaultModel'), {
      token: tenant.owner.token,
    });
    expect(reset.status, reset.text).toBe(200);
    expect(reset.body).toMatchObject({ value: null, isDefault: true });

    const changes = (await storedAuditEvents(tenant.id)).filter(
      (event) => event.action === 'tenant.setting_changed',
    );
    expect(changes).toHaveLength(2);
    expect(changes.map((event) => [event.before, event.after])).toContainEqual([
      expect.anything(),
      { typedSettings: { 'agents.defaultModel': expect.objectContaining({ value: 'claude-haiku' }) } },
    ]);
    expect(changes.map((event) => event.after)).toContainEqual({ typedSettings: {} });
    // Resetting a key that is not set changes nothing and audits nothing.
    await call('DELETE', path(tenant, 'agents.defaultModel'), { token: tenant.owner.token });
    expect(
      (await storedAuditEvents(tenant.id)).filter((event) => event.action === 'tenant.setting_changed'),
    ).toHaveLength(2);
  });

  it('refuses a value its key’s schema does not accept, and an unknown key, changing nothing', async () => {
    const tenant = await createTenant();
    expect((await write(tenant, 'quotas.notifyAtPercent', { value: [70, 85] })).status).toBe(200);
    const before = await storedAuditEvents(tenant.id);
    const BAD: Array<[string, unknown]> = [
      ['agents.defaultModel', { value: 42 }],
      ['agents.defaultModel', { value: 'claude\u0000sonnet' }],
      ['agents.defaultModel', { value: '' }],
      ['agents.defaultModel', { value: 'x'.repeat(101) }],
      ['agents.defaultModel', {}],
      ['agents.defaultModel', { value: 'claude-sonnet', extra: true }],
      ['quotas.notifyAtPercent', { value: [90, 80] }],
      ['quotas.notifyAtPercent', { value: [0] }],
      ['quotas.notifyAtPercent', { value: [101] }],
      ['quotas.notifyAtPercent', { value: [50.5] }],
      ['quotas.notifyAtPercent', { value: [] }],
      ['quotas.notifyAtPercent', { value: [10, 20, 30, 40, 50, 60] }],
      ['quotas.notifyAtPercent', { value: 'eighty' }],
      ['no.suchKey', { value: 1 }],
    ];
    for (const [key, body] of BAD) {
      const answer = await write(tenant, key, body);
      expect(answer.status, `${key} ${JSON.stringify(body)}: ${answer.text}`).toBe(400);
      expect(answer.headers.get('content-type')).toContain('application/problem+json');
    }
    expect((await read(tenant, 'no.suchKey')).status).toBe(400);
    // The problem names the value's rule where it failed.
    const falling = await call<{ errors: Array<{ path: string; message: string }> }>(
      'PUT',
      path(tenant, 'quotas.notifyAtPercent'),
      { token: tenant.owner.token, body: { value: [90, 80] } },
    );
    expect(falling.body.errors).toEqual([
      { path: 'value', message: 'must rise: each level above the one before' },
    ]);
    expect((await read(tenant, 'quotas.notifyAtPercent')).body.value).toEqual([70, 85]);
    expect(await storedAuditEvents(tenant.id)).toHaveLength(before.length);
  });

  it('lets each key be read by the roles it declares and changed by owners and admins only', async () => {
    const tenant = await createTenant();
    const [admin, member, viewer] = [
      await addUser(tenant, 'admin'),
      await addUser(tenant, 'member'),
      await addUser(tenant, 'viewer'),
    ];
    // Everyone reads the default model; only owners and admins the notification levels.
    for (const person of [admin, member, viewer]) {
      expect((await read(tenant, 'agents.defaultModel', person.token)).status).toBe(200);
    }
    expect((await read(tenant, 'quotas.notifyAtPercent', admin.token)).status).toBe(200);
    for (const person of [member, viewer]) {
      const refused = await read(tenant, 'quotas.notifyAtPercent', person.token);
      expect(refused.status, refused.text).toBe(403);
      expect(refused.body.code).toBe('permission_denied');
    }
    const byMember = await write(tenant, 'agents.defaultModel', { value: 'claude-opus' }, member.token);
    expect(byMember.status).toBe(403);
    const byAdmin = await write(tenant, 'agents.defaultModel', { value: 'claude-opus' }, admin.token);
    expect(byAdmin.status, byAdmin.text).toBe(200);
    expect(byAdmin.body.updatedBy).toBe(admin.id);
  });

  it('takes effect: an agent made without a model gets the default one, and notifications come at the tenant’s levels', async () => {
    const tenant = await createTenant({ plan: 'free' });
    const agents = `/v1/tenants/${tenant.id}/agents`;
    const unnamed = await call('POST', agents, { token: tenant.owner.token, body: { name: 'No model' } });
    expect(unnamed.status, unnamed.text).toBe(400);
    await write(tenant, 'agents.defaultModel', { value: 'claude-haiku' });
    const made = await call<{ model: string }>('POST', agents, {
      token: tenant.owner.token,
      body: { name: 'Default' },
    });
    expect(made.status, made.text).toBe(201);
    expect(made.body.model).toBe('claude-haiku');
    const named = await call<{ model: string }>('POST', agents, {
      token: tenant.owner.token,
      body: { name: 'Named', model: 'claude-sonnet' },
    });
    expect(named.body.model).toBe('claude-sonnet');

    // Free: 1,000 tool calls. Levels at 50 % only: 500 crosses it, 900 crosses no other.
    await write(tenant, 'quotas.notifyAtPercent', { value: [50] });
    const at = new Date('2036-01-10T10:00:00.000Z');
    for (const amount of [500, 400]) {
      const recorded = await call('POST', `/v1/tenants/${tenant.id}/usage`, {
        token: tenant.owner.token,
        body: { resource: 'toolCalls', amount, description: 'tool calls' },
        at,
      });
      expect(recorded.status, recorded.text).toBe(201);
    }
    const report = await call<{
      thresholds: number[];
      thresholdEvents: Array<{ resource: string; threshold: number }>;
    }>('GET', `/v1/tenants/${tenant.id}/quotas`, { token: tenant.owner.token, at });
    expect(report.body.thresholds).toEqual([50]);
    expect(
      report.body.thresholdEvents
        .filter((event) => event.resource === 'toolCalls')
        .map((event) => event.threshold),
    ).toEqual([50]);
  });
});
