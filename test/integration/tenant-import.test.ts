import { PLANS } from '../../shared/model/plans';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { pngOf } from '../helpers/images';
import {
  adminToken,
  call,
  unique,
  createResources,
  createTenant,
  exportOf,
  type TestTenant,
} from '../helpers/twin-api';

interface Report {
  format: string;
  imported: Record<string, number>;
  alreadyThere: Record<string, number>;
  skipped: Record<string, number>;
}

const importInto = async (tenant: TestTenant, file: string, token?: string) =>
  call<Report>('POST', `/v1/tenants/${tenant.id}/import`, {
    token: token ?? (await adminToken()),
    body: { file },
  });
const used = async (tenant: TestTenant, resource: string) =>
  (
    await call<{ quotas: Array<{ resource: string; used: number }> }>(
      'GET',
      `/v1/tenants/${tenant.id}/quotas`,
      {
        token: tenant.owner.token,
      },
    )
  ).body.quotas.find((line) => line.resource === resource)?.used;
const agentIds = async (tenant: TestTenant) =>
  (
    await call<{ items: Array<{ id: string }> }>('GET', `/v1/tenants/${tenant.id}/agents?limit=100`, {
      token: tenant.owner.token,
    })
  ).body.items
    .map((agent) => agent.id)
    .sort();

