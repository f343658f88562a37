import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { PLANS } from '../../shared/model/plans';
import {
  call,
  countItems,
  createApiKey,
  createTenant,
  quotaUsed,
  storedAuditEvents,
  table,
  twin,
  unique,
  type TestTenant,
} from '../helpers/twin-api';

interface Project {
  id: string;
  name: string;
  agentCount: number;
}
interface Agent {
  id: string;
  projectId: string | null;
}

async function newProject(tenant: TestTenant, name = unique('Project'), token = tenant.owner.token) {
  const made = await call<Project>('POST', `/v1/tenants/${tenant.id}/projects`, { token, body: { name } });
  expect(made.status, made.text).toBe(201);
  return made.body;
}

async function newAgent(tenant: TestTenant, projectId?: string, token = tenant.owner.token) {
  const made = await call<Agent>('POST', `/v1/tenants/${tenant.id}/agents`, {
    token,
    body: { name: unique('Agent'), model: 'claude-sonnet', ...(projectId ? { projectId } : {}) },
  });
  expect(made.status, made.text).toBe(201);
  return made.body;
}

async function project(tenant: TestTenant, projectId: string) {
  return (
    await call<Project>('GET', `/v1/tenants/${tenant.id}/projects/${projectId}`, {
      token: tenant.owner.token,
    })
  ).body;
}

/** Each project's stored agent count against the agents stored with its id: they must be equal. */
async function countsAgainstItems(tenantId: string): Promise<Array<{ counted: number; items: number }>> {
  const items = await table.send(
    new QueryCommand({
      TableName: twin.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `TENANT#${tenantId}` },
      ConsistentRead: true,
    }),
  );
  const all = items.Items ?? [];
  return all
    .filter((item) => String(item.sk).startsWith('PROJECT#'))
    .map((item) => ({
      counted: Number(item.agentCount),
      items: all.filter(
        (agent) => String(agent.sk).startsWith('AGENT#') && agent.projectId === item.projectId,
      ).length,
    }));
}

