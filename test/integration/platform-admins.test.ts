import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../shared/ids';
import { PLATFORM_ADMIN_GROUP } from '../../shared/model/user-pool-definition';
import {
  adminToken,
  call,
  cognito,
  createTenant,
  freshSignIn,
  tokenFor,
  twin,
  unique,
} from '../helpers/twin-api';
import { LOCAL_PASSWORD, setPermanentPassword } from '../../infra/local/seed';

/** A Cognito user in the platform-admins group: the token claims platform-admin power. */
async function groupMember(): Promise<{ userId: string; token: string }> {
  const email = `${unique('claims-admin')}@example.test`;
  const userId = newId('user');
  await cognito.send(
    new AdminCreateUserCommand({
      UserPoolId: twin.userPoolId,
      Username: email,
      MessageAction: 'SUPPRESS',
      UserAttributes: [
        { Name: 'email', Value: email },
        { Name: 'email_verified', Value: 'true' },
        { Name: 'custom:userId', Value: userId },
      ],
    }),
  );
  await cognito.send(
    new AdminAddUserToGroupCommand({
      UserPoolId: twin.userPoolId,
      Username: email,
      GroupName: PLATFORM_ADMIN_GROUP,
    }),
  );
  await setPermanentPassword(cognito, twin.userPoolId, email, LOCAL_PASSWORD);
  return { userId, token: await tokenFor(email) };
}

type AuditPage = { items: Array<{ action: string; actorId: string; target: { id: string } }> };

describe('platform admins, checked on the server', () => {
  let claimant: { userId: string; token: string };
  let admin: string;

  beforeAll(async () => {
    [claimant, admin] = await Promise.all([groupMember(), adminToken()]);
  });

  it('lets the seeded platform admin, who has a record, act as one (positive control)', async () => {
    const response = await call<{ items: Array<{ userId: string }> }>('GET', '/v1/platform/admins', {
      token: admin,
    });
    expect(response.status).toBe(200);
    expect(response.body.items.map((item) => item.userId)).toContain(twin.platformAdmin.userId);
    expect((await call('GET', '/v1/tenants', { token: admin })).status).toBe(200);
  });

  it('refuses platform-admin power to a group claim without a record', async () => {
    const response = await call('GET', '/v1/tenants', { token: claimant.token });
    expect(response.status).toBe(403);
    expect(response.body).toMatchObject({ code: 'platform_admin_required' });
  });

  it('grants the power with a record, and ends it when the record is revoked', async () => {
    const granted = await call('PUT', `/v1/platform/admins/${claimant.userId}`, { token: admin });
    expect(granted.status).toBe(200);
    expect(granted.body).toMatchObject({ userId: claimant.userId, grantedBy: twin.platformAdmin.userId });
    expect((await call('GET', '/v1/tenants', { token: claimant.token })).status).toBe(200);

    const revoked = await call('DELETE', `/v1/platform/admins/${claimant.userId}`, { token: admin });
    expect(revoked.status).toBe(204);
    const after = await call('GET', '/v1/tenants', { token: claimant.token });
    expect(after.status).toBe(403);
    expect(after.body).toMatchObject({ code: 'platform_admin_required' });
  });

  it('grants both halves of the power by email (group and record), and revoking takes both away', async () => {
    const tenant = await createTenant({ plan: 'starter' });
    const email = tenant.owner.email;
    // The positive control of the refusal below: before the grant, the owner is no platform admin.
    expect((await call('GET', '/v1/tenants', { token: tenant.owner.token })).status).toBe(403);
    const granted = await call<{ userId: string; email: string; grantedByEmail: string }>(
      'POST',
      '/v1/platform/admins',
      { token: admin, body: { email: email.toUpperCase() } },
    );
    expect(granted.status, granted.text).toBe(200);
    expect(granted.body).toMatchObject({
      userId: tenant.owner.id,
      email,
      grantedByEmail: twin.platformAdmin.email,
    });
    // The group reaches the person's next token, and the record lets it act.
    const groups = async () => {
      const token = await freshSignIn(email);
      const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as {
        'cognito:groups'?: string[];
      };
      return { token, groups: claims['cognito:groups'] ?? [] };
    };
    const after = await groups();
    expect(after.groups).toContain(PLATFORM_ADMIN_GROUP);
    expect((await call('GET', '/v1/tenants', { token: after.token })).status).toBe(200);
    const listed = await call<{ items: Array<{ userId: string; email: string | null }> }>(
      'GET',
      '/v1/platform/admins',
      { token: admin },
    );
    expect(listed.body.items).toContainEqual(expect.objectContaining({ userId: tenant.owner.id, email }));
    // Granting again changes nothing.
    expect((await call('POST', '/v1/platform/admins', { token: admin, body: { email } })).body).toEqual(
      granted.body,
    );

    expect((await call('DELETE', `/v1/platform/admins/${tenant.owner.id}`, { token: admin })).status).toBe(
      204,
    );
    const revoked = await groups();
    expect(revoked.groups).not.toContain(PLATFORM_ADMIN_GROUP);
    expect((await call('GET', '/v1/tenants', { token: revoked.token })).status).toBe(403);
    // The platform audit log names both people by email.
    const log = await call<{
      items: Array<{
        action: string;
        actorEmail: string | null;
        target: { id: string; email: string | null };
      }>;
    }>('GET', '/v1/platform/audit-logs?limit=50', { token: admin });
    expect(log.body.items.filter((item) => item.target.id === tenant.owner.id)).toEqual([
      expect.objectContaining({
        action: 'platform_admin.revoked',
        actorEmail: twin.platformAdmin.email,
        target: expect.objectContaining({ email }),
      }),
      expect.objectContaining({
        action: 'platform_admin.granted',
        actorEmail: twin.platformAdmin.email,
        target: expect.objectContaining({ email }),
      }),
    ]);
  });

  it('refuses a grant by email to someone without a sign-in, or with a malformed address', async () => {
    const unknown = await call('POST', '/v1/platform/admins', {
      token: admin,
      body: { email: `${unique('nobody')}@example.test` },
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ code: 'person_not_found' });
    const malformed = await call('POST', '/v1/platform/admins', {
      token: admin,
      body: { email: 'not an address' },
    });
    expect(malformed.status).toBe(400);
  });

  it('audits every grant and revocation in the platform audit log', async () => {
    const log = await call<AuditPage>('GET', '/v1/platform/audit-logs?limit=50', { token: admin });
    const mine = log.body.items
      .filter((item) => item.target.id === claimant.userId)
      .map((item) => item.action);
    expect(mine).toEqual(['platform_admin.revoked', 'platform_admin.granted']);
    expect(log.body.items.find((item) => item.target.id === claimant.userId)?.actorId).toBe(
      twin.platformAdmin.userId,
    );
  });

  it('answers 404 to revoking a user who has no record', async () => {
    const response = await call('DELETE', `/v1/platform/admins/${newId('user')}`, { token: admin });
    expect(response.status).toBe(404);
    expect(response.body).toMatchObject({ code: 'platform_admin_not_found' });
  });

  it('keeps platform administration from tenant users', async () => {
    const response = await call('PUT', `/v1/platform/admins/${claimant.userId}`, { token: claimant.token });
    expect(response.status).toBe(403);
    expect(response.body).toMatchObject({ code: 'platform_admin_required' });
  });
});
