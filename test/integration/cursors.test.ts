import { beforeAll, describe, expect, it } from 'vitest';
import { call, createResources, createTenant, type TestTenant } from '../helpers/twin-api';

interface Page {
  items: Array<{ id: string }>;
  nextCursor: string | null;
}

/** Cursors are sealed: opaque to clients, and good only on the list that handed them out. */
describe('pagination cursors', () => {
  let tenant: TestTenant;
  let agentsPage: Page;
  let runsPage: Page;

  beforeAll(async () => {
    tenant = await createTenant();
    await createResources(tenant);
    await createResources(tenant);
    const token = tenant.owner.token;
    agentsPage = (await call<Page>('GET', `/v1/tenants/${tenant.id}/agents?limit=1`, { token })).body;
    runsPage = (await call<Page>('GET', `/v1/tenants/${tenant.id}/runs?limit=1`, { token })).body;
  });

  it('hands out a cursor that pages on (positive control)', async () => {
    expect(agentsPage.nextCursor).toEqual(expect.any(String));
    const next = await call<Page>(
      'GET',
      `/v1/tenants/${tenant.id}/agents?limit=1&cursor=${agentsPage.nextCursor}`,
      {
        token: tenant.owner.token,
      },
    );
    expect(next.status).toBe(200);
    expect(next.body.items).toHaveLength(1);
    expect(next.body.items[0]?.id).not.toBe(agentsPage.items[0]?.id);
  });

  it('shows nothing of the key design', () => {
    const decoded = Buffer.from(agentsPage.nextCursor ?? '', 'base64url').toString('latin1');
    for (const leak of ['TENANT#', 'AGENT#', tenant.id, '"pk"', '"sk"']) expect(decoded).not.toContain(leak);
  });

  it('refuses a genuine cursor of another list of the same tenant with a 400', async () => {
    const response = await call(
      'GET',
      `/v1/tenants/${tenant.id}/agents?limit=1&cursor=${runsPage.nextCursor}`,
      {
        token: tenant.owner.token,
      },
    );
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ code: 'invalid_cursor' });
  });

  it('refuses a cursor that was altered', async () => {
    const cursor = agentsPage.nextCursor ?? '';
    const altered = `${cursor.slice(0, 20)}${cursor[20] === 'A' ? 'B' : 'A'}${cursor.slice(21)}`;
    const response = await call('GET', `/v1/tenants/${tenant.id}/agents?limit=1&cursor=${altered}`, {
      token: tenant.owner.token,
    });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ code: 'invalid_cursor' });
  });

  it('refuses a forged cursor naming a key of its own choosing', async () => {
    const forged = Buffer.from(
      JSON.stringify({ pk: `TENANT#${tenant.id}`, sk: 'AUDIT#zzz' }),
      'utf8',
    ).toString('base64url');
    for (const list of ['agents', 'runs', 'users', 'audit-logs']) {
      const response = await call('GET', `/v1/tenants/${tenant.id}/${list}?cursor=${forged}`, {
        token: tenant.owner.token,
      });
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ code: 'invalid_cursor' });
    }
  });
});