describe('projects', () => {
  it('groups agents: created in, moved between and out of projects, each count equal to its agents, audited', async () => {
    const tenant = await createTenant();
    const support = await newProject(tenant, 'Support');
    const sales = await newProject(tenant, 'Sales');
    const a = await newAgent(tenant, support.id);
    const b = await newAgent(tenant, support.id);
    const loose = await newAgent(tenant);
    expect(a.projectId).toBe(support.id);
    expect(loose.projectId).toBeNull();
    expect((await project(tenant, support.id)).agentCount).toBe(2);

    const moved = await call<Agent>('PATCH', `/v1/tenants/${tenant.id}/agents/${b.id}`, {
      token: tenant.owner.token,
      body: { projectId: sales.id },
    });
    expect(moved.body.projectId).toBe(sales.id);
    const out = await call<Agent>('PATCH', `/v1/tenants/${tenant.id}/agents/${a.id}`, {
      token: tenant.owner.token,
      body: { projectId: null },
    });
    expect(out.body.projectId).toBeNull();
    expect((await project(tenant, support.id)).agentCount).toBe(0);
    expect((await project(tenant, sales.id)).agentCount).toBe(1);

    // The console's filter: the agents of one project.
    const ofSales = await call<{ items: Agent[] }>(
      'GET',
      `/v1/tenants/${tenant.id}/agents?projectId=${sales.id}`,
      { token: tenant.owner.token },
    );
    expect(ofSales.body.items.map((agent) => agent.id)).toEqual([b.id]);

    // Deleting the agent takes it out of its project's count.
    expect(
      (await call('DELETE', `/v1/tenants/${tenant.id}/agents/${b.id}`, { token: tenant.owner.token })).status,
    ).toBe(204);
    expect((await project(tenant, sales.id)).agentCount).toBe(0);
    expect(await countsAgainstItems(tenant.id)).toEqual([
      { counted: 0, items: 0 },
      { counted: 0, items: 0 },
    ]);

    const actions = (await storedAuditEvents(tenant.id)).map((event) => event.action);
    expect(actions.filter((action) => action === 'project.created')).toHaveLength(2);
    const move = (await storedAuditEvents(tenant.id)).find(
      (event) => event.action === 'agent.updated' && event.targetId === b.id,
    );
    expect(move).toMatchObject({ before: { projectId: support.id }, after: { projectId: sales.id } });
  });

  it('counts each project’s completed runs and their tokens this month, and records a moved agent’s new project', async () => {
    const tenant = await createTenant();
    const target = await newProject(tenant);
    const agent = await newAgent(tenant);
    const base = `/v1/tenants/${tenant.id}`;
    const start = () =>
      call<{ id: string; projectId: string | null }>('POST', `${base}/agents/${agent.id}/runs`, {
        token: tenant.owner.token,
        body: {},
      });
    // The runs function now remembers the agent in no project…
    const before = await start();
    expect(before.body.projectId).toBeNull();
    // …and the agents function moves it: the next run finds the move and records the project.
    await call('PATCH', `${base}/agents/${agent.id}`, {
      token: tenant.owner.token,
      body: { projectId: target.id },
    });
    const after = await start();
    expect(after.status, after.text).toBe(201);
    expect(after.body.projectId).toBe(target.id);
    for (const [run, tokens] of [
      [before.body.id, 100],
      [after.body.id, 250],
    ] as const) {
      const done = await call('POST', `${base}/runs/${run}/complete`, {
        token: tenant.owner.token,
        body: { status: 'succeeded', tokensUsed: tokens },
      });
      expect(done.status).toBe(200);
    }
    // Only the run that started in the project counts for it; the tenant's tokens count both.
    const usage = (await project(tenant, target.id)) as Project & { usage: { runs: number; tokens: number } };
    expect(usage.usage).toMatchObject({ runs: 1, tokens: 250 });
    const listed = await call<{ items: Array<{ id: string; usage: { runs: number; tokens: number } }> }>(
      'GET',
      `${base}/projects`,
      { token: tenant.owner.token },
    );
    expect(listed.body.items.find((item) => item.id === target.id)?.usage).toMatchObject({
      runs: 1,
      tokens: 250,
    });
    const ofProject = await call<{ items: Array<{ id: string }> }>(
      'GET',
      `${base}/runs?projectId=${target.id}`,
      {
        token: tenant.owner.token,
      },
    );
    expect(ofProject.body.items.map((run) => run.id)).toEqual([after.body.id]);
  });

  it('refuses to delete a project with agents, and deletes it once they are gone, giving its quota back', async () => {
    const tenant = await createTenant();
    const kept = await newProject(tenant);
    const agent = await newAgent(tenant, kept.id);
    expect(await quotaUsed(tenant, 'projects')).toBe(1);
    const refused = await call('DELETE', `/v1/tenants/${tenant.id}/projects/${kept.id}`, {
      token: tenant.owner.token,
    });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'project_not_empty', agentCount: 1 });
    expect((await project(tenant, kept.id)).agentCount).toBe(1);
    // The positive control: emptied, it goes.
    await call('PATCH', `/v1/tenants/${tenant.id}/agents/${agent.id}`, {
      token: tenant.owner.token,
      body: { projectId: null },
    });
    const deleted = await call('DELETE', `/v1/tenants/${tenant.id}/projects/${kept.id}`, {
      token: tenant.owner.token,
    });
    expect(deleted.status).toBe(204);
    expect(await quotaUsed(tenant, 'projects')).toBe(0);
    expect(await countItems(tenant.id, 'PROJECT#')).toBe(0);
    // An agent cannot join a project that is gone.
    const late = await call('POST', `/v1/tenants/${tenant.id}/agents`, {
      token: tenant.owner.token,
      body: { name: 'Late', model: 'claude-sonnet', projectId: kept.id },
    });
    expect(late.status).toBe(404);
    expect(late.body).toMatchObject({ code: 'project_not_found' });
    expect(await quotaUsed(tenant, 'agents')).toBe(1);
  });

  it('counts projects against the plan: the Free plan’s one, then 403 naming the upgrade', async () => {
    const tenant = await createTenant({ plan: 'free' });
    const limit = PLANS.free.limits.projects ?? 0;
    for (let n = 0; n < limit; n += 1) await newProject(tenant);
    const refused = await call('POST', `/v1/tenants/${tenant.id}/projects`, {
      token: tenant.owner.token,
      body: { name: 'One too many' },
    });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({
      code: 'quota_exceeded',
      resource: 'projects',
      limit,
      used: limit,
      upgrade: { plan: 'starter', limit: PLANS.starter.limits.projects },
    });
    expect(await countItems(tenant.id, 'PROJECT#')).toBe(limit);
  });

  it('admits exactly the limit when creates race, the counter equal to the projects', async () => {
    const tenant = await createTenant({ plan: 'starter' });
    const limit = PLANS.starter.limits.projects ?? 0;
    const answers = await Promise.all(
      Array.from({ length: limit + 4 }, (_, n) =>
        call('POST', `/v1/tenants/${tenant.id}/projects`, {
          token: tenant.owner.token,
          body: { name: `Racer ${n}` },
        }),
      ),
    );
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 201)).toHaveLength(limit);
    expect(statuses.filter((status) => status !== 201).every((status) => status === 403)).toBe(true);
    expect(await countItems(tenant.id, 'PROJECT#')).toBe(limit);
    expect(await quotaUsed(tenant, 'projects')).toBe(limit);
  });

  it('never leaves an agent in a deleted project when agents join while it is deleted', async () => {
    const tenant = await createTenant();
    for (let round = 0; round < 3; round += 1) {
      const target = await newProject(tenant);
      const [deleted, ...joins] = await Promise.all([
        call('DELETE', `/v1/tenants/${tenant.id}/projects/${target.id}`, { token: tenant.owner.token }),
        ...Array.from({ length: 4 }, () =>
          call<Agent>('POST', `/v1/tenants/${tenant.id}/agents`, {
            token: tenant.owner.token,
            body: { name: unique('Joiner'), model: 'claude-sonnet', projectId: target.id },
          }),
        ),
      ]);
      const joined = joins.filter((answer) => answer.status === 201).length;
      // Each answer is one of the two outcomes, and they agree with each other.
      for (const answer of joins) expect([201, 404]).toContain(answer.status);
      expect([204, 409]).toContain(deleted?.status);
      if (deleted?.status === 204) expect(joined).toBe(0);
      else
        expect(deleted?.body).toMatchObject({
          code: expect.stringMatching(/project_not_empty|concurrent_modification/),
        });
    }
    // Every project's count equals its agents, and every agent's project exists.
    for (const { counted, items } of await countsAgainstItems(tenant.id)) expect(counted).toBe(items);
    const agents = await call<{ items: Agent[] }>('GET', `/v1/tenants/${tenant.id}/agents?limit=100`, {
      token: tenant.owner.token,
    });
    const projects = await call<{ items: Project[] }>('GET', `/v1/tenants/${tenant.id}/projects`, {
      token: tenant.owner.token,
    });
    const live = new Set(projects.body.items.map((item) => item.id));
    for (const agent of agents.body.items) if (agent.projectId) expect(live.has(agent.projectId)).toBe(true);
    expect(await quotaUsed(tenant, 'agents')).toBe(agents.body.items.length);
    expect(await quotaUsed(tenant, 'projects')).toBe(projects.body.items.length);
  });

  it('refuses bad input with 4xx and changes nothing', async () => {
    const tenant = await createTenant();
    const before = await countItems(tenant.id, 'PROJECT#');
    for (const body of [
      {},
      { name: '' },
      { name: 'x'.repeat(101) },
      { name: 'ok', agentCount: 5 },
      { name: 'a\u0007b' },
    ]) {
      const refused = await call('POST', `/v1/tenants/${tenant.id}/projects`, {
        token: tenant.owner.token,
        body,
      });
      expect(refused.status, JSON.stringify(body)).toBe(400);
      expect(refused.headers.get('content-type')).toBe('application/problem+json');
    }
    const badId = await call('POST', `/v1/tenants/${tenant.id}/agents`, {
      token: tenant.owner.token,
      body: { name: 'Agent', model: 'claude-sonnet', projectId: 'agt_01AAAAAAAAAAAAAAAAAAAAAAAA' },
    });
    expect(badId.status).toBe(400);
    expect(await countItems(tenant.id, 'PROJECT#')).toBe(before);
    expect(await quotaUsed(tenant, 'agents')).toBe(0);
  });
});

