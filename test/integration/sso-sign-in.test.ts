import { beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt } from 'jose';
import { LOCAL_IDP_PASSWORD } from '../../infra/local/northwind';
import {
  addPerson,
  discoverAndSignIn,
  signInThroughProvider,
  ssoTenant,
  twinOidcProvider,
  type SsoOutcome,
} from '../helpers/sso-sign-in';
import {
  activate,
  call,
  createTenant,
  quotaUsed,
  storedAuditEvents,
  twin,
  unique,
  type TestTenant,
} from '../helpers/twin-api';

/**
 * Signing in through a tenant's OpenID provider on the twin, the whole way: home realm discovery, the
 * federation (cognito-local's stand-in of Cognito's hosted endpoints), the stand-in provider's sign-in
 * form, the code back to the console's callback, the token exchange with PKCE, the pre-token-generation
 * trigger admitting the person (a member just in time), and the API taking the ID token.
 */
interface Discovery {
  sso: boolean;
  authorizeUrl: string | null;
}

const signIn = (email: string, authorizeFor = email): Promise<SsoOutcome> =>
  discoverAndSignIn(email, { discoverFor: authorizeFor });

describe('signing in through a tenant’s OpenID provider', () => {
  let tenant: TestTenant;
  let domain: string;

  beforeAll(async () => {
    ({ tenant, domain } = await ssoTenant());
  });

  it('makes the person a member at the first sign-in, with the role the provider’s groups map to', async () => {
    const ada = `ada@${domain}`;
    await addPerson(ada, ['tenantry-admins', 'staff']);
    const outcome = await signIn(ada);
    expect(outcome.error, outcome.errorDescription).toBeUndefined();
    const idToken = outcome.tokens?.id_token ?? '';
    const claims = decodeJwt(idToken);
    expect(claims).toMatchObject({
      email: ada,
      'custom:tenantId': tenant.id,
      sso_tenant: tenant.id,
      identities: [
        expect.objectContaining({ providerName: `ten-${tenant.id.slice(4)}`, providerType: 'OIDC' }),
      ],
    });
    // The provider, the federation and the pool: the person went out to the provider and back.
    expect(outcome.visited.some((url) => url.startsWith(`${twin.oidcIdp.issuer}/interaction/`))).toBe(true);

    const current = await call<{ id: string }>('GET', '/v1/tenants/current', { token: idToken });
    expect(current.status, current.text).toBe(200);
    expect(current.body.id).toBe(tenant.id);
    const me = await call<{ memberships: Array<{ tenantId: string; role: string }> }>('GET', '/v1/me', {
      token: idToken,
    });
    expect(me.body.memberships).toEqual([expect.objectContaining({ tenantId: tenant.id, role: 'admin' })]);
    const provisioned = (await storedAuditEvents(tenant.id)).filter(
      (event) => event.action === 'user.provisioned',
    );
    expect(provisioned).toHaveLength(1);
    expect(provisioned[0]).toMatchObject({ targetId: claims['custom:userId'] });
  });

  it('gives the default role to a person no rule maps, and the same person at every sign-in', async () => {
    const grace = `grace@${domain}`;
    await addPerson(grace, ['staff']);
    const first = await signIn(grace);
    const second = await signIn(grace);
    const [a, b] = [first, second].map((outcome) => decodeJwt(outcome.tokens?.id_token ?? ''));
    expect(a?.['custom:userId']).toBeDefined();
    expect(b?.['custom:userId']).toBe(a?.['custom:userId']);
    const users = await call<{ items: Array<{ email: string; role: string }> }>(
      'GET',
      `/v1/tenants/${tenant.id}/users`,
      {
        token: tenant.owner.token,
      },
    );
    expect(users.body.items.filter((user) => user.email === grace)).toEqual([
      expect.objectContaining({ role: 'member' }),
    ]);
    // The users counter equals the members it counts.
    expect(await quotaUsed(tenant, 'users')).toBe(users.body.items.length);
  });

  it('makes one membership when a new person’s first sign-in arrives three times at once', async () => {
    const dora = `dora-${unique('race').toLowerCase()}@${domain}`;
    await addPerson(dora, ['staff']);
    const outcomes = await Promise.all([signIn(dora), signIn(dora), signIn(dora)]);
    // Each sign-in is admitted, as the same person.
    for (const outcome of outcomes) expect(outcome.error, outcome.errorDescription).toBeUndefined();
    const userIds = new Set(
      outcomes.map((outcome) => decodeJwt(outcome.tokens?.id_token ?? '')['custom:userId']),
    );
    expect(userIds.size).toBe(1);
    const users = await call<{ items: Array<{ email: string }> }>('GET', `/v1/tenants/${tenant.id}/users`, {
      token: tenant.owner.token,
    });
    expect(users.body.items.filter((user) => user.email === dora)).toHaveLength(1);
    expect(await quotaUsed(tenant, 'users')).toBe(users.body.items.length);
    const provisioned = (await storedAuditEvents(tenant.id)).filter(
      (event) => event.action === 'user.provisioned' && event.targetId === [...userIds][0],
    );
    expect(provisioned).toHaveLength(1);
  });

  it('refuses an address the tenant has not verified the domain of (a provider speaks for its own domains only)', async () => {
    const stranger = `eve@${unique('elsewhere').toLowerCase()}.example`;
    await addPerson(stranger);
    // The provider signs her in, but she is not at the tenant's domain: no tokens, no membership.
    const outcome = await signIn(stranger, `ada@${domain}`);
    expect(outcome.tokens).toBeUndefined();
    expect(outcome.errorDescription).toContain('has not verified the domain');
    const users = await call<{ items: Array<{ email: string }> }>('GET', `/v1/tenants/${tenant.id}/users`, {
      token: tenant.owner.token,
    });
    expect(users.body.items.map((user) => user.email)).not.toContain(stranger);
  });

  it('binds the session to the tenant: tenant A’s provider never signs anyone into tenant B', async () => {
    const other = await createTenant();
    const bob = `bob@${domain}`;
    await addPerson(bob);
    // Bob is also a member of B, with a password of his own there.
    const invited = await call('POST', `/v1/tenants/${other.id}/users`, {
      token: other.owner.token,
      body: { email: bob, role: 'member' },
    });
    expect(invited.status, invited.text).toBe(201);
    const password = await activate(bob);
    // Positive control: his password session reaches B.
    expect((await call('GET', `/v1/tenants/${other.id}`, { token: password })).status).toBe(200);

    const outcome = await signIn(bob);
    const sso = outcome.tokens?.id_token ?? '';
    expect((await call('GET', `/v1/tenants/${tenant.id}`, { token: sso })).status).toBe(200);
    const elsewhere = await call('GET', `/v1/tenants/${other.id}`, { token: sso });
    expect(elsewhere.status).toBe(403);
    expect(elsewhere.body).toMatchObject({ code: 'tenant_mismatch' });
    const named = await call('GET', '/v1/tenants/current', {
      token: sso,
      headers: { 'x-tenant-id': other.id },
    });
    expect(named.status).toBe(403);
    const me = await call<{ memberships: Array<{ tenantId: string }> }>('GET', '/v1/me', { token: sso });
    expect(me.body.memberships.map((membership) => membership.tenantId)).toEqual([tenant.id]);
  });

  it('stops signing people in once the tenant’s provider is disabled (discovery and the trigger both)', async () => {
    const own = await ssoTenant();
    const linus = `linus@${own.domain}`;
    await addPerson(linus);
    const found = await call<Discovery>('POST', '/v1/sso/discover', { body: { email: linus } });
    const disabled = await call('PUT', `/v1/tenants/${own.tenant.id}/sso`, {
      token: own.tenant.owner.token,
      body: {
        type: 'oidc',
        oidc: { issuer: twin.oidcIdp.issuer, clientId: twin.oidcIdp.clientId },
        enabled: false,
      },
    });
    expect(disabled.status).toBe(200);
    expect((await call<Discovery>('POST', '/v1/sso/discover', { body: { email: linus } })).body.sso).toBe(
      false,
    );
    // The authorize URL from before: the client no longer offers the provider.
    const outcome = await signInThroughProvider({
      authorizeUrl: found.body.authorizeUrl ?? '',
      email: linus,
      password: LOCAL_IDP_PASSWORD,
      redirectUri: `${twin.apiUrl}/sso/callback`,
      cognitoEndpoint: twin.cognitoEndpoint,
      clientId: twin.clientId,
    });
    expect(outcome.tokens).toBeUndefined();
    expect(outcome.error).toBe('invalid_request');
  });
});

