import { describe, expect, it } from 'vitest';
import { LOCAL_PASSWORD } from '../../infra/local/seed';
import { signIn } from '../../infra/local/sign-in';
import {
  activate,
  addUser,
  adminToken,
  call,
  createTenant,
  inbox,
  postFrom,
  storedAuditEvents,
  twin,
  unique,
} from '../helpers/twin-api';

interface TenantPage {
  items: Array<{ id: string; status: string; plan: string }>;
  nextCursor: string | null;
}

interface Me {
  user: { id: string };
  memberships: Array<{ tenantId: string; tenantSlug: string; role: string; status: string }>;
}

/** A signup from an address of its own (the per-address limit is tested on its own). */
function signUp(body: unknown) {
  const part = () => 1 + Math.floor(Math.random() * 250);
  return call('POST', '/v1/tenants/signup', { body, from: `127.${part()}.${part()}.${part()}` });
}

/** The answer as a client sees it, less what differs between any two requests. */
function comparable(response: { status: number; headers: Headers; body: unknown }) {
  const headers = Object.fromEntries(
    [...response.headers.entries()].filter(
      ([name]) => !['apigw-requestid', 'date', 'content-length'].includes(name),
    ),
  );
  return { status: response.status, headers, body: { ...(response.body as object), email: '…' } };
}