describe('API keys limited to a project', () => {
  async function setUp() {
    const tenant = await createTenant();
    const mine = await newProject(tenant, 'Mine');
    const theirs = await newProject(tenant, 'Theirs');
    const myAgent = await newAgent(tenant, mine.id);
    const theirAgent = await newAgent(tenant, theirs.id);
    const looseAgent = await newAgent(tenant);
    const key = await call<{ id: string; secret: string; projectId: string }>(
      'POST',
      `/v1/tenants/${tenant.id}/api-keys`,
      {
        token: tenant.owner.token,
        body: {
          name: 'Mine only',
          scopes: ['projects:read', 'agents:read', 'agents:write', 'runs:read', 'runs:write'],
          projectId: mine.id,
        },
      },
    );
    expect(key.status, key.text).toBe(201);
    expect(key.body.projectId).toBe(mine.id);
    return { tenant, mine, theirs, myAgent, theirAgent, looseAgent, secret: key.body.secret };
  }

  it('reaches its project’s agents and their memory, and creates agents there', async () => {
    const { tenant, mine, myAgent, secret } = await setUp();
    const base = `/v1/tenants/${tenant.id}`;
    const listed = await call<{ items: Agent[] }>('GET', `${base}/agents`, { token: secret });
    expect(listed.body.items.map((agent) => agent.id)).toEqual([myAgent.id]);
    expect((await call('GET', `${base}/agents/${myAgent.id}`, { token: secret })).status).toBe(200);
    const made = await newAgent(tenant, undefined, secret);
    expect(made.projectId).toBe(mine.id);
    const memory = await call<{ id: string }>('POST', `${base}/agents/${myAgent.id}/memory`, {
      token: secret,
      body: { kind: 'text', content: 'ours' },
    });
    expect(memory.status).toBe(201);
    expect(
      (await call('GET', `${base}/agents/${myAgent.id}/memory/${memory.body.id}`, { token: secret })).status,
    ).toBe(200);
    const projects = await call<{ items: Project[] }>('GET', `${base}/projects`, { token: secret });
    expect(projects.body.items.map((item) => item.id)).toEqual([mine.id]);
    expect((await project(tenant, mine.id)).agentCount).toBe(2);
    // Its runs: started, read, completed, listed.
    const run = await call<{ id: string; projectId: string }>('POST', `${base}/agents/${myAgent.id}/runs`, {
      token: secret,
      body: {},
    });
    expect(run.status, run.text).toBe(201);
    expect(run.body.projectId).toBe(mine.id);
    expect((await call('GET', `${base}/runs/${run.body.id}`, { token: secret })).status).toBe(200);
    const done = await call('POST', `${base}/runs/${run.body.id}/complete`, {
      token: secret,
      body: { status: 'succeeded', tokensUsed: 10 },
    });
    expect(done.status).toBe(200);
    const runs = await call<{ items: Array<{ id: string }> }>('GET', `${base}/runs`, { token: secret });
    expect(runs.body.items.map((item) => item.id)).toEqual([run.body.id]);
  });

  it('finds nothing of another project or of the tenant at large, and reaches no other route', async () => {
    const { tenant, theirs, theirAgent, looseAgent, myAgent, secret } = await setUp();
    const base = `/v1/tenants/${tenant.id}`;
    for (const agent of [theirAgent, looseAgent]) {
      const read = await call('GET', `${base}/agents/${agent.id}`, { token: secret });
      expect(read.status).toBe(404);
      expect(read.body).toMatchObject({ code: 'agent_not_found' });
      const stored = await call('POST', `${base}/agents/${agent.id}/memory`, {
        token: secret,
        body: { kind: 'text', content: 'not ours' },
      });
      expect(stored.status).toBe(404);
      expect((await call('DELETE', `${base}/agents/${agent.id}`, { token: secret })).status).toBe(404);
      const started = await call('POST', `${base}/agents/${agent.id}/runs`, { token: secret, body: {} });
      expect(started.status).toBe(404);
      expect(started.body).toMatchObject({ code: 'agent_not_found' });
    }
    // Another project's run, started by the owner: not found, and not listed.
    const theirRun = await call<{ id: string }>('POST', `${base}/agents/${theirAgent.id}/runs`, {
      token: tenant.owner.token,
      body: {},
    });
    expect((await call('GET', `${base}/runs/${theirRun.body.id}`, { token: secret })).status).toBe(404);
    const completing = await call('POST', `${base}/runs/${theirRun.body.id}/complete`, {
      token: secret,
      body: { status: 'failed', tokensUsed: 0 },
    });
    expect(completing.status).toBe(404);
    const listed = await call<{ items: unknown[] }>('GET', `${base}/runs`, { token: secret });
    expect(listed.body.items).toEqual([]);
    expect((await call('GET', `${base}/projects/${theirs.id}`, { token: secret })).status).toBe(404);
    // Its own agent cannot be taken out of the project, nor put in another.
    for (const projectId of [null, theirs.id]) {
      const moved = await call('PATCH', `${base}/agents/${myAgent.id}`, {
        token: secret,
        body: { projectId },
      });
      expect(moved.status).toBe(404);
      expect(moved.body).toMatchObject({ code: 'project_not_found' });
    }
    const elsewhere = await call('POST', `${base}/agents`, {
      token: secret,
      body: { name: 'Elsewhere', model: 'claude-sonnet', projectId: theirs.id },
    });
    expect(elsewhere.status).toBe(404);
    for (const path of [`${base}/users`, `${base}/quotas`, `${base}/audit-logs`, `${base}/api-keys`]) {
      const refused = await call('GET', path, { token: secret });
      expect(refused.status, path).toBe(403);
      expect(refused.body).toMatchObject({ code: 'project_key_not_allowed' });
    }
    expect((await project(tenant, theirs.id)).agentCount).toBe(1);
    // The positive control: a whole-tenant key with the same scopes reaches them all.
    const whole = await createApiKey(tenant, ['projects:read', 'agents:read', 'agents:write']);
    for (const agent of [theirAgent, looseAgent])
      expect((await call('GET', `${base}/agents/${agent.id}`, { token: whole.secret })).status).toBe(200);
    const wholeRuns = await createApiKey(tenant, ['runs:read']);
    expect((await call('GET', `${base}/runs/${theirRun.body.id}`, { token: wholeRuns.secret })).status).toBe(
      200,
    );
    expect((await call('GET', `${base}/projects/${theirs.id}`, { token: whole.secret })).status).toBe(200);
  });

  it('is made only for a project of the tenant, with the scopes its routes use', async () => {
    const tenant = await createTenant();
    const other = await createTenant();
    const foreign = await newProject(other);
    const own = await newProject(tenant);
    const keys = (body: object) =>
      call('POST', `/v1/tenants/${tenant.id}/api-keys`, { token: tenant.owner.token, body });
    const wrongScope = await keys({ name: 'k', scopes: ['users:read'], projectId: own.id });
    expect(wrongScope.status).toBe(400);
    const foreignProject = await keys({ name: 'k', scopes: ['agents:read'], projectId: foreign.id });
    expect(foreignProject.status).toBe(404);
    expect(foreignProject.body).toMatchObject({ code: 'project_not_found' });
    expect(await quotaUsed(tenant, 'apiKeys')).toBe(0);
    // The positive control.
    expect((await keys({ name: 'k', scopes: ['agents:read'], projectId: own.id })).status).toBe(201);
  });
});