describe('a tenant that requires single sign-on', () => {
  it('refuses a password session of a captured address, but not the break-glass owner’s or another domain’s', async () => {
    const { tenant, domain } = await ssoTenant();
    const invite = async (email: string, role: string) => {
      const invited = await call<{ id: string }>('POST', `/v1/tenants/${tenant.id}/users`, {
        token: tenant.owner.token,
        body: { email, role },
      });
      expect(invited.status, invited.text).toBe(201);
      const token = await activate(email);
      // The first request accepts the invitation: an active member from here.
      expect((await call('GET', `/v1/tenants/${tenant.id}`, { token })).status).toBe(200);
      return { id: invited.body.id, token };
    };
    const carol = await invite(`carol@${domain}`, 'member');
    const dave = await invite(`dave@${domain}`, 'owner');
    await addPerson(`carol@${domain}`);
    // Before the requirement: Carol's password session works (the positive control).
    expect((await call('GET', `/v1/tenants/${tenant.id}`, { token: carol.token })).status).toBe(200);

    const require = await call<{ requireSso: boolean; breakGlassUserId: string }>(
      'PUT',
      `/v1/tenants/${tenant.id}/sso`,
      {
        token: tenant.owner.token,
        body: twinOidcProvider(twin.oidcIdp, { requireSso: true, breakGlassUserId: dave.id }),
      },
    );
    expect(require.status, require.text).toBe(200);
    expect(require.body).toMatchObject({ requireSso: true, breakGlassUserId: dave.id });

    const refused = await call('GET', `/v1/tenants/${tenant.id}`, { token: carol.token });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: 'sso_required' });
    // Through the provider she gets in; the break-glass owner and the original owner (another
    // domain) keep their passwords.
    const sso = await signIn(`carol@${domain}`);
    expect(
      (await call('GET', `/v1/tenants/${tenant.id}`, { token: sso.tokens?.id_token ?? '' })).status,
    ).toBe(200);
    expect((await call('GET', `/v1/tenants/${tenant.id}`, { token: dave.token })).status).toBe(200);
    expect((await call('GET', `/v1/tenants/${tenant.id}`, { token: tenant.owner.token })).status).toBe(200);
    // The refusal is an attempt the tenant's audit log keeps.
    const audited = (await storedAuditEvents(tenant.id)).filter((event) => event.action === 'access.refused');
    expect(audited.some((event) => JSON.stringify(event).includes('sso_required'))).toBe(true);

    // A break-glass person must be an active owner; lifting the requirement lets passwords back in.
    const notOwner = await call('PUT', `/v1/tenants/${tenant.id}/sso`, {
      token: tenant.owner.token,
      body: twinOidcProvider(twin.oidcIdp, { requireSso: true, breakGlassUserId: carol.id }),
    });
    expect(notOwner.status).toBe(400);
    const lifted = await call('PUT', `/v1/tenants/${tenant.id}/sso`, {
      token: tenant.owner.token,
      body: twinOidcProvider(twin.oidcIdp),
    });
    expect(lifted.body).toMatchObject({ requireSso: false, breakGlassUserId: null });
    expect((await call('GET', `/v1/tenants/${tenant.id}`, { token: carol.token })).status).toBe(200);
  });
});
