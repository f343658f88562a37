import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { readSecretSetting } from '../../shared/secrets/secret-settings';
import { runWithTenantContext } from '../../shared/context/tenant-context';
import { ownerContext } from '../helpers/tenant-context';
import {
  addUser,
  call,
  createTenant,
  table,
  twin,
  type TestTenant,
  type TestUser,
} from '../helpers/twin-api';

const VALUE = 'whsec_the-signing-secret-0123456789';

/** Secret settings are envelope-encrypted and write-only through the API. */
describe('secret settings', () => {
  let tenant: TestTenant;
  let member: TestUser;

  beforeAll(async () => {
    tenant = await createTenant();
    member = await addUser(tenant, 'member');
  });

  it('sets a secret and answers without its value', async () => {
    const response = await call('PUT', `/v1/tenants/${tenant.id}/secrets/webhookSigningSecret`, {
      token: tenant.owner.token,
      body: { value: VALUE },
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      name: 'webhookSigningSecret',
      set: true,
      updatedBy: tenant.owner.id,
    });
    expect(response.text).not.toContain(VALUE);
  });

  it('lists which secrets are set, never their values', async () => {
    const response = await call<{ items: Array<{ name: string; set: boolean }> }>(
      'GET',
      `/v1/tenants/${tenant.id}/secrets`,
      { token: tenant.owner.token },
    );
    expect(response.body.items).toEqual([
      expect.objectContaining({ name: 'webhookSigningSecret', set: true }),
      expect.objectContaining({ name: 'ssoConfiguration', set: false }),
    ]);
    expect(response.text).not.toContain(VALUE);
  });

  it('stores only ciphertext and a wrapped data key, and the audit log names the secret only', async () => {
    const items = await table.send(
      new QueryCommand({
        TableName: twin.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `TENANT#${tenant.id}` },
        ConsistentRead: true,
      }),
    );
    const everything = JSON.stringify(items.Items);
    expect(everything).not.toContain(VALUE);
    const secret = items.Items?.find((item) => item.sk === 'SECRET#webhookSigningSecret');
    expect(secret).toMatchObject({
      keyRef: 'local',
      encryptedKey: expect.any(String),
      ciphertext: expect.any(String),
    });
    expect(everything).toContain('"action":"secret.set"');
  });

  it('decrypts to the value for the platform’s own use', async () => {
    const ctx = ownerContext(tenant.id, tenant.owner.id, 'professional');
    expect(await runWithTenantContext(ctx, () => readSecretSetting(ctx, 'webhookSigningSecret'))).toBe(VALUE);
  });

  it('binds the ciphertext to its tenant: copied into another tenant it does not decrypt', async () => {
    const other = await createTenant();
    const stolen = await table.send(
      new QueryCommand({
        TableName: twin.tableName,
        KeyConditionExpression: 'pk = :pk AND sk = :sk',
        ExpressionAttributeValues: { ':pk': `TENANT#${tenant.id}`, ':sk': 'SECRET#webhookSigningSecret' },
      }),
    );
    const { PutCommand } = await import('@aws-sdk/lib-dynamodb');
    await table.send(
      new PutCommand({
        TableName: twin.tableName,
        Item: { ...stolen.Items?.[0], pk: `TENANT#${other.id}`, tenantId: other.id },
      }),
    );
    const ctx = ownerContext(other.id, other.owner.id, 'professional');
    await expect(
      runWithTenantContext(ctx, () => readSecretSetting(ctx, 'webhookSigningSecret')),
    ).rejects.toThrow();
  });

  it('keeps secrets from members (owners and admins only)', async () => {
    const response = await call('PUT', `/v1/tenants/${tenant.id}/secrets/ssoConfiguration`, {
      token: member.token,
      body: { value: 'x' },
    });
    expect(response.status).toBe(403);
    expect(response.body).toMatchObject({ code: 'permission_denied' });
  });

  it('deletes a secret, then answers 404 for it', async () => {
    const path = `/v1/tenants/${tenant.id}/secrets/webhookSigningSecret`;
    expect((await call('DELETE', path, { token: tenant.owner.token })).status).toBe(204);
    const again = await call('DELETE', path, { token: tenant.owner.token });
    expect(again.status).toBe(404);
    expect(again.body).toMatchObject({ code: 'secret_not_found' });
  });
});
