import { beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt } from 'jose';
import { SAML_ATTRIBUTES, type SamlFault } from '../../infra/local/saml-idp';
import {
  addPerson,
  discoverAndSignIn,
  twinSamlProvider,
  verifiedSsoDomain,
  type SsoOutcome,
} from '../helpers/sso-sign-in';
import { call, createTenant, twin, unique, type TestTenant } from '../helpers/twin-api';

/**
 * Signing in through a tenant's SAML 2.0 provider on the twin: the console's discovery, the federation
 * (cognito-local's stand-in of Cognito's `/oauth2/authorize` and `/saml2/idpresponse`), the stand-in
 * SAML provider (samlify) and its self-submitting form, node-saml's checks of the Response, the token
 * exchange and the pre-token-generation trigger. Then the Responses the federation must refuse: expired,
 * for another audience, unsigned, signed by a key the metadata does not name, tampered with, replayed,
 * and one sign-in's Response delivered to another's — each beside the same provider's right answer.
 */
type Post = NonNullable<SsoOutcome['samlPost']>;

const BAD_SAML = /^Invalid samlResponse or relayState from identity provider/;

const signIn = (email: string, beforeSamlPost?: (post: Post) => Post | Promise<Post>) =>
  discoverAndSignIn(email, beforeSamlPost ? { beforeSamlPost } : {});

async function fault(email: string, which: SamlFault): Promise<void> {
  const made = await fetch(new URL('/_stand-in/faults', twin.samlIdp.metadataUrl), {
    method: 'POST',
    body: JSON.stringify({ email, fault: which }),
  });
  expect(made.status).toBe(204);
}

const decode = (response: string) => Buffer.from(response, 'base64').toString('utf8');
const encode = (xml: string) => Buffer.from(xml, 'utf8').toString('base64');

