import { beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt } from 'jose';
import { addPerson, discoverAndSignIn, ssoTenant, type SsoOutcome } from '../helpers/sso-sign-in';
import {
  call,
  createApiKey,
  createTenant,
  quotaUsed,
  storedAuditEvents,
  twin,
  unique,
  type ApiResponse,
  type TestApiKey,
  type TestTenant,
} from '../helpers/twin-api';

/**
 * SCIM 2.0 on the twin: a tenant's directory (its API key scoped to `directory:sync`) provisions,
 * changes and deprovisions people and groups, and what it does is what sign-in and the API see.
 */
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

interface ScimUser {
  id: string;
  userName: string;
  active: boolean;
  displayName?: string;
  externalId?: string;
  name?: { givenName?: string; familyName?: string };
  roles: Array<{ value: string }>;
  meta: { location: string; resourceType: string; lastModified: string };
}
interface ScimList<T> {
  totalResults: number;
  startIndex: number;
  itemsPerPage: number;
  Resources: T[];
}
interface ScimGroup {
  id: string;
  displayName: string;
  members: Array<{ value: string }>;
}

let tenant: TestTenant;
let domain: string;
let directory: TestApiKey;

function scim<T = Record<string, unknown>>(
  method: string,
  path: string,
  body?: unknown,
  token: string = directory.secret,
  on: TestTenant = tenant,
): Promise<ApiResponse<T>> {
  return call<T>(method, `/v1/tenants/${on.id}/scim/v2${path}`, {
    token,
    ...(body === undefined ? {} : { body, headers: { 'content-type': 'application/scim+json' } }),
  });
}

function expectScimError(response: ApiResponse, status: number, scimType?: string): void {
  expect(response.status, response.text).toBe(status);
  expect(response.headers.get('content-type')).toBe('application/scim+json');
  expect(response.body).toMatchObject({
    schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
    status: String(status),
    ...(scimType ? { scimType } : {}),
  });
  expect(typeof response.body.detail).toBe('string');
}

async function provision(local: string, extra: Record<string, unknown> = {}): Promise<ScimUser> {
  const created = await scim<ScimUser>('POST', '/Users', {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    userName: `${local}@${domain}`,
    name: { givenName: local, familyName: 'Tester' },
    active: true,
    ...extra,
  });
  expect(created.status, created.text).toBe(201);
  return created.body;
}

async function member(userId: string): Promise<{ role: string; status: string } | undefined> {
  const response = await call<{ role: string; status: string }>(
    'GET',
    `/v1/tenants/${tenant.id}/users/${userId}`,
    {
      token: tenant.owner.token,
    },
  );
  return response.status === 200 ? response.body : undefined;
}

const usersUsed = (): Promise<number> => quotaUsed(tenant, 'users');

async function membersCount(): Promise<number> {
  const users = await call<{ items: unknown[] }>('GET', `/v1/tenants/${tenant.id}/users?limit=100`, {
    token: tenant.owner.token,
  });
  return users.body.items.length;
}

const signIn = (email: string): Promise<SsoOutcome> => discoverAndSignIn(email);

beforeAll(async () => {
  ({ tenant, domain } = await ssoTenant());
  directory = await createApiKey(tenant, ['directory:sync'], { name: 'Okta SCIM' });
});

