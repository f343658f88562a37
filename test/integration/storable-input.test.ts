import { beforeAll, describe, expect, it } from 'vitest';
import { call, createResources, createTenant, type TestTenant } from '../helpers/twin-api';

function nested(depth: number): unknown {
  let value: unknown = 'leaf';
  for (let level = 0; level < depth; level += 1) value = { next: value };
  return value;
}

interface Quotas {
  quotas: Array<{ resource: string; used: number }>;
}

/**
 * Valid JSON the table cannot hold exactly, and text that does not display as stored, are refused
 * by the schema with a 400 before anything is consumed: never a 500, never silently changed.
 */
describe('input the table cannot hold as sent', () => {
  let tenant: TestTenant;
  let agentId: string;

  beforeAll(async () => {
    tenant = await createTenant();
    ({ agentId } = await createResources(tenant));
  });

  async function used(resource: string): Promise<number> {
    const report = await call<Quotas>('GET', `/v1/tenants/${tenant.id}/quotas`, {
      token: tenant.owner.token,
    });
    return report.body.quotas.find((line) => line.resource === resource)?.used ?? -1;
  }

  const memory = (content: unknown) =>
    call('POST', `/v1/tenants/${tenant.id}/agents/${agentId}/memory`, {
      token: tenant.owner.token,
      body: { kind: 'json', content },
    });
  const memoryRaw = (json: string) =>
    call('POST', `/v1/tenants/${tenant.id}/agents/${agentId}/memory`, {
      token: tenant.owner.token,
      rawBody: `{"kind":"json","content":${json}}`,
      headers: { 'content-type': 'application/json' },
    });

  const refused: Array<[string, () => ReturnType<typeof call>]> = [
    ['nesting deeper than DynamoDB allows', () => memory(nested(40))],
    ['a number too large for JavaScript', () => memoryRaw('{"n":1e400}')],
    ['an integer JavaScript cannot keep exactly', () => memoryRaw('{"n":12345678901234567890}')],
    ['a number too small for DynamoDB', () => memoryRaw('{"n":1e-200}')],
    ['an empty attribute name', () => memoryRaw('{"":1}')],
    ['a __proto__ key', () => memoryRaw('{"__proto__":{"admin":true}}')],
    ['a nested __proto__ key', () => memoryRaw('{"a":[{"__proto__":1}]}')],
  ];

  for (const [what, send] of refused) {
    it(`refuses ${what} with a 400 and stores nothing`, async () => {
      const before = await used('storageBytes');
      const response = await send();
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ code: 'validation_failed' });
      expect(await used('storageBytes')).toBe(before);
    });
  }

  it('stores JSON at the deepest level DynamoDB allows, exactly as sent (positive control)', async () => {
    const content = { deep: nested(30), big: 9007199254740991, small: 1.5e-100, name: 'x' };
    const response = await memory(content);
    expect(response.status).toBe(201);
    const stored = await call<{ content: unknown }>(
      'GET',
      `/v1/tenants/${tenant.id}/agents/${agentId}/memory/${(response.body as { id: string }).id}`,
      { token: tenant.owner.token },
    );
    expect(stored.body.content).toEqual(content);
  });

  it('answers every depth around the limit with a 201 or a 400, never a 500', async () => {
    for (let depth = 29; depth <= 34; depth += 1) {
      const response = await memory(nested(depth));
      expect([201, 400], `depth ${depth}`).toContain(response.status);
    }
  });

  it('answers numbers around DynamoDB’s range with a 201 or a 400, never a 500', async () => {
    for (const number of [
      '9.9e125',
      '1e126',
      '1e-130',
      '9e-131',
      '-9.9e125',
      '9007199254740991',
      '9007199254740993',
    ]) {
      const response = await memoryRaw(`{"n":${number}}`);
      expect([201, 400], number).toContain(response.status);
    }
  });

  it('refuses a run input nested too deep before the run is counted', async () => {
    const before = await used('runs');
    const response = await call('POST', `/v1/tenants/${tenant.id}/agents/${agentId}/runs`, {
      token: tenant.owner.token,
      body: { input: nested(40) },
    });
    expect(response.status).toBe(400);
    expect(await used('runs')).toBe(before);
  });

  const unsafeNames = ['Acme\u0000Corp', 'Acme\u202eproC', 'Acme\u0007', 'Acme\u2066x', 'Acme\nCorp'];
  for (const name of unsafeNames) {
    it(`refuses the name ${JSON.stringify(name)} in every human-readable field`, async () => {
      const token = tenant.owner.token;
      const attempts = [
        await call('POST', `/v1/tenants/${tenant.id}/agents`, { token, body: { name, model: 'm' } }),
        await call('PATCH', `/v1/tenants/${tenant.id}/agents/${agentId}`, { token, body: { name } }),
        await call('PATCH', `/v1/tenants/${tenant.id}`, { token, body: { name } }),
        await call('POST', `/v1/tenants/${tenant.id}/users`, {
          token,
          body: { email: `n${Date.now()}@example.test`, role: 'viewer', name },
        }),
      ];
      for (const attempt of attempts) {
        expect(attempt.status).toBe(400);
        expect(attempt.body).toMatchObject({ code: 'validation_failed' });
      }
    });
  }

  it('accepts names in any script, emoji included (positive control)', async () => {
    const response = await call('POST', `/v1/tenants/${tenant.id}/agents`, {
      token: tenant.owner.token,
      body: { name: 'Ассистент 助手 👩‍💻', model: 'claude-sonnet', description: 'Two lines\nare fine here.' },
    });
    expect(response.status).toBe(201);
  });
});
