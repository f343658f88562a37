import { beforeAll, describe, expect, it } from 'vitest';
import {
  AdminDeleteUserCommand,
  AdminGetUserCommand,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import {
  activate,
  addUser,
  call,
  cognito,
  createTenant,
  inbox,
  storedAuditEvents,
  table,
  temporaryPasswordIn,
  twin,
  unique,
  type TestTenant,
} from '../helpers/twin-api';

interface Invited {
  id: string;
  status: string;
  invitationExpiresAt: string | null;
}

async function invite(
  tenant: TestTenant,
  at?: Date,
): Promise<{ id: string; email: string; expiresAt: string }> {
  const email = `${unique('invitee')}@example.test`;
  const response = await call<Invited>('POST', `/v1/tenants/${tenant.id}/users`, {
    token: tenant.owner.token,
    body: { email, role: 'member' },
    ...(at ? { at } : {}),
  });
  expect(response.status).toBe(201);
  return { id: response.body.id, email, expiresAt: response.body.invitationExpiresAt ?? '' };
}

const DAY = 86_400_000;

/** Invitations can be listed, resent and revoked, and expire after 7 days (INVITATION_TTL_DAYS). */
describe('invitations', () => {
  let tenant: TestTenant;

  beforeAll(async () => {
    tenant = await createTenant();
  });

  it('tells a pending invitation from a membership when the same address is invited again', async () => {
    const pending = await invite(tenant);
    const again = await call('POST', `/v1/tenants/${tenant.id}/users`, {
      token: tenant.owner.token,
      body: { email: pending.email, role: 'member' },
    });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'already_invited' });
    // Once accepted (the invitee's first request), the same request is refused as a membership.
    const token = await activate(pending.email);
    expect((await call('GET', `/v1/tenants/${tenant.id}`, { token })).status).toBe(200);
    const member = await call('POST', `/v1/tenants/${tenant.id}/users`, {
      token: tenant.owner.token,
      body: { email: pending.email, role: 'member' },
    });
    expect(member.body).toMatchObject({ code: 'already_member' });
  });

  it('lists the pending invitations with when each expires', async () => {
    const pending = await invite(tenant);
    const list = await call<{ items: Invited[] }>('GET', `/v1/tenants/${tenant.id}/users?status=invited`, {
      token: tenant.owner.token,
    });
    expect(list.body.items.every((item) => item.status === 'invited')).toBe(true);
    const listed = list.body.items.find((item) => item.id === pending.id);
    expect(Date.parse(listed?.invitationExpiresAt ?? '') - Date.now()).toBeGreaterThan(6.9 * DAY);
  });

  it('audits an acceptance once, by the invitee at their request’s time, however many first requests race', async () => {
    const invited = await invite(tenant);
    const token = await activate(invited.email);
    const at = new Date(Math.floor(Date.now() / 1000) * 1000 + 60_000);
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => call('GET', '/v1/tenants/current', { token, at })),
    );
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200]);
    const accepted = (await storedAuditEvents(tenant.id)).filter(
      (event) => event.action === 'user.invitation_accepted' && event.targetId === invited.id,
    );
    expect(accepted).toHaveLength(1);
    expect(accepted[0]).toMatchObject({
      actorId: invited.id,
      after: { role: 'member' },
      occurredAt: at.toISOString(),
    });
    const member = await call<{ status: string }>('GET', `/v1/tenants/${tenant.id}/users/${invited.id}`, {
      token: tenant.owner.token,
    });
    expect(member.body.status).toBe('active');
  });

  it('refuses an invitation accepted after it expired, with 403 invitation_expired', async () => {
    const old = await invite(tenant, new Date(Date.now() - 8 * DAY));
    const token = await activate(old.email);
    const response = await call('GET', `/v1/tenants/${tenant.id}/agents`, { token });
    expect(response.status).toBe(403);
    expect(response.body).toMatchObject({ code: 'invitation_expired' });
  });

  it('lets a resent invitation be accepted (positive control)', async () => {
    const old = await invite(tenant, new Date(Date.now() - 8 * DAY));
    const resent = await call<Invited>('POST', `/v1/tenants/${tenant.id}/users/${old.id}/resend-invitation`, {
      token: tenant.owner.token,
    });
    expect(resent.status).toBe(200);
    expect(Date.parse(resent.body.invitationExpiresAt ?? '')).toBeGreaterThan(Date.now() + 6.9 * DAY);
    const token = await activate(old.email);
    expect((await call('GET', `/v1/tenants/${tenant.id}/agents`, { token })).status).toBe(200);
    const again = await call('POST', `/v1/tenants/${tenant.id}/users/${old.id}/resend-invitation`, {
      token: tenant.owner.token,
    });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'not_invited' });
  });

  it('revokes an invitation by removing the user', async () => {
    const pending = await invite(tenant);
    expect(
      (await call('DELETE', `/v1/tenants/${tenant.id}/users/${pending.id}`, { token: tenant.owner.token }))
        .status,
    ).toBe(204);
    const token = await activate(pending.email);
    const response = await call('GET', `/v1/tenants/${tenant.id}/agents`, { token });
    expect(response.status).toBe(403);
  });

  it('shows pending invitations and their addresses only to those who may invite', async () => {
    const pending = await invite(tenant);
    const [member, viewer, admin] = await Promise.all([
      addUser(tenant, 'member'),
      addUser(tenant, 'viewer'),
      addUser(tenant, 'admin'),
    ]);
    for (const reader of [member, viewer]) {
      const list = await call<{ items: Array<{ id: string; status: string; email: string }> }>(
        'GET',
        `/v1/tenants/${tenant.id}/users?limit=100`,
        { token: reader.token },
      );
      expect(list.status).toBe(200);
      expect(list.body.items.some((item) => item.status === 'invited')).toBe(false);
      expect(list.text).not.toContain(pending.email);
      expect(list.body.items.some((item) => item.id === member.id)).toBe(true);
      const invited = await call('GET', `/v1/tenants/${tenant.id}/users?status=invited`, {
        token: reader.token,
      });
      expect(invited.status).toBe(403);
      expect(invited.body).toMatchObject({ code: 'permission_denied', requiredPermission: 'users:invite' });
      const one = await call('GET', `/v1/tenants/${tenant.id}/users/${pending.id}`, { token: reader.token });
      expect(one.status).toBe(404);
      expect(one.text).not.toContain(pending.email);
    }
    // Positive control: an admin and the owner see the invitation, listed and alone.
    for (const manager of [admin.token, tenant.owner.token]) {
      const invited = await call<{ items: Array<{ id: string }> }>(
        'GET',
        `/v1/tenants/${tenant.id}/users?status=invited&limit=100`,
        { token: manager },
      );
      expect(invited.body.items.map((item) => item.id)).toContain(pending.id);
      const one = await call('GET', `/v1/tenants/${tenant.id}/users/${pending.id}`, { token: manager });
      expect(one.body).toMatchObject({ id: pending.id, email: pending.email, status: 'invited' });
    }
  });

  it('sends one email per invitation with the link and a temporary password; a resend sends one more, whose new password signs in', async () => {
    const pending = await invite(tenant);
    const subject = `[${tenant.name}] You are invited to ${tenant.name}`;
    const [first] = await inbox(pending.email, { subject: 'You are invited', waitMs: 30_000 });
    expect(first?.subject).toBe(subject);
    // Cognito's email, made by the user pool's custom message trigger: why, where, and the password.
    // (Sent as HTML, as Cognito sends it; the inbox's text of it wraps lines.)
    const words = (first?.text ?? '').replace(/\s+/g, ' ');
    expect(words).toContain(
      `${tenant.owner.email} invited you to ${tenant.name} (${tenant.slug}) as member.`,
    );
    expect(words).toContain(`${twin.apiUrl}/t/${tenant.id}?email=${encodeURIComponent(pending.email)}`);
    expect(temporaryPasswordIn(first?.text ?? '')).not.toBe('');
    const resent = await call('POST', `/v1/tenants/${tenant.id}/users/${pending.id}/resend-invitation`, {
      token: tenant.owner.token,
    });
    expect(resent.status).toBe(200);
    const both = await inbox(pending.email, { atLeast: 2, waitMs: 30_000 });
    expect(both.map((mail) => mail.subject)).toEqual([subject, subject]);
    const renewed = temporaryPasswordIn(both[1]?.text ?? '');
    expect(renewed).not.toBe('');
    expect(renewed).not.toBe(temporaryPasswordIn(first?.text ?? ''));
    // No second email of either invitation (the user.invited event's own email is for known people,
    // whose email the next test sees arrive through the same pipeline).
    expect(await inbox(pending.email, { atLeast: 3, waitMs: 3_000 })).toHaveLength(2);
    // The new temporary password is the one that works: Cognito asks for the person's own.
    const signIn = await cognito.send(
      new InitiateAuthCommand({
        AuthFlow: 'USER_PASSWORD_AUTH',
        ClientId: twin.clientId,
        AuthParameters: { USERNAME: pending.email, PASSWORD: renewed },
      }),
    );
    expect(signIn.ChallengeName).toBe('NEW_PASSWORD_REQUIRED');
  });

  it('resends only the invitation to a person who has their own password', async () => {
    const other = await createTenant();
    const member = await addUser(other, 'member');
    // Their first invitation (to the other tenant) brought their temporary password: one email.
    const first = await inbox(member.email, { subject: `You are invited to ${other.name}`, waitMs: 30_000 });
    expect(temporaryPasswordIn(first[0]?.text ?? '')).not.toBe('');
    const invited = await call<Invited>('POST', `/v1/tenants/${tenant.id}/users`, {
      token: tenant.owner.token,
      body: { email: member.email, role: 'viewer' },
    });
    expect(invited.status).toBe(201);
    await inbox(member.email, { subject: `You are invited to ${tenant.name}`, waitMs: 30_000 });
    const resent = await call('POST', `/v1/tenants/${tenant.id}/users/${invited.body.id}/resend-invitation`, {
      token: tenant.owner.token,
    });
    expect(resent.status).toBe(200);
    const invitations = await inbox(member.email, {
      subject: `You are invited to ${tenant.name}`,
      atLeast: 2,
      waitMs: 30_000,
    });
    expect(invitations).toHaveLength(2);
    // Their password is theirs: neither email brings a temporary one, and they still sign in with it.
    expect(invitations.map((mail) => temporaryPasswordIn(mail.text))).toEqual(['', '']);
    expect(invitations[0]?.text).toContain('Sign in to the console with your account');
    expect(await inbox(member.email, { waitMs: 0 })).toHaveLength(3);
    expect((await call('GET', `/v1/tenants/${other.id}/agents`, { token: member.token })).status).toBe(200);
  });

  it('makes a lost sign-in again when the invitation is resent, under the invitation’s own user id', async () => {
    const { id, email } = await invite(tenant);
    // What a purge of the person's last other tenant leaves when it races this invitation: the
    // membership, with neither the sign-in nor the address's claim.
    await cognito.send(new AdminDeleteUserCommand({ UserPoolId: twin.userPoolId, Username: email }));
    await table.send(
      new DeleteCommand({ TableName: twin.tableName, Key: { pk: `EMAIL#${email}`, sk: 'EMAIL' } }),
    );
    const resent = await call('POST', `/v1/tenants/${tenant.id}/users/${id}/resend-invitation`, {
      token: tenant.owner.token,
    });
    expect(resent.status, resent.text).toBe(200);
    const person = await cognito.send(
      new AdminGetUserCommand({ UserPoolId: twin.userPoolId, Username: email }),
    );
    expect(person.UserAttributes?.find((attribute) => attribute.Name === 'custom:userId')?.Value).toBe(id);
    // The invitee signs in with it and is a member.
    const token = await activate(email);
    const current = await call<{ id: string }>('GET', '/v1/tenants/current', { token });
    expect(current.status, current.text).toBe(200);
    expect(current.body.id).toBe(tenant.id);
  });
});
