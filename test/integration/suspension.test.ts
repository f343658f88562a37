import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../shared/api/manifest';
import { pathFor, sampleBody } from '../helpers/route-samples';
import {
  addUser,
  adminToken,
  call,
  createApiKey,
  createResources,
  createTenant,
  inbox,
  table,
  twin,
  unique,
  type TestTenant,
  type TestUser,
} from '../helpers/twin-api';

/** Open while suspended, but their samples cannot succeed on this tenant (which must not go). */
const PAST_THE_GATE: Record<string, string> = {
  'tenants.delete': 'confirmation_mismatch',
  'tenants.restore': 'not_deleted',
  'tenants.exports.get': 'export_not_found',
  // No partner or child with the walk's sample id: the routes' own 404.
  'delegations.get': 'delegation_not_found',
  'delegations.end': 'delegation_not_found',
  'children.health': 'child_not_found',
};

describe('a suspended tenant', () => {
  let tenant: TestTenant;
  let member: TestUser;
  let ids: { agentId: string; runId: string; memoryId: string; keyId: string };

  beforeAll(async () => {
    tenant = await createTenant();
    member = await addUser(tenant, 'member');
    ids = await createResources(tenant);
    const suspended = await call('POST', `/v1/tenants/${tenant.id}/suspend`, {
      token: await adminToken(),
      body: { reason: 'Payment overdue' },
    });
    expect(suspended.status).toBe(200);
  });

  const tenantRoutes = ROUTES.filter((route) => route.auth === 'tenant');

  for (const route of tenantRoutes) {
    // Reading its own status, and billing (so that it can pay), stay open.
    const stillOpen = 'allowWhenSuspended' in route && route.allowWhenSuspended === true;
    const readsOwnStatus = route.id === 'tenants.getCurrent' || route.id === 'tenants.get';
    it(`${route.id}: its owner gets ${stillOpen ? 'an answer' : '403 tenant_suspended'}`, async () => {
      const response = await call(
        route.method,
        pathFor(route, { tenantId: tenant.id, userId: member.id, ...ids }),
        {
          token: tenant.owner.token,
          body: sampleBody(route, unique('s')),
        },
      );
      if (stillOpen && PAST_THE_GATE[route.id]) {
        // Past the suspension gate, the route's own answer to a sample that cannot succeed here.
        expect(response.body).toMatchObject({ code: PAST_THE_GATE[route.id] });
      } else if (stillOpen) {
        expect(response.status, response.text).toBeLessThan(300);
        if (readsOwnStatus) {
          expect(response.body).toMatchObject({ status: 'suspended', statusReason: 'Payment overdue' });
        }
      } else {
        expect(response.status).toBe(403);
        expect(response.body).toMatchObject({ code: 'tenant_suspended' });
      }
    });
  }

  it('is reactivated by a platform admin, after which its users work again', async () => {
    const reactivated = await call('POST', `/v1/tenants/${tenant.id}/reactivate`, {
      token: await adminToken(),
    });
    expect(reactivated.status).toBe(200);
    expect(reactivated.body).toMatchObject({ status: 'active', statusReason: null });
    expect((await call('GET', `/v1/tenants/${tenant.id}/users`, { token: member.token })).status).toBe(200);
  });
});

