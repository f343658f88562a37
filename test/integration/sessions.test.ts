import { InitiateAuthCommand } from '@aws-sdk/client-cognito-identity-provider';
import { describe, expect, it } from 'vitest';
import {
  addUser,
  call,
  cognito,
  createTenant,
  freshSignIn,
  storedAuditEvents,
  twin,
  type TestTenant,
} from '../helpers/twin-api';

/**
 * Sessions: where a person is signed in, ending one or all of them, and an admin signing a member
 * out of a tenant. What ends is refused by the API at once, whatever the token's own expiry.
 */
interface SessionList {
  items: Array<{
    id: string;
    signedInAt: string;
    via: string;
    userAgent: string | null;
    tenants: string[];
    current: boolean;
  }>;
}

const LOCAL_PASSWORD = 'Tenantry-Local-1!';
/** Sign-ins are told apart by their `auth_time`, in whole seconds. */
const nextSecond = () => new Promise((resolve) => setTimeout(resolve, 1_100));

/** A new sign-in of the person that has reached the tenant once (which records its session). */
async function signInTo(tenant: TestTenant, email: string, userAgent: string): Promise<string> {
  await nextSecond();
  const token = await freshSignIn(email);
  const first = await call('GET', `/v1/tenants/${tenant.id}/agents`, {
    token,
    headers: { 'user-agent': userAgent },
  });
  expect(first.status, first.text).toBe(200);
  return token;
}

async function refreshTokenOf(email: string): Promise<string> {
  await nextSecond();
  const signedIn = await cognito.send(
    new InitiateAuthCommand({
      AuthFlow: 'USER_PASSWORD_AUTH',
      ClientId: twin.clientId,
      AuthParameters: { USERNAME: email, PASSWORD: LOCAL_PASSWORD },
    }),
  );
  return signedIn.AuthenticationResult?.RefreshToken ?? '';
}

async function refreshes(refreshToken: string): Promise<boolean> {
  try {
    const refreshed = await cognito.send(
      new InitiateAuthCommand({
        AuthFlow: 'REFRESH_TOKEN_AUTH',
        ClientId: twin.clientId,
        AuthParameters: { REFRESH_TOKEN: refreshToken },
      }),
    );
    return Boolean(refreshed.AuthenticationResult?.IdToken);
  } catch {
    return false;
  }
}

describe('a person’s sessions', () => {
  it('lists where the person is signed in, newest first, marking the one asking', async () => {
    const tenant = await createTenant();
    const laptop = await signInTo(tenant, tenant.owner.email, 'Laptop Firefox');
    const phone = await signInTo(tenant, tenant.owner.email, 'Phone Safari');
    const listed = await call<SessionList>('GET', '/v1/me/sessions', { token: laptop });
    expect(listed.status, listed.text).toBe(200);
    const [newest, older] = listed.body.items;
    expect(newest).toMatchObject({
      userAgent: 'Phone Safari',
      via: 'password',
      tenants: [tenant.id],
      current: false,
    });
    expect(older).toMatchObject({ userAgent: 'Laptop Firefox', current: true });
    expect(newest?.id).toMatch(/^ses_\d+$/);
    // Asked from the phone, the phone's is the current one.
    const fromPhone = await call<SessionList>('GET', '/v1/me/sessions', { token: phone });
    expect(fromPhone.body.items.find((session) => session.current)?.userAgent).toBe('Phone Safari');
    // Another person sees none of them (ids are a person's own: another's may be the same second's).
    const other = await createTenant();
    const theirs = await call<SessionList>('GET', '/v1/me/sessions', { token: other.owner.token });
    expect(theirs.body.items.length).toBeGreaterThan(0);
    expect(theirs.body.items.map((session) => session.userAgent)).not.toContain('Phone Safari');
    expect(theirs.body.items.map((session) => session.tenants).flat()).not.toContain(tenant.id);
  });

  it('ends one session: its token is refused at once, the others go on', async () => {
    const tenant = await createTenant();
    const laptop = await signInTo(tenant, tenant.owner.email, 'Laptop');
    const lost = await signInTo(tenant, tenant.owner.email, 'Lost phone');
    const sessions = await call<SessionList>('GET', '/v1/me/sessions', { token: laptop });
    const lostId = sessions.body.items.find((session) => session.userAgent === 'Lost phone')?.id ?? '';
    const ended = await call('DELETE', `/v1/me/sessions/${lostId}`, { token: laptop });
    expect(ended.status, ended.text).toBe(204);
    const refused = await call('GET', `/v1/tenants/${tenant.id}/agents`, { token: lost });
    expect(refused.status).toBe(401);
    expect(refused.body).toMatchObject({ code: 'session_revoked' });
    expect((await call('GET', '/v1/me', { token: lost })).status).toBe(401);
    // Positive control: the laptop goes on, and no longer lists the ended session.
    expect((await call('GET', `/v1/tenants/${tenant.id}/agents`, { token: laptop })).status).toBe(200);
    const after = await call<SessionList>('GET', '/v1/me/sessions', { token: laptop });
    expect(after.body.items.map((session) => session.id)).not.toContain(lostId);
    // Ended already, or never one's own: not found.
    expect((await call('DELETE', `/v1/me/sessions/${lostId}`, { token: laptop })).status).toBe(404);
    expect((await call('DELETE', '/v1/me/sessions/ses_1000000000', { token: laptop })).status).toBe(404);
  });

  it('signs out everywhere: every token is refused and the refresh tokens are revoked; a new sign-in works', async () => {
    const tenant = await createTenant();
    const refreshToken = await refreshTokenOf(tenant.owner.email);
    expect(await refreshes(refreshToken)).toBe(true);
    const one = await signInTo(tenant, tenant.owner.email, 'One');
    const two = await signInTo(tenant, tenant.owner.email, 'Two');
    const out = await call('DELETE', '/v1/me/sessions', { token: one });
    expect(out.status, out.text).toBe(204);
    for (const token of [one, two]) {
      const refused = await call('GET', `/v1/tenants/${tenant.id}`, { token });
      expect(refused.status).toBe(401);
      expect(refused.body).toMatchObject({ code: 'session_revoked' });
    }
    expect(await refreshes(refreshToken)).toBe(false);
    const again = await signInTo(tenant, tenant.owner.email, 'Again');
    expect((await call('GET', '/v1/me/sessions', { token: again })).status).toBe(200);
  });
});