describe('tenant signup', () => {
  it('creates a tenant on a trial of the Starter plan and an invited owner, who finds it after signing in', async () => {
    const slug = unique('signup');
    const response = await signUp({
      name: 'Acme',
      slug,
      owner: { email: `${slug}@Example.TEST`, name: 'Ada' },
    });
    expect(response.status).toBe(202);
    expect(response.body).toMatchObject({ status: 'accepted', email: `${slug}@example.test` });
    expect(JSON.stringify(response.body)).not.toMatch(/ten_|usr_/);

    const token = await activate(`${slug}@example.test`);
    const me = await call<Me>('GET', '/v1/me', { token });
    expect(me.body.memberships).toMatchObject([{ tenantSlug: slug, role: 'owner', status: 'invited' }]);
    const tenant = await call<{ plan: string; status: string; trialEndsAt: string }>(
      'GET',
      '/v1/tenants/current',
      {
        token,
      },
    );
    expect(tenant.body).toMatchObject({ name: 'Acme', slug, plan: 'starter', status: 'active' });
    expect(Date.parse(tenant.body.trialEndsAt) - Date.now()).toBeGreaterThan(13 * 86_400_000);
  });

  it('sets the locale and time zone given at signup, and refuses ones that are not', async () => {
    const slug = unique('locale');
    const response = await signUp({
      name: 'Locale GmbH',
      slug,
      owner: { email: `${slug}@example.test` },
      settings: { defaultLocale: 'de-DE', timezone: 'Europe/Berlin' },
    });
    expect(response.status, response.text).toBe(202);
    const token = await activate(`${slug}@example.test`);
    const profile = await call<{ locale: string; timeZone: string }>('GET', '/v1/tenants/current/profile', {
      token,
    });
    expect(profile.body).toMatchObject({ locale: 'de-DE', timeZone: 'Europe/Berlin' });
    for (const settings of [
      { timezone: 'Mars/Olympus_Mons' },
      { defaultLocale: 'german' },
      { mfaRequired: true },
    ]) {
      const refused = await signUp({
        name: 'Bad',
        slug: unique('bad'),
        owner: { email: `${unique('bad')}@example.test` },
        settings,
      });
      expect(refused.status, JSON.stringify(settings)).toBe(400);
    }
  });

  it('answers a known email exactly as a new one, creates nothing, and emails the owner instead', async () => {
    const existing = await createTenant();
    const fresh = await signUp({
      name: 'Fresh',
      slug: unique('fresh'),
      owner: { email: `${unique('new')}@example.test` },
    });
    const knownSlug = unique('known');
    const known = await signUp({ name: 'Second', slug: knownSlug, owner: { email: existing.owner.email } });
    expect(comparable(known)).toEqual(comparable(fresh));
    expect(known.status).toBe(202);

    // Nothing was made for the known address: the slug is still free, and its owner has one tenant.
    const me = await call<Me>('GET', '/v1/me', { token: existing.owner.token });
    expect(me.body.memberships.map((m) => m.tenantId)).toEqual([existing.id]);
    const again = await signUp({
      name: 'Taker',
      slug: knownSlug,
      owner: { email: `${unique('t')}@example.test` },
    });
    expect(again.status).toBe(202);

    // The owner of the known address got a message saying so (and no one else did).
    const [email] = await inbox(existing.owner.email, { subject: 'Your Tenantry sign-up' });
    expect(email?.subject).toBe('Your Tenantry sign-up');
    expect(email?.text).toContain(knownSlug);
    expect(email?.text).toContain('POST /v1/me/tenants');
    expect(email?.from).toContain('no-reply@tenantry.local');
  });

  it('gives a known person with no tenant left the new tenant, and their sign-in back', async () => {
    const first = await createTenant();
    const leaving = await addUser(first, 'member');
    const removed = await call('DELETE', `/v1/tenants/${first.id}/users/${leaving.id}`, {
      token: first.owner.token,
    });
    expect(removed.status).toBe(204);
    const slug = unique('back');
    const response = await signUp({ name: 'Comeback', slug, owner: { email: leaving.email } });
    expect(response.status).toBe(202);
    const [email] = await inbox(leaving.email, { subject: 'Your new Tenantry tenant' });
    expect(email?.subject).toBe('Your new Tenantry tenant');
    const token = await signIn({
      cognitoEndpoint: twin.cognitoEndpoint,
      region: twin.region,
      clientId: twin.clientId,
      email: leaving.email,
      password: LOCAL_PASSWORD,
    });
    const me = await call<Me>('GET', '/v1/me', { token });
    expect(me.body.user.id).toBe(leaving.id);
    expect(me.body.memberships).toMatchObject([{ tenantSlug: slug, role: 'owner' }]);
  });

  it('answers a taken slug with 409 whether or not the email is known', async () => {
    const existing = await createTenant();
    for (const email of [existing.owner.email, `${unique('x')}@example.test`]) {
      const response = await signUp({ name: 'Copy', slug: existing.slug, owner: { email } });
      expect(response.status).toBe(409);
      expect(response.body).toMatchObject({ code: 'slug_taken' });
    }
  });

  it('refuses a taken slug with 409 and leaves no Cognito user behind', async () => {
    const taken = await createTenant();
    const email = `${unique('late')}@example.test`;
    const response = await call('POST', '/v1/tenants', {
      token: await adminToken(),
      body: { name: 'Copycat', slug: taken.slug, owner: { email } },
    });
    expect(response.status).toBe(409);
    expect(response.body).toMatchObject({ code: 'slug_taken' });
    // The email is still free: nothing was half-made.
    const retry = await call('POST', '/v1/tenants', {
      token: await adminToken(),
      body: { name: 'Second try', slug: unique('free'), owner: { email } },
    });
    expect(retry.status).toBe(201);
  });

  it('refuses a taken owner email with 409 and leaves the slug free', async () => {
    const existing = await createTenant();
    const slug = unique('fresh');
    const response = await call('POST', '/v1/tenants', {
      token: await adminToken(),
      body: { name: 'Dup', slug, owner: { email: existing.owner.email } },
    });
    expect(response.status).toBe(409);
    expect(response.body).toMatchObject({ code: 'email_taken' });
    const retry = await call('POST', '/v1/tenants', {
      token: await adminToken(),
      body: { name: 'Dup', slug, owner: { email: `${unique('x')}@example.test` } },
    });
    expect(retry.status).toBe(201);
  });

  it('admits one of two concurrent signups for the same slug', async () => {
    const slug = unique('race');
    const token = await adminToken();
    const [one, two] = await Promise.all(
      [1, 2].map((n) =>
        call('POST', '/v1/tenants', {
          token,
          body: { name: `Race ${n}`, slug, owner: { email: `${unique('r')}@example.test` } },
        }),
      ),
    );
    expect([one?.status, two?.status].sort()).toEqual([201, 409]);
  });

  it('limits self-service signups per source IP with 429 and Retry-After', async () => {
    const address = '127.0.0.23';
    const statuses: number[] = [];
    let retryAfter: string | undefined;
    for (let i = 0; i <= twin.signupLimitPerHour; i += 1) {
      const slug = unique('burst');
      const response = await postFrom(address, '/v1/tenants/signup', {
        name: 'Burst',
        slug,
        owner: { email: `${slug}@example.test` },
      });
      statuses.push(response.status);
      retryAfter ??= response.retryAfter;
    }
    expect(statuses.slice(0, twin.signupLimitPerHour)).toEqual(Array(twin.signupLimitPerHour).fill(202));
    expect(statuses.at(-1)).toBe(429);
    expect(Number(retryAfter)).toBeGreaterThan(0);
  });
});