describe('signing in through a tenant’s SAML provider', () => {
  let tenant: TestTenant;
  let domain: string;

  async function members(): Promise<string[]> {
    const listed = await call<{ items: Array<{ email: string }> }>('GET', `/v1/tenants/${tenant.id}/users`, {
      token: tenant.owner.token,
    });
    expect(listed.status, listed.text).toBe(200);
    return listed.body.items.map((member) => member.email);
  }

  /** Someone of the tenant's domain at the company's directory, with the groups given. */
  async function person(groups: string[] = ['staff']): Promise<string> {
    const email = `${unique('p').toLowerCase()}@${domain}`;
    await addPerson(email, groups);
    return email;
  }

  beforeAll(async () => {
    tenant = await createTenant({ plan: 'enterprise' });
    const set = await call<{ saml: { entityId: string } }>('PUT', `/v1/tenants/${tenant.id}/sso`, {
      token: tenant.owner.token,
      body: twinSamlProvider(twin.samlIdp, {
        saml: { metadataUrl: twin.samlIdp.metadataUrl, nameAttribute: SAML_ATTRIBUTES.name },
        roleMapping: {
          attribute: SAML_ATTRIBUTES.groups,
          rules: [{ value: 'tenantry-admins', role: 'admin' }],
        },
      }),
    });
    expect(set.status, set.text).toBe(200);
    expect(set.body.saml.entityId).toBe(twin.samlIdp.entityId);
    domain = await verifiedSsoDomain(tenant, `${unique('saml').toLowerCase()}.example`);
  });

  it('makes the person a member at the first sign-in, with the role the SAML groups map to (positive control)', async () => {
    const email = await person(['tenantry-admins', 'staff']);
    const outcome = await signIn(email);
    expect(outcome.error, outcome.errorDescription).toBeUndefined();
    const idToken = outcome.tokens?.id_token ?? '';
    expect(decodeJwt(idToken)).toMatchObject({
      email,
      'custom:tenantId': tenant.id,
      sso_tenant: tenant.id,
      identities: [
        expect.objectContaining({ providerName: `ten-${tenant.id.slice(4)}`, providerType: 'SAML' }),
      ],
    });
    // Out to the provider's sign-on URL and back through the assertion consumer.
    expect(
      outcome.visited.some((url) => url.startsWith(new URL('/sso', twin.samlIdp.metadataUrl).href)),
    ).toBe(true);
    expect(outcome.samlPost?.action).toBe(`${twin.cognitoEndpoint}/saml2/idpresponse`);
    const me = await call<{ memberships: Array<{ tenantId: string; role: string }> }>('GET', '/v1/me', {
      token: idToken,
    });
    expect(me.status, me.text).toBe(200);
    expect(me.body.memberships).toEqual([expect.objectContaining({ tenantId: tenant.id, role: 'admin' })]);
    // The same person again: the same member, the default role kept for no group rule changed.
    const again = await signIn(email);
    expect(decodeJwt(again.tokens?.id_token ?? '')['custom:userId']).toBe(
      decodeJwt(idToken)['custom:userId'],
    );
  });

  for (const [which, why] of [
    ['expired', /subject confirmation|expired|NotOnOrAfter/i],
    ['wrong-audience', /audience/i],
    ['unsigned', /signature/i],
    ['foreign-signature', /signature/i],
  ] as const) {
    it(`refuses a Response that is ${which}: no code, no tokens, nobody made a member`, async () => {
      const email = await person();
      await fault(email, which);
      const outcome = await signIn(email);
      expect(outcome.tokens).toBeUndefined();
      expect(outcome.error).toBe('invalid_request');
      expect(outcome.errorDescription).toMatch(BAD_SAML);
      expect(outcome.errorDescription).toMatch(why);
      expect(await members()).not.toContain(email);
      // The person's next sign-in, rightly answered, goes through (the refusal was the Response's).
      const next = await signIn(email);
      expect(next.error, next.errorDescription).toBeUndefined();
      expect(await members()).toContain(email);
    });
  }

  it('refuses a signed Response tampered with to name someone else (forged)', async () => {
    const mallory = await person();
    const victim = await person(['tenantry-admins']);
    const outcome = await signIn(mallory, (post) => {
      const xml = decode(post.fields.SAMLResponse ?? '');
      expect(xml).toContain(mallory);
      return {
        ...post,
        fields: { ...post.fields, SAMLResponse: encode(xml.replaceAll(mallory, victim)) },
      };
    });
    expect(outcome.tokens).toBeUndefined();
    expect(outcome.error).toBe('invalid_request');
    expect(outcome.errorDescription).toMatch(/signature/i);
    const listed = await members();
    expect(listed).not.toContain(victim);
    expect(listed).not.toContain(mallory);
  });

  it('refuses a Response replayed: with its own RelayState, and with a fresh sign-in’s', async () => {
    const email = await person();
    const outcome = await signIn(email);
    expect(outcome.tokens?.id_token).toBeTruthy();
    const post = outcome.samlPost as Post;
    // The same form posted again: its RelayState was used.
    const again = await fetch(post.action, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(post.fields),
    });
    expect(again.status).toBe(400);
    expect(await again.json()).toMatchObject({ error: 'invalid_request' });
    // Under a fresh sign-in's RelayState: the Response answers a request already answered.
    const fresh = await signIn(email, (current) => ({
      ...current,
      fields: { ...current.fields, SAMLResponse: post.fields.SAMLResponse ?? '' },
    }));
    expect(fresh.tokens).toBeUndefined();
    expect(fresh.error).toBe('invalid_request');
    expect(fresh.errorDescription).toMatch(/InResponseTo/);
  });

  it('refuses one sign-in’s Response delivered to another sign-in in progress (the RelayState binds it)', async () => {
    const first = await person();
    const second = await person();
    // The second sign-in, started and left at the provider: its RelayState.
    const found = await call<{ authorizeUrl: string }>('POST', '/v1/sso/discover', {
      body: { email: second },
    });
    const authorize = new URL(found.body.authorizeUrl);
    authorize.searchParams.set('state', 'second');
    authorize.searchParams.set('code_challenge', 'x'.repeat(43));
    authorize.searchParams.set('code_challenge_method', 'S256');
    const atProvider = await fetch(authorize, { redirect: 'manual' });
    expect(atProvider.status).toBe(302);
    const secondRelayState = new URL(atProvider.headers.get('location') ?? '').searchParams.get('RelayState');
    expect(secondRelayState).toBeTruthy();
    const outcome = await signIn(first, (post) => ({
      ...post,
      fields: { ...post.fields, RelayState: secondRelayState ?? '' },
    }));
    expect(outcome.tokens).toBeUndefined();
    // Back to the second sign-in's caller, refused.
    expect(outcome.error).toBe('state_mismatch');
    expect(outcome.errorDescription).toMatch(/^invalid_request: Invalid samlResponse.*InResponseTo/);
    expect(await members()).not.toContain(first);
  });
});