describe('an admin signing a member out', () => {
  it('ends the member’s sessions in the tenant only; they sign in again to come back', async () => {
    const [tenant, elsewhere] = await Promise.all([createTenant(), createTenant()]);
    const member = await addUser(tenant, 'member');
    const invited = await call('POST', `/v1/tenants/${elsewhere.id}/users`, {
      token: elsewhere.owner.token,
      body: { email: member.email, role: 'viewer' },
    });
    expect(invited.status, invited.text).toBe(201);
    const token = await signInTo(tenant, member.email, 'Member');
    expect((await call('GET', `/v1/tenants/${elsewhere.id}`, { token })).status).toBe(200);

    const out = await call('POST', `/v1/tenants/${tenant.id}/users/${member.id}/sign-out`, {
      token: tenant.owner.token,
      body: {},
    });
    expect(out.status, out.text).toBe(204);
    const refused = await call('GET', `/v1/tenants/${tenant.id}/agents`, { token });
    expect(refused.status).toBe(401);
    expect(refused.body).toMatchObject({ code: 'session_revoked' });
    // The other tenant is the member's own business.
    expect((await call('GET', `/v1/tenants/${elsewhere.id}`, { token })).status).toBe(200);
    const audited = (await storedAuditEvents(tenant.id)).filter(
      (event) => event.action === 'user.signed_out' && event.targetId === member.id,
    );
    expect(audited).toHaveLength(1);

    const back = await signInTo(tenant, member.email, 'Member again');
    expect((await call('GET', `/v1/tenants/${tenant.id}/agents`, { token: back })).status).toBe(200);
    // The last sign-in is shown to admins.
    const shown = await call<{ lastSignInAt: string | null }>(
      'GET',
      `/v1/tenants/${tenant.id}/users/${member.id}`,
      {
        token: tenant.owner.token,
      },
    );
    expect(shown.body.lastSignInAt).not.toBeNull();
  });

  it('refuses a member signing anyone out, and an admin signing out an owner', async () => {
    const tenant = await createTenant();
    const [admin, member] = await Promise.all([addUser(tenant, 'admin'), addUser(tenant, 'member')]);
    const byMember = await call('POST', `/v1/tenants/${tenant.id}/users/${admin.id}/sign-out`, {
      token: member.token,
      body: {},
    });
    expect(byMember.status).toBe(403);
    const ofOwner = await call('POST', `/v1/tenants/${tenant.id}/users/${tenant.owner.id}/sign-out`, {
      token: admin.token,
      body: {},
    });
    expect(ofOwner.status).toBe(403);
    expect(ofOwner.body).toMatchObject({ code: 'role_above_own' });
    expect((await call('GET', `/v1/tenants/${tenant.id}`, { token: tenant.owner.token })).status).toBe(200);
    // Positive control: the admin signs the member out.
    const ofMember = await call('POST', `/v1/tenants/${tenant.id}/users/${member.id}/sign-out`, {
      token: admin.token,
      body: {},
    });
    expect(ofMember.status).toBe(204);
    expect((await call('GET', `/v1/tenants/${tenant.id}`, { token: member.token })).status).toBe(401);
  });
});