/** Imports: a tenant restored from its own export into a new one, and data from a single-tenant system. */
describe('importing a tenant’s data', () => {
  it('restores a tenant from its own export into a new tenant, idempotently, counters from the items', async () => {
    const source = await createTenant();
    const ids = await createResources(source, { project: true });
    // The agent in the project: both come back, the project counting it.
    await call('PATCH', `/v1/tenants/${source.id}/agents/${ids.agentId}`, {
      token: source.owner.token,
      body: { projectId: ids.projectId },
    });
    await call('PATCH', `/v1/tenants/${source.id}/profile`, {
      token: source.owner.token,
      body: { displayName: 'Source Ltd', primaryColor: '#1d4ed8' },
    });
    await call('PUT', `/v1/tenants/${source.id}/profile/logo`, {
      token: source.owner.token,
      body: { contentType: 'image/png', data: pngOf(24, 24).toString('base64') },
    });
    const exported = await exportOf(source);
    const file = gunzipSync(
      Buffer.from(await (await fetch(exported.downloadUrl ?? '')).arrayBuffer()),
    ).toString('utf8');
    const target = await createTenant();
    const first = await importInto(target, file);
    expect(first.status, first.text).toBe(200);
    expect(first.body).toMatchObject({
      format: 'tenantry-export/1',
      imported: { project: 1, agent: 1, run: 1, memoryItem: 1, tenantLogo: 1, tenant: 1 },
    });
    const project = await call<{ agentCount: number }>(
      'GET',
      `/v1/tenants/${target.id}/projects/${ids.projectId}`,
      { token: target.owner.token },
    );
    expect(project.body.agentCount).toBe(1);
    const agent = await call<{ projectId: string }>('GET', `/v1/tenants/${target.id}/agents/${ids.agentId}`, {
      token: target.owner.token,
    });
    expect(agent.body.projectId).toBe(ids.projectId);
    expect(await used(target, 'projects')).toBe(1);
    // What an export cannot carry is counted, not lost silently.
    expect(first.body.skipped).toMatchObject({ apiKey: 1, membership: 1, customDomain: 1 });
    expect(await agentIds(target)).toEqual([ids.agentId]);
    const memory = await call(
      `GET`,
      `/v1/tenants/${target.id}/agents/${ids.agentId}/memory/${ids.memoryId}`,
      {
        token: target.owner.token,
      },
    );
    expect(memory.status, memory.text).toBe(200);
    expect(
      (await call('GET', `/v1/tenants/${target.id}/runs/${ids.runId}`, { token: target.owner.token })).status,
    ).toBe(200);
    const profile = await call<{ displayName: string; logo: { width: number } | null }>(
      'GET',
      `/v1/tenants/${target.id}/profile`,
      { token: target.owner.token },
    );
    expect(profile.body).toMatchObject({ displayName: 'Source Ltd', logo: { width: 24 } });
    expect(await used(target, 'agents')).toBe(1);
    const storage = await used(target, 'storageBytes');
    expect(storage).toBe(await used(source, 'storageBytes'));

    // Again: nothing new, nothing twice, the counters as they were.
    const again = await importInto(target, file);
    expect(again.body.alreadyThere).toMatchObject({ agent: 1, run: 1, memoryItem: 1, tenantLogo: 1 });
    expect(again.body.imported.agent).toBeUndefined();
    expect(await agentIds(target)).toEqual([ids.agentId]);
    expect(await used(target, 'agents')).toBe(1);
    expect(await used(target, 'storageBytes')).toBe(storage);

    // Not into a tenant with agents of its own: the source itself has one the file does not… and one it does.
    const other = await createTenant();
    await createResources(other);
    const refused = await importInto(other, file);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'import_target_not_empty' });
  });

  it('loads the NDJSON format of a single-tenant system, line by line, refusing a bad line whole', async () => {
    const target = await createTenant();
    const file = [
      '{"format":"tenantry-import/1"}',
      '{"type":"agent","ref":"support","name":"Support","model":"claude-sonnet","description":"Answers tickets"}',
      '{"type":"agent","ref":"triage","name":"Triage","model":"claude-haiku"}',
      '{"type":"memory","ref":"tone","agent":"support","kind":"text","content":"Be brief."}',
      '{"type":"memory","ref":"faq","agent":"support","kind":"json","content":{"q":"refunds","a":"30 days"}}',
    ].join('\n');
    const first = await importInto(target, file);
    expect(first.status, first.text).toBe(200);
    expect(first.body.imported).toEqual({ agent: 2, memoryItem: 2 });
    const agents = await agentIds(target);
    expect(agents).toHaveLength(2);
    expect(await used(target, 'agents')).toBe(2);
    expect(await used(target, 'storageBytes')).toBe(
      Buffer.byteLength('Be brief.') + Buffer.byteLength(JSON.stringify({ q: 'refunds', a: '30 days' })),
    );
    // The same file again: the same ids, nothing added.
    const again = await importInto(target, file);
    expect(again.body.alreadyThere).toEqual({ agent: 2, memoryItem: 2 });
    expect(await agentIds(target)).toEqual(agents);

    const fresh = await createTenant();
    for (const [bad, line] of [
      [`${file}\n{"type":"memory","ref":"x","agent":"nobody","kind":"text","content":"?"}`, 6],
      [`${file}\nnot json`, 6],
      ['{"format":"something-else/9"}', 1],
      [file.replace('"model":"claude-haiku"', '"model":""'), 3],
    ] as const) {
      const refused = await importInto(fresh, bad);
      expect(refused.status, refused.text).toBe(400);
      expect(refused.body).toMatchObject({ code: 'import_invalid' });
      expect(String((refused.body as { detail?: string }).detail)).toContain(`Line ${line}`);
    }
    expect(await agentIds(fresh)).toEqual([]);
  });

  it('is for platform admins only, and stays within the plan', async () => {
    const target = await createTenant();
    const file = '{"format":"tenantry-import/1"}\n{"type":"agent","ref":"a","name":"A","model":"m"}';
    const owner = await importInto(target, file, target.owner.token);
    expect(owner.status).toBe(403);
    // The positive control: the platform admin.
    expect((await importInto(target, file)).status).toBe(200);
    const free = await createTenant({ plan: 'free' });
    const many = [
      '{"format":"tenantry-import/1"}',
      // One agent more than the Free plan allows.
      ...Array.from({ length: (PLANS.free.limits.agents ?? 0) + 1 }, (_, n) => `agent-${n}`).map(
        (ref) => `{"type":"agent","ref":"${ref}","name":"${ref}","model":"m"}`,
      ),
    ].join('\n');
    const over = await importInto(free, many);
    expect(over.status).toBe(409);
    expect(over.body).toMatchObject({ code: 'import_exceeds_plan' });
    expect(await agentIds(free)).toEqual([]);
  });

  it('runs from a file with npm run tenant:import, into a tenant it makes, gzipped as exports are', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tenantry-import-'));
    const path = join(dir, 'data.ndjson.gz');
    writeFileSync(
      path,
      gzipSync(
        [
          '{"format":"tenantry-import/1"}',
          '{"type":"agent","ref":"cli","name":"From the CLI","model":"m"}',
        ].join('\n'),
      ),
    );
    const slug = unique('cli');
    const owner = `${slug}@example.test`;
    const root = join(import.meta.dirname, '..', '..');
    const { stdout } = await promisify(execFile)(
      join(root, 'node_modules', '.bin', 'tsx'),
      [join(root, 'infra', 'tools', 'tenant-import.ts'), path, '--new', 'From CLI', slug, owner],
      // No endpoints file there: the command runs against the environment's deployment (this twin).
      { cwd: root, env: { ...process.env, TENANTRY_DATA_DIR: dir } },
    );
    const printed = JSON.parse(stdout) as { tenantId: string; imported: Record<string, number> };
    expect(printed.imported).toEqual({ agent: 1 });
    const made = await call<{ slug: string }>('GET', `/v1/tenants/${printed.tenantId}`, {
      token: await adminToken(),
    });
    expect(made.body.slug).toBe(slug);
    const agents = await call<{ items: Array<{ name: string }> }>(
      'GET',
      `/v1/tenants/${printed.tenantId}/agents`,
      {
        token: await adminToken(),
      },
    );
    expect(agents.body.items.map((agent) => agent.name)).toEqual(['From the CLI']);
  });
});
