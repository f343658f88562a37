import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { AdminGetUserCommand } from '@aws-sdk/client-cognito-identity-provider';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { TenantDeletionEntity } from '../../shared/data/entities/tenant-deletion';
import { platformDocumentClient } from '../../shared/data/clients';
import { processTenantJob } from '../../shared/jobs/tenant-job-worker';
import {
  addUser,
  adminToken,
  call,
  cognito,
  createApiKey,
  createResources,
  createTenant,
  exportOf,
  OWNER_SCOPES,
  table,
  twin,
  type TestTenant,
} from '../helpers/twin-api';

const DAY = 86_400_000;

function remove(tenant: TestTenant, token = tenant.owner.token, confirm = tenant.slug) {
  return call<{ status: string; deletedAt: string; purgeAfter: string }>(
    'DELETE',
    `/v1/tenants/${tenant.id}`,
    {
      token,
      body: { confirm },
    },
  );
}

/** Every item in the table that names the tenant anywhere, but the platform's deletion record. */
async function itemsOf(tenantId: string): Promise<Array<Record<string, unknown>>> {
  const found: Array<Record<string, unknown>> = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await table.send(
      new ScanCommand({ TableName: twin.tableName, ...(start ? { ExclusiveStartKey: start } : {}) }),
    );
    for (const item of page.Items ?? []) {
      if (item.pk === 'PLATFORM#DELETED_TENANTS') continue;
      if (JSON.stringify(item).includes(tenantId)) found.push(item);
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return found;
}

async function signInExists(username: string): Promise<boolean> {
  try {
    await cognito.send(new AdminGetUserCommand({ UserPoolId: twin.userPoolId, Username: username }));
    return true;
  } catch (error) {
    if ((error as { name?: string }).name === 'UserNotFoundException') return false;
    throw error;
  }
}

function purge(tenantId: string, now: Date) {
  return processTenantJob({ job: 'tenant-purge', tenantId, period: now.toISOString().slice(0, 10) }, now);
}

describe('deleting a tenant', () => {
  it('needs the tenant’s slug and an owner; a wrong slug or an admin changes nothing', async () => {
    const tenant = await createTenant();
    const admin = await addUser(tenant, 'admin');
    const byAdmin = await remove(tenant, admin.token);
    expect(byAdmin.status).toBe(403);
    expect(byAdmin.body).toMatchObject({ code: 'permission_denied' });
    const wrongSlug = await remove(tenant, tenant.owner.token, 'not-its-slug');
    expect(wrongSlug.status).toBe(400);
    expect(wrongSlug.body).toMatchObject({ code: 'confirmation_mismatch' });
    const noBody = await call('DELETE', `/v1/tenants/${tenant.id}`, { token: tenant.owner.token });
    expect(noBody.status).toBe(400);
    const current = await call('GET', `/v1/tenants/${tenant.id}`, { token: tenant.owner.token });
    expect(current.body).toMatchObject({ status: 'active', deletedAt: null, purgeAfter: null });

    // Positive control: the owner, with the slug.
    const before = Date.now();
    const deleted = await remove(tenant);
    expect(deleted.status, deleted.text).toBe(200);
    expect(deleted.body.status).toBe('deleted');
    const purgeAfter = Date.parse(deleted.body.purgeAfter);
    expect(purgeAfter).toBeGreaterThanOrEqual(before + 30 * DAY - 1000);
    expect(purgeAfter).toBeLessThanOrEqual(Date.now() + 30 * DAY);
  });

  it('ends every member’s and key’s access at once, but for reading the tenant; other tenants go on', async () => {
    const tenant = await createTenant();
    const other = await createTenant();
    const member = await addUser(tenant, 'member');
    const key = await createApiKey(tenant, ['agents:read', 'tenant:read']);
    for (const token of [tenant.owner.token, member.token, key.secret]) {
      expect((await call('GET', `/v1/tenants/${tenant.id}/agents`, { token })).status).toBe(200);
    }
    expect((await remove(tenant)).status).toBe(200);

    for (const token of [tenant.owner.token, member.token, key.secret]) {
      const refused = await call('GET', `/v1/tenants/${tenant.id}/agents`, { token });
      expect(refused.status).toBe(403);
      expect(refused.body).toMatchObject({ code: 'tenant_deleted' });
    }
    const read = await call('GET', '/v1/tenants/current', { token: tenant.owner.token });
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ id: tenant.id, status: 'deleted' });
    // A key is refused even the routes the owners keep (reading, restoring, exporting).
    const byKey = await call('GET', `/v1/tenants/${tenant.id}`, { token: key.secret });
    expect(byKey.status).toBe(403);
    expect(byKey.body).toMatchObject({ code: 'tenant_deleted' });
    // A platform admin cannot change a deleted tenant either: it is restored first.
    const plan = await call('PUT', `/v1/tenants/${tenant.id}/plan`, {
      token: await adminToken(),
      body: { plan: 'enterprise' },
    });
    expect(plan.status).toBe(409);
    expect(plan.body).toMatchObject({ code: 'tenant_deleted' });
    // Positive control: another tenant is untouched.
    expect((await call('GET', `/v1/tenants/${other.id}/agents`, { token: other.owner.token })).status).toBe(
      200,
    );
  });

  it('restores within the window, to the status it had, with its data and keys', async () => {
    const tenant = await createTenant();
    const { agentId } = await createResources(tenant);
    const key = await createApiKey(tenant, ['agents:read']);
    expect((await remove(tenant)).status).toBe(200);
    const restored = await call('POST', `/v1/tenants/${tenant.id}/restore`, { token: tenant.owner.token });
    expect(restored.status, restored.text).toBe(200);
    expect(restored.body).toMatchObject({ status: 'active', deletedAt: null, purgeAfter: null });
    const agent = await call('GET', `/v1/tenants/${tenant.id}/agents/${agentId}`, { token: key.secret });
    expect(agent.status).toBe(200);
    const again = await call('POST', `/v1/tenants/${tenant.id}/restore`, { token: tenant.owner.token });
    expect(again.body).toMatchObject({ code: 'not_deleted' });

    // A suspended tenant comes back suspended.
    const suspended = await createTenant();
    const admin = await adminToken();
    await call('POST', `/v1/tenants/${suspended.id}/suspend`, { token: admin, body: { reason: 'Abuse' } });
    expect((await remove(suspended)).status).toBe(200);
    const back = await call('POST', `/v1/tenants/${suspended.id}/restore`, { token: admin });
    expect(back.body).toMatchObject({ status: 'suspended', statusReason: 'Abuse' });
  });

  it('cannot be restored past its retention window', async () => {
    const tenant = await createTenant();
    expect((await remove(tenant)).status).toBe(200);
    const late = await call('POST', `/v1/tenants/${tenant.id}/restore`, {
      token: tenant.owner.token,
      at: new Date(Date.now() + 31 * DAY),
    });
    expect(late.status).toBe(409);
    expect(late.body).toMatchObject({ code: 'retention_ended' });
    // Positive control: the same restore within the window.
    const inTime = await call('POST', `/v1/tenants/${tenant.id}/restore`, {
      token: tenant.owner.token,
      at: new Date(Date.now() + 29 * DAY),
    });
    expect(inTime.status).toBe(200);
  });
});