describe('SCIM users', () => {
  it('describes itself, in SCIM’s media type', async () => {
    const config = await scim('GET', '/ServiceProviderConfig');
    expect(config.status).toBe(200);
    expect(config.headers.get('content-type')).toBe('application/scim+json');
    expect(config.body).toMatchObject({
      patch: { supported: true },
      filter: { supported: true, maxResults: 200 },
    });
  });

  it('provisions a person as an active member, found by userName whatever its case', async () => {
    const before = await usersUsed();
    const ada = await provision('ada', { externalId: '00u-ada', displayName: 'Ada T.' });
    expect(ada).toMatchObject({
      userName: `ada@${domain}`,
      active: true,
      externalId: '00u-ada',
      displayName: 'Ada T.',
      name: { givenName: 'ada', familyName: 'Tester' },
      roles: [{ value: 'member' }],
      meta: { resourceType: 'User', location: `/v1/tenants/${tenant.id}/scim/v2/Users/${ada.id}` },
    });
    expect(ada.id).toMatch(/^usr_/);
    expect(await member(ada.id)).toMatchObject({ role: 'member', status: 'active' });
    expect(await usersUsed()).toBe(before + 1);

    const found = await scim<ScimList<ScimUser>>(
      'GET',
      `/Users?filter=${encodeURIComponent(`userName eq "ADA@${domain.toUpperCase()}"`)}`,
    );
    expect(found.status, found.text).toBe(200);
    expect(found.body).toMatchObject({ totalResults: 1, startIndex: 1, itemsPerPage: 1 });
    expect(found.body.Resources[0]?.id).toBe(ada.id);
    const none = await scim<ScimList<ScimUser>>(
      'GET',
      `/Users?filter=${encodeURIComponent(`userName eq "nobody@${domain}"`)}`,
    );
    expect(none.body).toMatchObject({ totalResults: 0, Resources: [] });
    const byExternal = await scim<ScimList<ScimUser>>(
      'GET',
      `/Users?filter=${encodeURIComponent('externalId eq "00u-ada" and active eq true')}`,
    );
    expect(byExternal.body.Resources.map((user) => user.id)).toEqual([ada.id]);

    const audited = (await storedAuditEvents(tenant.id)).filter(
      (event) => event.action === 'user.provisioned' && event.targetId === ada.id,
    );
    expect(audited).toHaveLength(1);
  });

  it('pages with startIndex and count, totalResults counting every match', async () => {
    const prefix = unique('page').toLowerCase();
    for (const n of [1, 2, 3]) await provision(`${prefix}-${n}`);
    const filter = encodeURIComponent(`userName sw "${prefix}-"`);
    const first = await scim<ScimList<ScimUser>>('GET', `/Users?filter=${filter}&startIndex=1&count=2`);
    const second = await scim<ScimList<ScimUser>>('GET', `/Users?filter=${filter}&startIndex=3&count=2`);
    expect(first.body).toMatchObject({ totalResults: 3, startIndex: 1, itemsPerPage: 2 });
    expect(second.body).toMatchObject({ totalResults: 3, startIndex: 3, itemsPerPage: 1 });
    const ids = [...first.body.Resources, ...second.body.Resources].map((user) => user.userName);
    expect(new Set(ids).size).toBe(3);
    const counted = await scim<ScimList<ScimUser>>('GET', `/Users?filter=${filter}&count=0`);
    expect(counted.body).toMatchObject({ totalResults: 3, itemsPerPage: 0, Resources: [] });
  });

  it('refuses a second provisioning of the same address (uniqueness), changing nothing', async () => {
    await provision('twice');
    const before = await usersUsed();
    const again = await scim('POST', '/Users', { userName: `twice@${domain}` });
    expectScimError(again, 409, 'uniqueness');
    expect(again.body).toMatchObject({ code: 'scim_user_exists' });
    expect(await usersUsed()).toBe(before);
  });

  it('provisions only addresses of the tenant’s verified domains', async () => {
    const before = await usersUsed();
    const outside = await scim('POST', '/Users', {
      userName: `mallory@${unique('other').toLowerCase()}.example`,
    });
    expectScimError(outside, 400, 'invalidValue');
    expect(outside.body).toMatchObject({ code: 'scim_domain_not_captured' });
    expect(await usersUsed()).toBe(before);
  });

  it('answers bad filters, bodies and patches in SCIM’s error format', async () => {
    expectScimError(
      await scim('GET', `/Users?filter=${encodeURIComponent('userName eq')}`),
      400,
      'invalidFilter',
    );
    expectScimError(
      await scim('GET', `/Users?filter=${encodeURIComponent('password eq "x"')}`),
      400,
      'invalidFilter',
    );
    expectScimError(await scim('POST', '/Users', { userName: 'not-an-address' }), 400, 'invalidValue');
    const ada = await provision(unique('bad').toLowerCase());
    const badOp = await scim('PATCH', `/Users/${ada.id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'move', path: 'active', value: false }],
    });
    expectScimError(badOp, 400);
    const renamed = await scim('PUT', `/Users/${ada.id}`, { userName: `someone-else@${domain}` });
    expectScimError(renamed, 400, 'mutability');
    // Nothing changed.
    expect(await member(ada.id)).toMatchObject({ status: 'active' });
    expectScimError(await scim('GET', '/Users/usr_01AAAAAAAAAAAAAAAAAAAAAAAA'), 404);
  });

  it('applies PATCH as Okta and Entra ID send it, and PUT as a whole', async () => {
    const user = await provision(unique('patch').toLowerCase());
    const okta = await scim<ScimUser>('PATCH', `/Users/${user.id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'replace', value: { displayName: 'Okta Name', 'name.familyName': 'Changed' } }],
    });
    expect(okta.status, okta.text).toBe(200);
    expect(okta.body).toMatchObject({
      displayName: 'Okta Name',
      name: { familyName: 'Changed' },
      active: true,
    });
    const entra = await scim<ScimUser>('PATCH', `/Users/${user.id}`, {
      schemas: [PATCH_OP],
      Operations: [
        { op: 'Replace', path: 'externalId', value: 'entra-1' },
        { op: 'Add', path: 'name.givenName', value: 'Given' },
      ],
    });
    expect(entra.body).toMatchObject({ externalId: 'entra-1', name: { givenName: 'Given' } });
    const put = await scim<ScimUser>('PUT', `/Users/${user.id}`, { userName: user.userName, active: true });
    expect(put.body.displayName).toBeUndefined();
    expect(put.body.externalId).toBeUndefined();
    const read = await scim<ScimUser>('GET', `/Users/${user.id}`);
    expect(read.body).toEqual(put.body);
  });

  it('provisions, signs the person in through the provider, deactivates them (refused), reactivates them', async () => {
    const email = `linus-${unique('p').toLowerCase()}@${domain}`;
    await addPerson(email);
    const created = await scim<ScimUser>('POST', '/Users', { userName: email });
    expect(created.status, created.text).toBe(201);
    const userId = created.body.id;

    // Provisioned: the first sign-in finds the membership the directory made (no second one).
    const first = await signIn(email);
    expect(first.error, first.errorDescription).toBeUndefined();
    const token = first.tokens?.id_token ?? '';
    expect(decodeJwt(token)['custom:userId']).toBe(userId);
    const inside = await call('GET', `/v1/tenants/${tenant.id}/agents`, { token });
    expect(inside.status, inside.text).toBe(200);

    // Entra ID's deactivation: booleans as strings.
    const off = await scim<ScimUser>('PATCH', `/Users/${userId}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'Replace', path: 'active', value: 'False' }],
    });
    expect(off.status, off.text).toBe(200);
    expect(off.body.active).toBe(false);
    expect(await member(userId)).toMatchObject({ status: 'disabled' });
    // The session held is refused at once, and no new one is made.
    const refused = await call('GET', `/v1/tenants/${tenant.id}/agents`, { token });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: 'membership_inactive' });
    const again = await signIn(email);
    expect(again.tokens).toBeUndefined();
    expect(again.errorDescription).toContain('removed');
    // The refresh token the session held no longer works (the provider sign-in was signed out).
    const refreshed = await fetch(`${twin.cognitoEndpoint}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        client_id: twin.clientId,
        refresh_token: first.tokens?.refresh_token ?? '',
      }),
    });
    expect(refreshed.ok).toBe(false);
    const audit = (await storedAuditEvents(tenant.id)).filter((event) => event.targetId === userId);
    expect(audit.map((event) => event.action)).toEqual(
      expect.arrayContaining(['user.provisioned', 'user.deactivated']),
    );

    // Reactivated: the person signs in again.
    const on = await scim<ScimUser>('PATCH', `/Users/${userId}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'replace', value: { active: true } }],
    });
    expect(on.body.active).toBe(true);
    const back = await signIn(email);
    expect(back.error, back.errorDescription).toBeUndefined();
    const allowed = await call('GET', `/v1/tenants/${tenant.id}/agents`, {
      token: back.tokens?.id_token ?? '',
    });
    expect(allowed.status).toBe(200);
  });

  it('deprovisions with DELETE: the membership goes and its seat is given back', async () => {
    const user = await provision(unique('gone').toLowerCase());
    const before = await usersUsed();
    const deleted = await scim('DELETE', `/Users/${user.id}`);
    expect(deleted.status, deleted.text).toBe(204);
    expect(await member(user.id)).toBeUndefined();
    expect(await usersUsed()).toBe(before - 1);
    expectScimError(await scim('GET', `/Users/${user.id}`), 404);
    expect(await usersUsed()).toBe(await membersCount());
  });

  it('provisions one membership when the directory sends the same person five times at once', async () => {
    const email = `${unique('race').toLowerCase()}@${domain}`;
    const before = await usersUsed();
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => scim<ScimUser>('POST', '/Users', { userName: email })),
    );
    expect(answers.map((answer) => answer.status).sort()).toEqual([201, 409, 409, 409, 409]);
    expect(await usersUsed()).toBe(before + 1);
    expect(await usersUsed()).toBe(await membersCount());
  });

  it('applies one of two PATCHes of the same person at a time: the other is a 409, nothing half-done', async () => {
    const user = await provision(unique('twice').toLowerCase());
    const names = ['First', 'Second', 'Third', 'Fourth', 'Fifth'];
    const answers = await Promise.all(
      names.map((name) =>
        scim<ScimUser>('PATCH', `/Users/${user.id}`, {
          schemas: [PATCH_OP],
          Operations: [{ op: 'replace', path: 'name.givenName', value: name }],
        }),
      ),
    );
    const applied = answers.filter((answer) => answer.status === 200);
    expect(applied.length).toBeGreaterThanOrEqual(1);
    for (const answer of answers.filter((answer) => answer.status !== 200)) {
      expectScimError(answer as unknown as ApiResponse, 409);
      expect(answer.body).toMatchObject({ code: 'concurrent_modification' });
    }
    // What stands is what the last applied change answered; each applied change audited once.
    const read = await scim<ScimUser>('GET', `/Users/${user.id}`);
    expect(applied.map((answer) => answer.body.name?.givenName)).toContain(read.body.name?.givenName);
    expect(applied.map((answer) => answer.body.meta.lastModified)).toContain(read.body.meta.lastModified);
    const updates = (await storedAuditEvents(tenant.id)).filter(
      (event) => event.action === 'user.updated' && event.targetId === user.id,
    );
    expect(updates).toHaveLength(applied.length);
  });
});

describe('SCIM groups', () => {
  it('makes a member’s role follow the groups the tenant’s role mapping names', async () => {
    const ada = await provision(unique('grp').toLowerCase());
    const created = await scim<ScimGroup>('POST', '/Groups', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
      displayName: 'tenantry-admins',
      members: [{ value: ada.id }],
    });
    expect(created.status, created.text).toBe(201);
    expect(created.headers.get('location')).toBe(
      `/v1/tenants/${tenant.id}/scim/v2/Groups/${created.body.id}`,
    );
    expect(created.body.members.map((m) => m.value)).toEqual([ada.id]);
    // `tenantry-admins` maps to admin (ssoTenant's role mapping).
    expect(await member(ada.id)).toMatchObject({ role: 'admin' });

    const listed = await scim<ScimList<ScimGroup>>(
      'GET',
      `/Groups?filter=${encodeURIComponent('displayName eq "TENANTRY-ADMINS"')}&excludedAttributes=members`,
    );
    expect(listed.body.Resources.map((group) => group.id)).toContain(created.body.id);
    expect(listed.body.Resources[0]?.members).toEqual([]);

    const removed = await scim<ScimGroup>('PATCH', `/Groups/${created.body.id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'remove', path: `members[value eq "${ada.id}"]` }],
    });
    expect(removed.status, removed.text).toBe(200);
    expect(removed.body.members).toEqual([]);
    expect(await member(ada.id)).toMatchObject({ role: 'member' });

    const added = await scim<ScimGroup>('PATCH', `/Groups/${created.body.id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'add', path: 'members', value: [{ value: ada.id }] }],
    });
    expect(added.body.members.map((m) => m.value)).toEqual([ada.id]);
    expect(await member(ada.id)).toMatchObject({ role: 'admin' });

    const deleted = await scim('DELETE', `/Groups/${created.body.id}`);
    expect(deleted.status).toBe(204);
    expect(await member(ada.id)).toMatchObject({ role: 'member' });
    expectScimError(await scim('GET', `/Groups/${created.body.id}`), 404);
  });

  it('never changes an owner’s role, and refuses members who are not users of the tenant', async () => {
    const group = await scim<ScimGroup>('POST', '/Groups', {
      displayName: 'tenantry-admins',
      members: [{ value: tenant.owner.id }],
    });
    expect(group.status, group.text).toBe(201);
    expect(await member(tenant.owner.id)).toMatchObject({ role: 'owner' });
    const stranger = await scim('POST', '/Groups', {
      displayName: 'strangers',
      members: [{ value: 'usr_01AAAAAAAAAAAAAAAAAAAAAAAA' }],
    });
    expectScimError(stranger, 400, 'invalidValue');
  });
});

describe('SCIM across tenants', () => {
  it('finds none of another tenant’s users or groups through its own path, and its own', async () => {
    const other = await ssoTenant();
    const otherKey = await createApiKey(other.tenant, ['directory:sync']);
    const theirs = await scim<ScimUser>(
      'POST',
      '/Users',
      { userName: `bea@${other.domain}` },
      otherKey.secret,
      other.tenant,
    );
    const theirGroup = await scim<ScimGroup>(
      'POST',
      '/Groups',
      { displayName: 'theirs', members: [{ value: theirs.body.id }] },
      otherKey.secret,
      other.tenant,
    );
    expect([theirs.status, theirGroup.status]).toEqual([201, 201]);
    const patchActive = {
      schemas: [PATCH_OP],
      Operations: [{ op: 'replace', path: 'active', value: false }],
    };
    const attempts: Array<[string, string, unknown]> = [
      ['GET', `/Users/${theirs.body.id}`, undefined],
      ['PUT', `/Users/${theirs.body.id}`, { userName: `bea@${other.domain}`, active: false }],
      ['PATCH', `/Users/${theirs.body.id}`, patchActive],
      ['DELETE', `/Users/${theirs.body.id}`, undefined],
      ['GET', `/Groups/${theirGroup.body.id}`, undefined],
      [
        'PATCH',
        `/Groups/${theirGroup.body.id}`,
        { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: 'x' }] },
      ],
      ['DELETE', `/Groups/${theirGroup.body.id}`, undefined],
    ];
    for (const [method, path, body] of attempts) {
      const attack = await scim(method, path, body);
      expectScimError(attack, 404);
      expect(attack.text).not.toContain(other.domain);
    }
    // A group of this tenant cannot take the other tenant's user as a member.
    expectScimError(
      await scim('POST', '/Groups', { displayName: 'x', members: [{ value: theirs.body.id }] }),
      400,
    );
    // Theirs are as they were, and read by their own directory.
    const still = await scim<ScimUser>(
      'GET',
      `/Users/${theirs.body.id}`,
      undefined,
      otherKey.secret,
      other.tenant,
    );
    expect(still.body).toMatchObject({ active: true, userName: `bea@${other.domain}` });
    const group = await scim<ScimGroup>(
      'GET',
      `/Groups/${theirGroup.body.id}`,
      undefined,
      otherKey.secret,
      other.tenant,
    );
    expect(group.body).toMatchObject({ displayName: 'theirs', members: [{ value: theirs.body.id }] });
    // Positive control: this tenant's own user, by the same calls.
    const own = await provision(unique('own').toLowerCase());
    expect((await scim('GET', `/Users/${own.id}`)).status).toBe(200);
    expect((await scim('PATCH', `/Users/${own.id}`, patchActive)).status).toBe(200);
    expect((await scim('DELETE', `/Users/${own.id}`)).status).toBe(204);
  });
});

describe('who may call SCIM', () => {
  it('refuses another tenant’s directory token, a key without directory:sync, an admin, and a plan without sso', async () => {
    // The rightful caller, beside each refusal.
    expect((await scim('GET', '/Users')).status).toBe(200);

    const other = await createTenant({ plan: 'enterprise' });
    const otherKey = await createApiKey(other, ['directory:sync']);
    const crossed = await scim('GET', '/Users', undefined, otherKey.secret);
    expect(crossed.status).toBe(403);
    expect((await scim('GET', '/Users', undefined, otherKey.secret, other)).status).toBe(200);

    const readKey = await createApiKey(tenant, ['users:read']);
    const unscoped = await scim('GET', '/Users', undefined, readKey.secret);
    expectScimError(unscoped, 403);
    expect(unscoped.body).toMatchObject({ code: 'permission_denied' });
    expect((await call('GET', `/v1/tenants/${tenant.id}/users`, { token: readKey.secret })).status).toBe(200);

    const starter = await createTenant({ plan: 'starter' });
    const starterKey = await createApiKey(starter, ['directory:sync']);
    const unsold = await scim('GET', '/Users', undefined, starterKey.secret, starter);
    expectScimError(unsold, 403);
    expect(unsold.body).toMatchObject({ code: 'feature_not_in_plan' });
  });
});
