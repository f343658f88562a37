import { QueryCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { newApiKeySecret } from '../../shared/api-keys/key-secret';
import {
  addUser,
  call,
  createApiKey,
  createTenant,
  OWNER_SCOPES,
  storedAuditEvents,
  table,
  twin,
  unique,
  type TestTenant,
  type TestUser,
} from '../helpers/twin-api';

interface KeyView {
  id: string;
  name: string;
  hint: string;
  scopes: string[];
  status: string;
  createdBy: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
  secret?: string;
}

async function keyItem(tenantId: string, keyId: string): Promise<Record<string, unknown> | undefined> {
  const result = await table.send(
    new QueryCommand({
      TableName: twin.tableName,
      KeyConditionExpression: 'pk = :pk AND sk = :sk',
      ExpressionAttributeValues: { ':pk': `TENANT#${tenantId}`, ':sk': `APIKEY#${keyId}` },
      ConsistentRead: true,
    }),
  );
  return result.Items?.[0];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('tenant API keys', () => {
  let tenant: TestTenant;
  let admin: TestUser;
  let member: TestUser;

  beforeAll(async () => {
    tenant = await createTenant();
    [admin, member] = await Promise.all([addUser(tenant, 'admin'), addUser(tenant, 'member')]);
  });

  describe('creating a key', () => {
    it('shows the secret once: recognisable prefix, 32 random bytes and a checksum, never stored', async () => {
      const created = await call<KeyView>('POST', `/v1/tenants/${tenant.id}/api-keys`, {
        token: tenant.owner.token,
        body: { name: 'Deploy bot', scopes: ['agents:read', 'runs:write'] },
      });
      expect(created.status).toBe(201);
      expect(created.headers.get('cache-control')).toContain('no-store');
      const secret = created.body.secret ?? '';
      expect(secret).toMatch(/^tntry_[0-9A-Za-z]{49}$/);
      expect(created.body).toMatchObject({
        name: 'Deploy bot',
        scopes: ['agents:read', 'runs:write'],
        status: 'active',
        createdBy: tenant.owner.id,
        expiresAt: null,
        lastUsedAt: null,
        hint: `${secret.slice(0, 10)}…`,
      });

      const got = await call<KeyView>('GET', `/v1/tenants/${tenant.id}/api-keys/${created.body.id}`, {
        token: tenant.owner.token,
      });
      expect(got.status).toBe(200);
      expect(got.body.id).toBe(created.body.id);
      expect(got.text).not.toContain(secret);
      const listed = await call('GET', `/v1/tenants/${tenant.id}/api-keys`, { token: tenant.owner.token });
      expect(listed.status).toBe(200);
      expect(listed.text).toContain(created.body.id);
      expect(listed.text).not.toContain(secret);

      // Nothing in the whole table holds the secret; the key item holds its hash.
      const everything = await table.send(new ScanCommand({ TableName: twin.tableName }));
      expect(JSON.stringify(everything.Items)).not.toContain(secret.slice(6));
      expect((await keyItem(tenant.id, created.body.id))?.secretHash).toMatch(/^[0-9a-f]{64}$/);
    });

    it('lets an admin create a key within their own permissions, and refuses one above them', async () => {
      const within = await call('POST', `/v1/tenants/${tenant.id}/api-keys`, {
        token: admin.token,
        body: { name: 'Admin key', scopes: ['agents:read', 'users:invite'] },
      });
      expect(within.status).toBe(201);
      const above = await call('POST', `/v1/tenants/${tenant.id}/api-keys`, {
        token: admin.token,
        body: { name: 'Greedy key', scopes: ['agents:read', 'billing:manage'] },
      });
      expect(above.status).toBe(403);
      expect(above.body).toMatchObject({ code: 'scope_above_own', scopes: ['billing:manage'] });
    });

    it('refuses members, who may not manage keys (the owner may)', async () => {
      const refused = await call('POST', `/v1/tenants/${tenant.id}/api-keys`, {
        token: member.token,
        body: { name: 'Mine', scopes: ['agents:read'] },
      });
      expect(refused.status).toBe(403);
      expect(refused.body).toMatchObject({ code: 'permission_denied', requiredPermission: 'apiKeys:manage' });
      const listed = await call('GET', `/v1/tenants/${tenant.id}/api-keys`, { token: member.token });
      expect(listed.status).toBe(403);
      const allowed = await call('POST', `/v1/tenants/${tenant.id}/api-keys`, {
        token: tenant.owner.token,
        body: { name: 'Theirs', scopes: ['agents:read'] },
      });
      expect(allowed.status).toBe(201);
    });

    it('refuses platform scopes, repeated scopes, no scopes and a past expiry with a 400', async () => {
      for (const body of [
        { name: 'x', scopes: ['platform:tenants:manage'] },
        { name: 'x', scopes: ['agents:read', 'agents:read'] },
        { name: 'x', scopes: [] },
        { name: 'x', scopes: ['agents:read'], expiresAt: '2001-01-01T00:00:00Z' },
        { name: 'x', scopes: ['agents:read'], expiresAt: 'next week' },
      ]) {
        const response = await call('POST', `/v1/tenants/${tenant.id}/api-keys`, {
          token: tenant.owner.token,
          body,
        });
        expect(response.status, JSON.stringify(body)).toBe(400);
      }
    });

    it('does not replay an answer for an Idempotency-Key: the secret is never kept to replay', async () => {
      const send = () =>
        call<KeyView>('POST', `/v1/tenants/${tenant.id}/api-keys`, {
          token: tenant.owner.token,
          body: { name: 'Retried', scopes: ['agents:read'] },
          headers: { 'idempotency-key': unique('idem') },
        });
      const [first, second] = [await send(), await send()];
      expect([first.status, second.status]).toEqual([201, 201]);
      expect(second.headers.get('idempotent-replayed')).toBeNull();
      expect(second.body.id).not.toBe(first.body.id);
    });
  });

  describe('calling with a key', () => {
    it('acts as its own principal: its scopes bound it, it is the actor and the creator', async () => {
      const reader = await createApiKey(tenant, ['agents:read', 'tenant:read']);
      const writer = await createApiKey(tenant, ['agents:read', 'agents:write']);

      const current = await call('GET', '/v1/tenants/current', { token: reader.secret });
      expect(current.status).toBe(200);
      expect(current.body).toMatchObject({ id: tenant.id });
      expect((await call('GET', `/v1/tenants/${tenant.id}/agents`, { token: reader.secret })).status).toBe(
        200,
      );

      const refused = await call('POST', `/v1/tenants/${tenant.id}/agents`, {
        token: reader.secret,
        body: { name: 'Nope', model: 'claude-sonnet' },
      });
      expect(refused.status).toBe(403);
      expect(refused.body).toMatchObject({ code: 'permission_denied', requiredPermission: 'agents:write' });
      expect(refused.text).toContain('API key');

      const created = await call<{ id: string; createdBy: string }>(
        'POST',
        `/v1/tenants/${tenant.id}/agents`,
        {
          token: writer.secret,
          body: { name: 'Made by a key', model: 'claude-sonnet' },
        },
      );
      expect(created.status).toBe(201);
      expect(created.body.createdBy).toBe(writer.id);
      const event = (await storedAuditEvents(tenant.id)).find((e) => e.targetId === created.body.id);
      expect(event).toMatchObject({ action: 'agent.created', actorId: writer.id, actorType: 'apiKey' });
      expect(event?.actorIsPlatformAdmin).toBe(false);
      const log = await call<{ items: Array<{ actor: { type: string; id: string }; action: string }> }>(
        'GET',
        `/v1/tenants/${tenant.id}/audit-logs?actorId=${writer.id}`,
        { token: tenant.owner.token },
      );
      expect(log.body.items).toEqual([
        expect.objectContaining({
          action: 'agent.created',
          actor: expect.objectContaining({ type: 'apiKey', id: writer.id }),
        }),
      ]);
    });

    it('meters and rate-limits like a person: the answer carries the RateLimit headers', async () => {
      const key = await createApiKey(tenant, ['agents:read']);
      const response = await call('GET', `/v1/tenants/${tenant.id}/agents`, { token: key.secret });
      expect(response.status).toBe(200);
      expect(response.headers.get('ratelimit-limit')).toBe('1200');
      expect(Number(response.headers.get('ratelimit-remaining'))).toBeLessThan(1200);
    });

    it('cannot create keys or manage users unless scoped to', async () => {
      const plain = await createApiKey(tenant, ['agents:read', 'users:read']);
      const noKeys = await call('POST', `/v1/tenants/${tenant.id}/api-keys`, {
        token: plain.secret,
        body: { name: 'Child', scopes: ['agents:read'] },
      });
      expect(noKeys.status).toBe(403);
      expect(noKeys.body).toMatchObject({ code: 'permission_denied' });
      const noInvite = await call('POST', `/v1/tenants/${tenant.id}/users`, {
        token: plain.secret,
        body: { email: `${unique('k')}@example.test`, role: 'viewer' },
      });
      expect(noInvite.status).toBe(403);

      // Positive control: a key scoped to manage keys and invite users does both, within its scopes
      // and below the role of the admin who made it.
      const manager = await createApiKey(tenant, ['agents:read', 'apiKeys:manage', 'users:invite'], {
        token: admin.token,
      });
      const child = await call<KeyView>('POST', `/v1/tenants/${tenant.id}/api-keys`, {
        token: manager.secret,
        body: { name: 'Child', scopes: ['agents:read'] },
      });
      expect(child.status).toBe(201);
      expect(child.body.createdBy).toBe(manager.id);
      const wider = await call('POST', `/v1/tenants/${tenant.id}/api-keys`, {
        token: manager.secret,
        body: { name: 'Wider', scopes: ['runs:write'] },
      });
      expect(wider.body).toMatchObject({ code: 'scope_above_own' });
      const invited = await call<{ invitedBy: string }>('POST', `/v1/tenants/${tenant.id}/users`, {
        token: manager.secret,
        body: { email: `${unique('k')}@example.test`, role: 'viewer' },
      });
      expect(invited.status).toBe(201);
      expect(invited.body.invitedBy).toBe(manager.id);
      const owner = await call('POST', `/v1/tenants/${tenant.id}/users`, {
        token: manager.secret,
        body: { email: `${unique('k')}@example.test`, role: 'owner' },
      });
      expect(owner.body).toMatchObject({ code: 'role_above_own' });
    });

    it('is no person: routes about the signed-in person refuse it', async () => {
      const key = await createApiKey(tenant, OWNER_SCOPES);
      const me = await call('GET', '/v1/me', { token: key.secret });
      expect(me.status).toBe(403);
      expect(me.body).toMatchObject({ code: 'person_required' });
      expect((await call('GET', '/v1/me', { token: tenant.owner.token })).status).toBe(200);
    });

    it('refuses a mistyped key at the gateway without a lookup, and an unknown one', async () => {
      const key = await createApiKey(tenant, ['agents:read']);
      const last = key.secret.at(-1) === 'A' ? 'B' : 'A';
      for (const secret of [`${key.secret.slice(0, -1)}${last}`, newApiKeySecret(), 'tntry_short']) {
        const response = await call('GET', `/v1/tenants/${tenant.id}/agents`, { token: secret });
        expect(response.status).toBe(401);
        expect(response.body).toEqual({ message: 'Unauthorized' });
      }
      expect((await call('GET', `/v1/tenants/${tenant.id}/agents`, { token: key.secret })).status).toBe(200);
    });

    it('is bound by the IP allowlist; MFA enforcement, which is about people, does not apply to it', async () => {
      const own = await createTenant();
      const key = await createApiKey(own, OWNER_SCOPES);
      const allowed = '127.0.0.1';
      const set = await call('PATCH', `/v1/tenants/${own.id}`, {
        token: own.owner.token,
        body: { settings: { ipAllowlist: [`${allowed}/32`], mfaRequired: true }, force: true },
        from: allowed,
      });
      expect(set.status).toBe(200);
      const elsewhere = await call('GET', '/v1/tenants/current', { token: key.secret, from: '127.0.0.2' });
      expect(elsewhere.status).toBe(403);
      expect(elsewhere.body).toMatchObject({ code: 'ip_not_allowed' });
      const fromAllowed = await call('GET', '/v1/tenants/current', { token: key.secret, from: allowed });
      expect(fromAllowed.status).toBe(200);
      // The owner without MFA is refused where the key is not.
      const person = await call('GET', '/v1/tenants/current', { token: own.owner.token, from: allowed });
      expect(person.body).toMatchObject({ code: 'mfa_required' });
    });

    it('records lastUsedAt at most once a minute', async () => {
      const key = await createApiKey(tenant, ['agents:read']);
      const t0 = new Date();
      const use = (at: Date) => call('GET', `/v1/tenants/${tenant.id}/agents`, { token: key.secret, at });
      const lastUsed = async () => (await keyItem(tenant.id, key.id))?.lastUsedAt;
      await use(t0);
      expect(await lastUsed()).toBe(t0.toISOString());
      await use(new Date(t0.getTime() + 30_000));
      expect(await lastUsed()).toBe(t0.toISOString());
      const later = new Date(t0.getTime() + 90_000);
      await use(later);
      expect(await lastUsed()).toBe(later.toISOString());
      const view = await call<KeyView>('GET', `/v1/tenants/${tenant.id}/api-keys/${key.id}`, {
        token: tenant.owner.token,
      });
      expect(view.body.lastUsedAt).toBe(later.toISOString());
    });
  });

  describe('ending a key', () => {
    it('refuses a revoked key at once, though the gateway had cached its answer', async () => {
      const key = await createApiKey(tenant, ['agents:read']);
      const path = `/v1/tenants/${tenant.id}/agents`;
      expect((await call('GET', path, { token: key.secret })).status).toBe(200);
      const revoked = await call<KeyView>('DELETE', `/v1/tenants/${tenant.id}/api-keys/${key.id}`, {
        token: tenant.owner.token,
      });
      expect(revoked.status).toBe(200);
      expect(revoked.body).toMatchObject({ status: 'revoked', revokedAt: expect.any(String) });
      // The authorizer's cached answer still lets the request through; the tenant context refuses it.
      const after = await call('GET', path, { token: key.secret });
      expect(after.status).toBe(401);
      expect(after.headers.get('content-type')).toContain('application/problem+json');
      expect(after.body).toMatchObject({ code: 'unauthorized' });
      // Revoked keys stay listed as such; revoking again changes nothing.
      const again = await call<KeyView>('DELETE', `/v1/tenants/${tenant.id}/api-keys/${key.id}`, {
        token: tenant.owner.token,
      });
      expect(again.body.revokedAt).toBe(revoked.body.revokedAt);
      const listed = await call<{ items: KeyView[] }>(
        'GET',
        `/v1/tenants/${tenant.id}/api-keys?status=revoked`,
        {
          token: tenant.owner.token,
        },
      );
      expect(listed.body.items.map((item) => item.id)).toContain(key.id);
      expect(listed.body.items.every((item) => item.status === 'revoked')).toBe(true);
    });

    it('ends access within the record cache time when another process revokes it', async () => {
      const key = await createApiKey(tenant, ['agents:read']);
      const path = `/v1/tenants/${tenant.id}/agents`;
      expect((await call('GET', path, { token: key.secret })).status).toBe(200);
      // Another instance's revocation: this process's cached record does not hear of it.
      await table.send(
        new UpdateCommand({
          TableName: twin.tableName,
          Key: { pk: `TENANT#${tenant.id}`, sk: `APIKEY#${key.id}` },
          UpdateExpression: 'SET #status = :revoked',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':revoked': 'revoked' },
        }),
      );
      const revokedAt = Date.now();
      let status = 200;
      while (status === 200 && Date.now() - revokedAt < 10_000) {
        status = (await call('GET', path, { token: key.secret })).status;
        if (status === 200) await sleep(250);
      }
      expect(status).toBe(401);
      // The record cache holds 5 s; the rest is slack for a loaded machine.
      expect(Date.now() - revokedAt).toBeLessThan(9_000);
    });

    it('refuses an expired key, and works until then', async () => {
      const expiresAt = new Date(Date.now() + 3_600_000);
      const key = await createApiKey(tenant, ['agents:read'], { expiresAt: expiresAt.toISOString() });
      const path = `/v1/tenants/${tenant.id}/agents`;
      expect(
        (await call('GET', path, { token: key.secret, at: new Date(expiresAt.getTime() - 1000) })).status,
      ).toBe(200);
      const expired = await call('GET', path, {
        token: key.secret,
        at: new Date(expiresAt.getTime() + 1000),
      });
      expect(expired.status).toBe(401);
      const view = await call<{ items: KeyView[] }>(
        'GET',
        `/v1/tenants/${tenant.id}/api-keys?status=active`,
        {
          token: tenant.owner.token,
        },
      );
      expect(view.body.items.find((item) => item.id === key.id)?.expiresAt).toBe(expiresAt.toISOString());
    });

    it('keeps working after its creator leaves the tenant: a key is the tenant’s own principal', async () => {
      const leaving = await addUser(tenant, 'admin');
      const key = await createApiKey(tenant, ['agents:read'], { token: leaving.token });
      const removed = await call('DELETE', `/v1/tenants/${tenant.id}/users/${leaving.id}`, {
        token: tenant.owner.token,
      });
      expect(removed.status).toBe(204);
      expect((await call('GET', '/v1/tenants/current', { token: leaving.token })).status).toBe(403);
      expect((await call('GET', `/v1/tenants/${tenant.id}/agents`, { token: key.secret })).status).toBe(200);
    });
  });

  describe('the plan limit on keys', () => {
    it('counts active keys against apiKeys, and revoking one gives its place back', async () => {
      const free = await createTenant({ plan: 'free' });
      const first = await createApiKey(free, ['agents:read']);
      await createApiKey(free, ['agents:read']);
      const third = await call('POST', `/v1/tenants/${free.id}/api-keys`, {
        token: free.owner.token,
        body: { name: 'One too many', scopes: ['agents:read'] },
      });
      expect(third.status).toBe(403);
      expect(third.body).toMatchObject({ code: 'quota_exceeded', resource: 'apiKeys', limit: 2 });
      const quotas = await call<{ quotas: Array<{ resource: string; used: number; limit: number }> }>(
        'GET',
        `/v1/tenants/${free.id}/quotas`,
        { token: free.owner.token },
      );
      expect(quotas.body.quotas.find((quota) => quota.resource === 'apiKeys')).toMatchObject({
        used: 2,
        limit: 2,
      });

      await call('DELETE', `/v1/tenants/${free.id}/api-keys/${first.id}`, { token: free.owner.token });
      expect((await createApiKey(free, ['agents:read'])).id).toMatch(/^key_/);
    });
  });
});
