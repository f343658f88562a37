import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { exportedItem, EXPORT_FORMAT } from '../../shared/exports/export-writer';
import {
  addUser,
  adminToken,
  call,
  createApiKey,
  createResources,
  createTenant,
  exportOf,
  inbox,
  partitionItems,
  type TestTenant,
} from '../helpers/twin-api';

type Line = { type: string; data: Record<string, unknown> };

/** Follows an export through the table (no API call, so nothing is metered meanwhile). */
async function settled(tenantId: string, exportId: string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const record = (await partitionItems(tenantId)).find((item) => item.sk === `EXPORT#${exportId}`);
    if (record?.status === 'completed' || record?.status === 'failed') return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('the export did not finish');
}

async function download(url: string): Promise<{ header: Record<string, unknown>; lines: Line[] }> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  const text = gunzipSync(Buffer.from(await response.arrayBuffer())).toString('utf8');
  const [header, ...lines] = text
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { header: header ?? {}, lines: lines as Line[] };
}

/** Items whose counts move with every request: the same item, compared by what it is, not its values. */
const MOVING = new Set(['quotaCounter', 'usageBucket', 'tenantExport']);
const identity = (line: Line) =>
  MOVING.has(line.type)
    ? JSON.stringify([line.type, line.data.resource, line.data.period, line.data.hour, line.data.exportId])
    : JSON.stringify([line.type, line.data]);

describe('exporting a tenant', () => {
  async function richTenant(): Promise<TestTenant> {
    const tenant = await createTenant();
    await createResources(tenant);
    await addUser(tenant, 'member');
    await createApiKey(tenant, ['agents:read']);
    const secret = await call('PUT', `/v1/tenants/${tenant.id}/secrets/webhookSigningSecret`, {
      token: tenant.owner.token,
      body: { value: 'whsec_do_not_export_me' },
    });
    expect(secret.status).toBe(200);
    return tenant;
  }

  it('writes everything the tenant owns as gzipped NDJSON, read back whole, without its secrets', async () => {
    const tenant = await richTenant();
    const started = await call<{ id: string; status: string }>('POST', `/v1/tenants/${tenant.id}/exports`, {
      token: tenant.owner.token,
      headers: { 'idempotency-key': `export-${tenant.id}` },
    });
    expect(started.status).toBe(202);
    expect(started.body.status).toBe('pending');
    await settled(tenant.id, started.body.id);
    const stored = await partitionItems(tenant.id);

    const seen = await call<{ status: string; itemCount: number; downloadUrl: string }>(
      'GET',
      `/v1/tenants/${tenant.id}/exports/${started.body.id}`,
      { token: tenant.owner.token },
    );
    expect(seen.body.status).toBe('completed');
    const { header, lines } = await download(seen.body.downloadUrl);
    expect(header).toMatchObject({ format: EXPORT_FORMAT, tenantId: tenant.id, exportId: started.body.id });
    expect(lines).toHaveLength(seen.body.itemCount);

    const expected = stored.map(exportedItem).filter((line): line is Line => line !== null);
    const exported = new Set(lines.map(identity));
    expect(expected.map(identity).filter((line) => !exported.has(line))).toEqual([]);
    expect(new Set(lines.map((line) => line.type))).toEqual(
      new Set([
        'tenant',
        'membership',
        'agent',
        'run',
        'memoryItem',
        'apiKey',
        'secretSetting',
        'auditEvent',
        'quotaCounter',
        'usageBucket',
        'tenantExport',
        'webhookEndpoint',
        'customDomain',
      ]),
    );
    // What was stored for idempotent replays, secrets and their hashes stay behind.
    expect(stored.some((item) => item.__edb_e__ === 'idempotencyRecord')).toBe(true);
    const file = JSON.stringify(lines);
    expect(file).not.toContain('whsec_do_not_export_me');
    expect(file).not.toContain('ciphertext');
    expect(file).not.toContain('secretHash');
    const hashes = stored
      .filter((item) => item.__edb_e__ === 'apiKey')
      .map((item) => String(item.secretHash));
    for (const hash of hashes) expect(file).not.toContain(hash);
    expect((await inbox(tenant.owner.email, { subject: 'Your export is ready' })).length).toBe(1);
  });

  it('serves the file only through an unexpired, untampered link', async () => {
    const tenant = await createTenant();
    const done = await exportOf(tenant);
    const url = new URL(done.downloadUrl ?? '');
    const tampered = new URL(url);
    tampered.searchParams.set('signature', `${url.searchParams.get('signature')?.slice(0, -2)}xx`);
    expect((await fetch(tampered)).status).toBe(403);
    const stretched = new URL(url);
    stretched.searchParams.set('expires', String(Number(url.searchParams.get('expires')) + 3600));
    expect((await fetch(stretched)).status).toBe(403);
    const otherFile = new URL(url);
    otherFile.pathname = otherFile.pathname.replace(tenant.id, 'ten_01AAAAAAAAAAAAAAAAAAAAAAAA');
    expect((await fetch(otherFile)).status).toBe(403);
    // Positive control: the link as given.
    expect((await fetch(url)).status).toBe(200);
  });

  it('lets owners and admins export, not members; one export at a time', async () => {
    const tenant = await createTenant();
    const [admin, member] = [await addUser(tenant, 'admin'), await addUser(tenant, 'member')];
    const refused = await call('POST', `/v1/tenants/${tenant.id}/exports`, { token: member.token });
    expect(refused.body).toMatchObject({ code: 'permission_denied' });
    expect((await exportOf(tenant, admin.token)).status).toBe('completed');
    // A pending export holds the next one back.
    const { TenantExportEntity } = await import('../../shared/data/entities/tenant-export');
    const { platformDocumentClient } = await import('../../shared/data/clients');
    await TenantExportEntity.create({
      tenantId: tenant.id,
      exportId: 'exp_01AAAAAAAAAAAAAAAAAAAAAAAA',
      status: 'pending',
      requestedBy: admin.id,
      requestedAt: new Date().toISOString(),
      objectKey: 'held',
      expiresAt: Math.floor(Date.now() / 1000) + 3600,
    }).go({ client: platformDocumentClient });
    const held = await call('POST', `/v1/tenants/${tenant.id}/exports`, { token: tenant.owner.token });
    expect(held.status).toBe(409);
    expect(held.body).toMatchObject({ code: 'export_in_progress' });
    const listed = await call<{ items: Array<{ id: string; downloadUrl: string | null }> }>(
      'GET',
      `/v1/tenants/${tenant.id}/exports`,
      { token: tenant.owner.token },
    );
    expect(listed.body.items).toHaveLength(2);
    expect(listed.body.items.every((item) => item.downloadUrl === null)).toBe(true);
  });

  it('stays open to the owner while the tenant is suspended or deleted', async () => {
    const tenant = await createTenant();
    await call('POST', `/v1/tenants/${tenant.id}/suspend`, {
      token: await adminToken(),
      body: { reason: 'Test' },
    });
    expect((await exportOf(tenant)).status).toBe('completed');
    const deleted = await call('DELETE', `/v1/tenants/${tenant.id}`, {
      token: tenant.owner.token,
      body: { confirm: tenant.slug },
    });
    expect(deleted.status).toBe(200);
    const last = await exportOf(tenant);
    expect(last.status).toBe('completed');
    const { lines } = await download(last.downloadUrl ?? '');
    expect(lines.find((line) => line.type === 'tenant')?.data).toMatchObject({ status: 'deleted' });
  });
});