describe('purging a deleted tenant', () => {
  it('removes every item of the tenant and its orphaned sign-ins past the window, and nothing else', async () => {
    const tenant = await createTenant();
    const neighbour = await createTenant();
    await Promise.all([createResources(tenant), createResources(neighbour)]);
    await createApiKey(tenant, OWNER_SCOPES);
    const member = await addUser(tenant, 'member');
    // A person in both tenants keeps their sign-in and their other membership.
    const shared = await addUser(tenant, 'viewer');
    const invited = await call('POST', `/v1/tenants/${neighbour.id}/users`, {
      token: neighbour.owner.token,
      body: { email: shared.email, role: 'viewer' },
    });
    expect(invited.status, invited.text).toBe(201);
    expect((await call('GET', `/v1/tenants/${tenant.id}/agents`, { token: tenant.owner.token })).status).toBe(
      200,
    );

    const exported = await exportOf(tenant);
    expect(exported.status).toBe('completed');
    const files = join(twin.runtimeEnv.EXPORTS_LOCAL_DIR ?? '', 'tenants', tenant.id);
    expect(existsSync(files)).toBe(true);
    const keyOf = (item: Record<string, unknown>) => `${String(item.pk)} ${String(item.sk)}`;
    const neighbourBefore = (await itemsOf(neighbour.id)).map(keyOf);
    expect((await itemsOf(tenant.id)).length).toBeGreaterThan(10);
    const deleted = await remove(tenant);
    expect(deleted.status).toBe(200);

    // Within the window the purge keeps everything.
    await purge(tenant.id, new Date(Date.now() + 29 * DAY));
    expect((await call('GET', `/v1/tenants/${tenant.id}`, { token: tenant.owner.token })).status).toBe(200);

    await purge(tenant.id, new Date(Date.parse(deleted.body.purgeAfter) + 1000));
    expect(await itemsOf(tenant.id)).toEqual([]);
    expect(existsSync(files)).toBe(false);
    // Every item of the neighbour is still there (the platform's jobs may have added some since).
    const neighbourAfter = new Set((await itemsOf(neighbour.id)).map(keyOf));
    expect(neighbourBefore.filter((key) => !neighbourAfter.has(key))).toEqual([]);
    expect(neighbourBefore.length).toBeGreaterThan(10);
    expect(await signInExists(member.email)).toBe(false);
    expect(await signInExists(tenant.owner.email)).toBe(false);
    expect(await signInExists(shared.email)).toBe(true);
    const record = await TenantDeletionEntity.get({ tenantId: tenant.id }).go({
      client: platformDocumentClient,
    });
    expect(record.data).toMatchObject({ slug: tenant.slug, usersRemoved: 2 });
    expect(record.data?.itemsRemoved).toBeGreaterThan(10);
    // The slug is free again; a second purge finds nothing to do.
    await purge(tenant.id, new Date(Date.parse(deleted.body.purgeAfter) + 2000));
    const reuse = await call('POST', '/v1/tenants', {
      token: await adminToken(),
      body: { name: 'Reused', slug: tenant.slug, owner: { email: `reuse-${tenant.slug}@example.test` } },
    });
    expect(reuse.status, reuse.text).toBe(201);
  });
});