describe('suspension acts', () => {
  async function startRun(tenant: TestTenant, agentId: string): Promise<string> {
    const run = await call<{ id: string }>('POST', `/v1/tenants/${tenant.id}/agents/${agentId}/runs`, {
      token: tenant.owner.token,
      body: {},
    });
    expect(run.status, run.text).toBe(201);
    return run.body.id;
  }

  const suspend = async (tenant: TestTenant, body: Record<string, unknown>) => {
    const response = await call('POST', `/v1/tenants/${tenant.id}/suspend`, {
      token: await adminToken(),
      body,
    });
    expect(response.status, response.text).toBe(200);
    return response;
  };

  it('cancels the running runs with the reason; an ended run keeps its end; other tenants run on', async () => {
    const [tenant, other] = await Promise.all([createTenant(), createTenant()]);
    const [{ agentId, runId: running }, { runId: otherRun }] = await Promise.all([
      createResources(tenant),
      createResources(other),
    ]);
    const ended = await startRun(tenant, agentId);
    const completed = await call('POST', `/v1/tenants/${tenant.id}/runs/${ended}/complete`, {
      token: tenant.owner.token,
      body: { status: 'succeeded', tokensUsed: 10 },
    });
    expect(completed.status).toBe(200);
    // The running-runs index is sparse: the ended run has left it, the running one is in it.
    const indexKey = async (id: string) =>
      (
        await table.send(
          new GetCommand({ TableName: twin.tableName, Key: { pk: `TENANT#${tenant.id}`, sk: `RUN#${id}` } }),
        )
      ).Item?.gsi2sk;
    expect(await indexKey(ended)).toBeUndefined();
    expect(await indexKey(running)).toBe(`RUN#running#${running}`);
    await suspend(tenant, { reason: 'Abuse report' });

    const admin = await adminToken();
    const run = (id: string, t = tenant) => call(`GET`, `/v1/tenants/${t.id}/runs/${id}`, { token: admin });
    expect((await run(running)).body).toMatchObject({ status: 'cancelled', statusReason: 'Abuse report' });
    expect((await run(ended)).body).toMatchObject({ status: 'succeeded', statusReason: null });
    expect((await run(otherRun, other)).body).toMatchObject({ status: 'running' });
    const audit = await call<{ items: Array<{ action: string; target: { id: string } }> }>(
      'GET',
      `/v1/tenants/${tenant.id}/audit-logs?action=run.cancelled`,
      { token: admin },
    );
    expect(audit.body.items.map((event) => event.target.id)).toEqual([running]);
    // A cancelled run cannot be completed afterwards.
    await call('POST', `/v1/tenants/${tenant.id}/reactivate`, { token: admin });
    const late = await call('POST', `/v1/tenants/${tenant.id}/runs/${running}/complete`, {
      token: tenant.owner.token,
      body: { status: 'succeeded', tokensUsed: 10 },
    });
    expect(late.body).toMatchObject({ code: 'run_completed' });
  });

  it('refuses API keys on every route, even those people may still read; reactivation lets them back', async () => {
    const tenant = await createTenant();
    const key = await createApiKey(tenant, ['tenant:read', 'agents:read']);
    expect((await call('GET', `/v1/tenants/${tenant.id}`, { token: key.secret })).status).toBe(200);
    await suspend(tenant, { reason: 'Payment overdue' });
    const byKey = await call('GET', `/v1/tenants/${tenant.id}`, { token: key.secret });
    expect(byKey.status).toBe(403);
    expect(byKey.body).toMatchObject({ code: 'tenant_suspended' });
    // Positive control: the owner reads the same route.
    expect((await call('GET', `/v1/tenants/${tenant.id}`, { token: tenant.owner.token })).status).toBe(200);
    await call('POST', `/v1/tenants/${tenant.id}/reactivate`, { token: await adminToken() });
    expect((await call('GET', `/v1/tenants/${tenant.id}`, { token: key.secret })).status).toBe(200);
  });

  it('keeps the platform admin’s internal note from the tenant, its audit log included', async () => {
    const tenant = await createTenant();
    const note = `Ticket ${unique('n')}: fraud team says wait`;
    await suspend(tenant, { reason: 'Under review', internalNote: note });
    const seenByOwner = await call('GET', `/v1/tenants/${tenant.id}`, { token: tenant.owner.token });
    expect(seenByOwner.body).toMatchObject({ status: 'suspended', statusReason: 'Under review' });
    expect(seenByOwner.text).not.toContain(note);
    expect(seenByOwner.body).not.toHaveProperty('internalNote');
    const audit = await call('GET', `/v1/tenants/${tenant.id}/audit-logs`, { token: tenant.owner.token });
    expect(audit.status).toBe(200);
    expect(audit.text).toContain('Under review');
    expect(audit.text).not.toContain(note);
    // Positive control: a platform admin sees it.
    const seenByAdmin = await call('GET', `/v1/tenants/${tenant.id}`, { token: await adminToken() });
    expect(seenByAdmin.body).toMatchObject({ internalNote: note });
  });

  it('emails the active owners, and no one else', async () => {
    const tenant = await createTenant();
    const member = await addUser(tenant, 'member');
    const reason = `Suspended for test ${unique('r')}`;
    await suspend(tenant, { reason });
    const [notice] = await inbox(tenant.owner.email, { subject: 'suspended' });
    expect(notice?.subject).toContain(tenant.name);
    expect(notice?.text).toContain(reason);
    expect(await inbox(member.email, { subject: 'suspended', waitMs: 300 })).toEqual([]);
  });
});
