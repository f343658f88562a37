import { AdminGetUserCommand } from '@aws-sdk/client-cognito-identity-provider';
import { describe, expect, it } from 'vitest';
import {
  activate,
  call,
  cognito,
  createTenant,
  twin,
  unique,
  type ApiResponse,
  type TestTenant,
} from '../helpers/twin-api';

interface Invited {
  id: string;
  email: string;
  status: string;
  code?: string;
}

function invite(tenant: TestTenant, email: string): Promise<ApiResponse<Invited>> {
  return call<Invited>('POST', `/v1/tenants/${tenant.id}/users`, {
    token: tenant.owner.token,
    body: { email, role: 'member' },
  });
}

async function usersCounted(tenant: TestTenant): Promise<{ used: number; members: number }> {
  const quotas = await call<{ quotas: Array<{ resource: string; used: number }> }>(
    'GET',
    `/v1/tenants/${tenant.id}/quotas`,
    { token: tenant.owner.token },
  );
  const users = await call<{ items: unknown[] }>('GET', `/v1/tenants/${tenant.id}/users?limit=100`, {
    token: tenant.owner.token,
  });
  return {
    used: quotas.body.quotas.find((line) => line.resource === 'users')?.used ?? -1,
    members: users.body.items.length,
  };
}

/** The directory's `usr_` id for the address, or null when it has no sign-in for it. */
async function signInUserId(email: string): Promise<string | null> {
  try {
    const user = await cognito.send(
      new AdminGetUserCommand({ UserPoolId: twin.userPoolId, Username: email }),
    );
    return user.UserAttributes?.find((attribute) => attribute.Name === 'custom:userId')?.Value ?? null;
  } catch {
    return null;
  }
}

/** The person signs in and reaches the tenant as its member. */
async function reachesTenant(email: string, tenant: TestTenant): Promise<number> {
  const token = await activate(email);
  return (await call('GET', `/v1/tenants/${tenant.id}/agents`, { token })).status;
}

describe('racing invitations of one new address', () => {
  it('acknowledges one of 20 concurrent invitations in a tenant, and that member can sign in', async () => {
    const tenant = await createTenant();
    for (let trial = 0; trial < 3; trial += 1) {
      const email = `${unique('racer')}@example.test`;
      const answers = await Promise.all(Array.from({ length: 20 }, () => invite(tenant, email)));
      const acknowledged = answers.filter((answer) => answer.status === 201);
      expect(acknowledged, answers.map((answer) => answer.text).join('\n')).toHaveLength(1);
      for (const refused of answers.filter((answer) => answer.status !== 201)) {
        expect(refused.status).toBe(409);
        expect(['already_invited', 'already_member', 'concurrent_modification']).toContain(refused.body.code);
      }
      // The sign-in exists and is the membership's person.
      expect(await signInUserId(email)).toBe(acknowledged[0]?.body.id);
      expect(await reachesTenant(email, tenant)).toBe(200);
    }
    const counted = await usersCounted(tenant);
    expect(counted.used).toBe(counted.members);
  });

  it('lets several tenants invite the same new address at once: every one holds, no email_taken', async () => {
    const tenants = await Promise.all([createTenant(), createTenant(), createTenant()]);
    const email = `${unique('shared')}@example.test`;
    const answers = await Promise.all(tenants.map((tenant) => invite(tenant, email)));
    expect(answers.map((answer) => answer.status)).toEqual([201, 201, 201]);
    // One person: the same id in every tenant, and it is the sign-in's.
    const ids = new Set(answers.map((answer) => answer.body.id));
    expect(ids.size).toBe(1);
    expect(await signInUserId(email)).toBe(answers[0]?.body.id);
    for (const tenant of tenants) expect(await reachesTenant(email, tenant)).toBe(200);
  });

  it('keeps the sign-in a concurrent invitation holds when another tenant’s invitation fails', async () => {
    for (let trial = 0; trial < 5; trial += 1) {
      // One tenant has no room for a user (its owner fills the limit of 1); the other has room.
      const [full, roomy] = await Promise.all([
        createTenant({ plan: 'free', limitOverrides: { users: 1 } }),
        createTenant(),
      ]);
      const email = `${unique('contested')}@example.test`;
      const [refused, held] = await Promise.all([invite(full, email), invite(roomy, email)]);
      expect(refused.body).toMatchObject({ code: 'quota_exceeded' });
      expect(held.status, held.text).toBe(201);
      expect(await signInUserId(email)).toBe(held.body.id);
      expect(await reachesTenant(email, roomy)).toBe(200);
      // Positive control: the refused tenant reaches nothing for that person.
      const token = await activate(email);
      expect((await call('GET', `/v1/tenants/${full.id}/agents`, { token })).status).toBe(403);
    }
  });

  it('reuses a sign-in whose invitation failed for the next invitation of the address', async () => {
    const full = await createTenant({ plan: 'free', limitOverrides: { users: 1 } });
    const email = `${unique('retry')}@example.test`;
    expect((await invite(full, email)).body).toMatchObject({ code: 'quota_exceeded' });
    const made = await signInUserId(email);
    expect(made).toMatch(/^usr_/);
    const roomy = await createTenant();
    const held = await invite(roomy, email);
    expect(held.status).toBe(201);
    expect(held.body.id).toBe(made);
    expect(await reachesTenant(email, roomy)).toBe(200);
  });
});