describe('bad input', () => {
  it.each([
    ['malformed JSON', '{"name":', 'malformed_json', 400],
    ['an array', '[]', 'validation_failed', 400],
    [
      'an unknown field',
      JSON.stringify({ name: 'A', slug: 'abc-def', owner: { email: 'a@b.test' }, plan: 'enterprise' }),
      'validation_failed',
      400,
    ],
    [
      'a bad slug',
      JSON.stringify({ name: 'A', slug: 'Bad Slug!', owner: { email: 'a@b.test' } }),
      'validation_failed',
      400,
    ],
    [
      'a bad email',
      JSON.stringify({ name: 'A', slug: 'abc-def', owner: { email: 'not-an-email' } }),
      'validation_failed',
      400,
    ],
    ['an empty body', '', 'body_required', 400],
    ['an oversized body', JSON.stringify({ name: 'x'.repeat(40_000) }), 'payload_too_large', 413],
  ])('answers signup with %s by a 4xx problem and creates nothing', async (_what, rawBody, code, status) => {
    const response = await call('POST', '/v1/tenants/signup', {
      rawBody,
      headers: { 'content-type': 'application/json' },
    });
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.body).toMatchObject({ code, status });
  });

  it('answers a non-JSON content type with 415', async () => {
    const tenant = await createTenant();
    const response = await call('PATCH', `/v1/tenants/${tenant.id}`, {
      token: tenant.owner.token,
      rawBody: 'name=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(response.status).toBe(415);
  });

  it('answers bad ids and bad query parameters with 4xx, never 500', async () => {
    const tenant = await createTenant();
    const token = tenant.owner.token;
    const before = await storedAuditEvents(tenant.id);
    const responses = await Promise.all([
      call('GET', `/v1/tenants/${tenant.id}/users/not-a-user-id`, { token }),
      call('GET', `/v1/tenants/${tenant.id}/users?limit=0`, { token }),
      call('GET', `/v1/tenants/${tenant.id}/users?limit=abc`, { token }),
      call('GET', `/v1/tenants/${tenant.id}/users?cursor=%%%`, { token }),
      call('GET', `/v1/tenants/${tenant.id}/users?surprise=1`, { token }),
      call('GET', `/v1/tenants/ten_nope`, { token }),
      call('GET', `/v1/tenants?status=weird`, { token: await adminToken() }),
      call('GET', `/v1/tenants?cursor=eyJzIjo5OX0`, { token: await adminToken() }),
      call('GET', `/v1/tenants/ten_01AAAAAAAAAAAAAAAAAAAAAAAA`, { token: await adminToken() }),
      call('PATCH', `/v1/tenants/${tenant.id}`, { token, body: {} }),
      call('PUT', `/v1/tenants/${tenant.id}/plan`, { token: await adminToken(), body: { plan: 'platinum' } }),
    ]);
    for (const response of responses) {
      expect(response.status, response.text).toBeGreaterThanOrEqual(400);
      expect(response.status, response.text).toBeLessThan(500);
    }
    // Nothing was audited: bad input changes nothing.
    expect(await storedAuditEvents(tenant.id)).toEqual(before);
  });

  it('answers an unknown route with 404', async () => {
    const response = await call('GET', '/v1/nothing-here');
    expect(response.status).toBe(404);
  });
});

describe('tenant management', () => {
  it('updates the name and merges settings, refusing fields it does not own', async () => {
    const tenant = await createTenant();
    const first = await call('PATCH', `/v1/tenants/${tenant.id}`, {
      token: tenant.owner.token,
      body: { settings: { defaultLocale: 'de-DE' } },
    });
    expect(first.status).toBe(200);
    const second = await call('PATCH', `/v1/tenants/${tenant.id}`, {
      token: tenant.owner.token,
      body: { name: 'Renamed', settings: { timezone: 'Europe/Paris' } },
    });
    expect(second.body).toMatchObject({
      name: 'Renamed',
      settings: { defaultLocale: 'de-DE', timezone: 'Europe/Paris' },
    });
    const sneaky = await call('PATCH', `/v1/tenants/${tenant.id}`, {
      token: tenant.owner.token,
      body: { plan: 'enterprise' },
    });
    expect(sneaky.status).toBe(400);
    const self = await call('PUT', `/v1/tenants/${tenant.id}/plan`, {
      token: tenant.owner.token,
      body: { plan: 'enterprise' },
    });
    expect(self.status).toBe(403);
  });

  it('lets a platform admin change the plan', async () => {
    const tenant = await createTenant();
    const response = await call('PUT', `/v1/tenants/${tenant.id}/plan`, {
      token: await adminToken(),
      body: { plan: 'professional' },
    });
    expect(response.status).toBe(200);
    const seen = await call('GET', '/v1/tenants/current', { token: tenant.owner.token });
    expect(seen.body).toMatchObject({ plan: 'professional' });
  });

  it('sets overrides as a PUT, shows the effective limits, and takes limits below the plan only when told', async () => {
    const tenant = await createTenant({ plan: 'starter' });
    const token = await adminToken();
    const put = (body: Record<string, unknown>) =>
      call<{ limitOverrides: Record<string, unknown>; limits: Record<string, number | null> }>(
        'PUT',
        `/v1/tenants/${tenant.id}/plan`,
        { token, body },
      );
    const raised = await put({ plan: 'starter', limitOverrides: { agents: 500, runs: null } });
    expect(raised.status, raised.text).toBe(200);
    expect(raised.body.limitOverrides).toEqual({ agents: 500, runs: null });
    expect(raised.body.limits).toMatchObject({ agents: 500, runs: null, users: 10 });
    // A PUT replaces: the overrides given are the only ones left.
    const replaced = await put({ plan: 'starter', limitOverrides: { users: 25 } });
    expect(replaced.body.limitOverrides).toEqual({ users: 25 });
    expect(replaced.body.limits).toMatchObject({ users: 25, agents: 10 });
    // Below the plan's own limit: refused, and nothing changes…
    const below = await put({ plan: 'starter', limitOverrides: { agents: 1 } });
    expect(below.status).toBe(400);
    expect(below.body).toMatchObject({ code: 'override_below_plan' });
    const unchanged = await call('GET', `/v1/tenants/${tenant.id}`, { token });
    expect(unchanged.body).toMatchObject({ limitOverrides: { users: 25 } });
    // …unless meant.
    const meant = await put({ plan: 'starter', limitOverrides: { agents: 1 }, allowBelowPlan: true });
    expect(meant.status).toBe(200);
    expect(meant.body.limits).toMatchObject({ agents: 1 });
    // None given clears them.
    const cleared = await put({ plan: 'starter' });
    expect(cleared.body.limitOverrides).toEqual({});
    expect(cleared.body.limits).toMatchObject({ agents: 10, users: 10 });
  });

  it('lists tenants for platform admins only, filtered by status and plan, page by page', async () => {
    const token = await adminToken();
    const made = await Promise.all([
      createTenant({ plan: 'enterprise' }),
      createTenant({ plan: 'enterprise' }),
      createTenant({ plan: 'enterprise' }),
    ]);
    const suspendedOne = made[0];
    if (!suspendedOne) throw new Error('no tenant');
    await call('POST', `/v1/tenants/${suspendedOne.id}/suspend`, { token, body: { reason: 'Listing test' } });

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: TenantPage } = await call<TenantPage>(
        'GET',
        `/v1/tenants?plan=enterprise&status=active&limit=1${cursor ? `&cursor=${cursor}` : ''}`,
        { token },
      );
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(1);
      for (const item of page.body.items) {
        expect(item).toMatchObject({ plan: 'enterprise', status: 'active' });
        seen.push(item.id);
      }
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(expect.arrayContaining([made[1]?.id, made[2]?.id]));
    expect(seen).not.toContain(suspendedOne.id);

    const suspended = await call<TenantPage>('GET', '/v1/tenants?status=suspended&limit=100', { token });
    expect(suspended.body.items.map((item) => item.id)).toContain(suspendedOne.id);
    const forbidden = await call('GET', '/v1/tenants', { token: suspendedOne.owner.token });
    expect(forbidden.status).toBe(403);
  });

  it('searches tenants by part of the slug (any case), of the name, or by id, across pages', async () => {
    const token = await adminToken();
    const [wanted, other] = await Promise.all([createTenant(), createTenant()]);
    if (!wanted || !other) throw new Error('no tenant');
    const found = async (search: string, extra = '') => {
      const ids: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { status: number; body: TenantPage } = await call<TenantPage>(
          'GET',
          `/v1/tenants?search=${encodeURIComponent(search)}&limit=100${extra}${cursor ? `&cursor=${cursor}` : ''}`,
          { token },
        );
        expect(page.status).toBe(200);
        ids.push(...page.body.items.map((item) => item.id));
        cursor = page.body.nextCursor;
      } while (cursor);
      return ids;
    };
    const slugPart = wanted.slug.slice(2).toUpperCase();
    expect(await found(slugPart)).toEqual([wanted.id]);
    expect(await found(`Tenant ${wanted.slug}`)).toEqual([wanted.id]);
    expect(await found(wanted.id)).toEqual([wanted.id]);
    // The filters still apply beside the search, and a search that matches nothing finds nothing.
    expect(await found(wanted.slug, '&status=suspended')).toEqual([]);
    expect(await found('no-such-tenant-anywhere')).toEqual([]);
    const blank = await call('GET', '/v1/tenants?search=%20%20', { token });
    expect(blank.status).toBe(400);
    // Platform admins only, the search included.
    const refused = await call('GET', `/v1/tenants?search=${wanted.slug}`, { token: wanted.owner.token });
    expect(refused.status).toBe(403);
  });
});
