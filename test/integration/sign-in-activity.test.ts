import { describe, expect, it } from 'vitest';
import {
  OWNER_SCOPES,
  adminToken,
  call,
  createApiKey,
  createTenant,
  freshSignIn,
  storedAuditEvents,
  type TestTenant,
} from '../helpers/twin-api';

interface UserLine {
  id: string;
  lastSignInAt: string | null;
  signInCount: number;
}

const ownerLine = async (tenant: TestTenant) => {
  const response = await call<UserLine>('GET', `/v1/tenants/${tenant.id}/users/${tenant.owner.id}`, {
    token: await adminToken(),
  });
  expect(response.status, response.text).toBe(200);
  return response.body;
};
const signIns = async (tenant: TestTenant) =>
  (await storedAuditEvents(tenant.id)).filter((event) => event.action === 'user.signed_in');
const payloadOf = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as { auth_time: number };

describe('sign-in activity per member', () => {
  it('records each sign-in once, at its first request, however many requests race with its token', async () => {
    const tenant = await createTenant();
    // createTenant signed the owner in and made a request: one sign-in.
    const first = await ownerLine(tenant);
    expect(first.signInCount).toBe(1);
    expect(first.lastSignInAt).toBe(new Date(payloadOf(tenant.owner.token).auth_time * 1000).toISOString());
    expect(await signIns(tenant)).toHaveLength(1);
    expect((await signIns(tenant))[0]).toMatchObject({ actorId: tenant.owner.id, targetId: tenant.owner.id });

    // More requests with the same token (a session): nothing more.
    await Promise.all(
      Array.from({ length: 5 }, () =>
        call('GET', `/v1/tenants/${tenant.id}/agents`, { token: tenant.owner.token }),
      ),
    );
    expect((await ownerLine(tenant)).signInCount).toBe(1);

    // A new sign-in (auth_time has a one-second grain), its requests racing: counted once.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const second = await freshSignIn(tenant.owner.email);
    expect(payloadOf(second).auth_time).toBeGreaterThan(payloadOf(tenant.owner.token).auth_time);
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => call('GET', `/v1/tenants/${tenant.id}/agents`, { token: second })),
    );
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200]);
    const after = await ownerLine(tenant);
    expect(after.signInCount).toBe(2);
    expect(after.lastSignInAt).toBe(new Date(payloadOf(second).auth_time * 1000).toISOString());
    expect(await signIns(tenant)).toHaveLength(2);

    // The older session's token still works, and does not move the last sign-in back.
    expect((await call('GET', `/v1/tenants/${tenant.id}/agents`, { token: tenant.owner.token })).status).toBe(
      200,
    );
    expect(await ownerLine(tenant)).toMatchObject({ signInCount: 2, lastSignInAt: after.lastSignInAt });
  });

  it('is not a sign-in when an API key or a platform admin acts on the tenant', async () => {
    const tenant = await createTenant();
    const key = await createApiKey(tenant, OWNER_SCOPES);
    expect((await call('GET', `/v1/tenants/${tenant.id}/agents`, { token: key.secret })).status).toBe(200);
    expect((await call('GET', `/v1/tenants/${tenant.id}/agents`, { token: await adminToken() })).status).toBe(
      200,
    );
    const users = await call<{ items: UserLine[] }>('GET', `/v1/tenants/${tenant.id}/users`, {
      token: tenant.owner.token,
    });
    // The owner's one sign-in only; the platform admin is no member, the key no person.
    expect(users.body.items.map((user) => user.signInCount)).toEqual([1]);
    expect(await signIns(tenant)).toHaveLength(1);
  });
});
