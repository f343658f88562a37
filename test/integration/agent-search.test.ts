import { describe, expect, it } from 'vitest';
import { call, createTenant } from '../helpers/twin-api';

interface AgentPage {
  items: Array<{ id: string; name: string }>;
  nextCursor: string | null;
}

describe('searching agents by name', () => {
  it('finds the agents whose name contains the search, whatever its case, a page at a time, and only the tenant’s', async () => {
    const [tenant, other] = await Promise.all([createTenant(), createTenant()]);
    const make = (token: string, tenantId: string, name: string) =>
      call('POST', `/v1/tenants/${tenantId}/agents`, { token, body: { name, model: 'claude-sonnet' } });
    for (const name of ['Support Triage', 'billing bot', 'SUPPORT escalations', 'Support follow-ups'])
      expect((await make(tenant.owner.token, tenant.id, name)).status).toBe(201);
    expect((await make(other.owner.token, other.id, 'Support elsewhere')).status).toBe(201);
    const search = (query: string) =>
      call<AgentPage>('GET', `/v1/tenants/${tenant.id}/agents?${query}`, { token: tenant.owner.token });

    const support = await search('search=support');
    expect(support.status, support.text).toBe(200);
    expect(support.body.items.map((agent) => agent.name).sort()).toEqual(
      ['SUPPORT escalations', 'Support Triage', 'Support follow-ups'].sort(),
    );
    expect((await search('search=BOT')).body.items.map((agent) => agent.name)).toEqual(['billing bot']);
    expect((await search('search=nothing-like-it')).body.items).toEqual([]);
    // Paged: two, then the third, with no agent twice.
    const first = await search('search=support&limit=2');
    expect(first.body.items).toHaveLength(2);
    expect(first.body.nextCursor).not.toBeNull();
    const second = await search(
      `search=support&limit=2&cursor=${encodeURIComponent(first.body.nextCursor ?? '')}`,
    );
    const names = [...first.body.items, ...second.body.items].map((agent) => agent.name);
    expect(new Set(names).size).toBe(3);
    // An edit is searched by its new name.
    const bot = (await search('search=bot')).body.items[0];
    const renamed = await call('PATCH', `/v1/tenants/${tenant.id}/agents/${bot?.id}`, {
      token: tenant.owner.token,
      body: { name: 'Invoice Helper' },
    });
    expect(renamed.status).toBe(200);
    expect((await search('search=invoice')).body.items.map((agent) => agent.id)).toEqual([bot?.id]);
    expect((await search('search=bot')).body.items).toEqual([]);
  });

  it('refuses an empty or overlong search with a problem', async () => {
    const tenant = await createTenant();
    for (const bad of ['search=', `search=${'x'.repeat(101)}`, 'search=%00']) {
      const response = await call('GET', `/v1/tenants/${tenant.id}/agents?${bad}`, {
        token: tenant.owner.token,
      });
      expect(response.status, bad).toBe(400);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
    }
    // The rightful search beside them.
    expect(
      (await call('GET', `/v1/tenants/${tenant.id}/agents?search=x`, { token: tenant.owner.token })).status,
    ).toBe(200);
  });
});
