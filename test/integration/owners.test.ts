import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import {
  activate,
  addUser,
  call,
  createTenant,
  table,
  twin,
  unique,
  type TestTenant,
} from '../helpers/twin-api';

async function inviteOwner(tenant: TestTenant): Promise<{ id: string; email: string }> {
  const email = `${unique('owner')}@example.test`;
  const response = await call<{ id: string }>('POST', `/v1/tenants/${tenant.id}/users`, {
    token: tenant.owner.token,
    body: { email, role: 'owner' },
  });
  expect(response.status).toBe(201);
  return { id: response.body.id, email };
}

const demote = (tenant: TestTenant, userId: string, token = tenant.owner.token) =>
  call('PATCH', `/v1/tenants/${tenant.id}/users/${userId}`, { token, body: { role: 'admin' } });

/** The last active owner stays: an owner whose invitation is still pending keeps no tenant owned. */
describe('the last active owner', () => {
  it('cannot be demoted or removed while the only other owner is still invited', async () => {
    const tenant = await createTenant();
    await inviteOwner(tenant);
    const demoted = await demote(tenant, tenant.owner.id);
    expect(demoted.status).toBe(409);
    expect(demoted.body).toMatchObject({ code: 'last_owner' });
    const removed = await call('DELETE', `/v1/tenants/${tenant.id}/users/${tenant.owner.id}`, {
      token: tenant.owner.token,
    });
    expect(removed.status).toBe(409);
    expect(removed.body).toMatchObject({ code: 'last_owner' });
  });

  it('can step down once the other owner has accepted (positive control)', async () => {
    const tenant = await createTenant();
    const second = await inviteOwner(tenant);
    const token = await activate(second.email);
    expect((await call('GET', '/v1/tenants/current', { token })).status).toBe(200);
    expect((await demote(tenant, tenant.owner.id)).status).toBe(200);
    // And now the second owner is the last one.
    const last = await demote(tenant, second.id, token);
    expect(last.status).toBe(409);
  });

  it('lets a pending owner be demoted or removed: it never counted', async () => {
    const tenant = await createTenant();
    const pending = await inviteOwner(tenant);
    expect((await demote(tenant, pending.id)).status).toBe(200);
    const removed = await call('DELETE', `/v1/tenants/${tenant.id}/users/${pending.id}`, {
      token: tenant.owner.token,
    });
    expect(removed.status).toBe(204);
  });

  it('counts the active owners of a tenant made before the count existed, once', async () => {
    const tenant = await createTenant();
    const second = await addUser(tenant, 'owner');
    // As the previous code left it: no active-owner count, and an owner count that pending owners inflated.
    await table.send(
      new UpdateCommand({
        TableName: twin.tableName,
        Key: { pk: `TENANT#${tenant.id}`, sk: 'TENANT' },
        UpdateExpression: 'REMOVE activeOwnerCount SET ownerCount = :three',
        ExpressionAttributeValues: { ':three': 3 },
      }),
    );
    await inviteOwner(tenant);
    expect((await demote(tenant, second.id)).status).toBe(200);
    const last = await demote(tenant, tenant.owner.id);
    expect(last.status).toBe(409);
    expect(last.body).toMatchObject({ code: 'last_owner' });
  });

  it('counts them when an invited owner of such a tenant signs in, and activates the owner', async () => {
    const tenant = await createTenant();
    const invited = await inviteOwner(tenant);
    const removeCount = new UpdateCommand({
      TableName: twin.tableName,
      Key: { pk: `TENANT#${tenant.id}`, sk: 'TENANT' },
      UpdateExpression: 'REMOVE activeOwnerCount',
    });
    await table.send(removeCount);
    const token = await activate(invited.email);
    expect((await call('GET', '/v1/tenants/current', { token })).status).toBe(200);
    const stored = await table.send(
      new GetCommand({
        TableName: twin.tableName,
        Key: { pk: `TENANT#${tenant.id}`, sk: 'TENANT' },
        ConsistentRead: true,
      }),
    );
    // The owner who made the tenant, then the one who signed in: counted once each.
    expect(stored.Item?.activeOwnerCount).toBe(2);
    const member = await call<{ status: string }>('GET', `/v1/tenants/${tenant.id}/users/${invited.id}`, {
      token: tenant.owner.token,
    });
    expect(member.body.status).toBe('active');
  });
});
