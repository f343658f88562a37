import { createHash, randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { addRecord } from '../../infra/local/dns-local';
import { LOCAL_IDP_PASSWORD } from '../../infra/local/northwind';
import { call, createTenant, twin, unique, type TestTenant } from './twin-api';

/**
 * A sign-in through a tenant's identity provider as a browser makes it, without one: from the hosted
 * authorize URL home realm discovery names, through the provider's sign-in form (cookies kept per
 * host), back through the federation to the console's callback, then the code exchanged with its PKCE
 * verifier at `/oauth2/token`, as the console does.
 */
export interface SsoOutcome {
  /** The tokens, when the sign-in got that far. */
  tokens?: { id_token: string; access_token: string; refresh_token: string };
  /** The error the federation or the token endpoint answered with, when it did. */
  error?: string;
  errorDescription?: string;
  /** Every URL the browser was sent to, in order. */
  visited: string[];
  /** A SAML provider's self-submitting form, as the browser posted it to the federation. */
  samlPost?: { action: string; fields: Record<string, string> };
}

const LOGIN_FORM = /<form method="post" action="([^"]+)"/;
const HIDDEN = /<input type="hidden" name="([^"]+)" value="([^"]*)">/g;
const unescapeHtml = (text: string) =>
  text.replace(/&#(\d+);/g, (_match, code: string) => String.fromCharCode(Number(code)));

/** A page's self-submitting form of hidden fields (SAML's HTTP-POST binding), if it is one. */
function autoPostForm(page: string, base: string): { action: string; fields: Record<string, string> } | null {
  const form = LOGIN_FORM.exec(page);
  const fields = Object.fromEntries(
    [...page.matchAll(HIDDEN)].map((match) => [match[1] as string, unescapeHtml(match[2] as string)]),
  );
  if (!form || Object.keys(fields).length === 0) return null;
  return { action: new URL(unescapeHtml(form[1] as string), base).toString(), fields };
}

export async function signInThroughProvider(options: {
  authorizeUrl: string;
  email: string;
  password: string;
  /** The console's callback the authorize URL names. */
  redirectUri: string;
  cognitoEndpoint: string;
  clientId: string;
  /** Changes a SAML provider's form before the browser posts it (a tampering or misdirecting test). */
  beforeSamlPost?: (
    post: NonNullable<SsoOutcome['samlPost']>,
  ) => NonNullable<SsoOutcome['samlPost']> | Promise<NonNullable<SsoOutcome['samlPost']>>;
}): Promise<SsoOutcome> {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const state = randomBytes(12).toString('base64url');
  const start = new URL(options.authorizeUrl);
  start.searchParams.set('state', state);
  start.searchParams.set('code_challenge', challenge);
  start.searchParams.set('code_challenge_method', 'S256');

  const jar = new Map<string, Map<string, string>>();
  const visited: string[] = [];
  const send = async (url: string, init: RequestInit = {}): Promise<Response> => {
    const { host } = new URL(url);
    const cookies = jar.get(host) ?? new Map<string, string>();
    const response = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: {
        ...(init.headers as Record<string, string>),
        cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; '),
      },
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const [name, ...value] = (pair ?? '').split('=');
      if (name) cookies.set(name.trim(), value.join('='));
    }
    jar.set(host, cookies);
    visited.push(url);
    return response;
  };

  let url = start.toString();
  let samlPost: SsoOutcome['samlPost'];
  for (let step = 0; step < 20; step += 1) {
    if (url.startsWith(options.redirectUri)) {
      const back = new URL(url);
      if (back.searchParams.get('state') !== state) {
        const why = [back.searchParams.get('error'), back.searchParams.get('error_description')];
        return { error: 'state_mismatch', errorDescription: why.filter(Boolean).join(': '), visited };
      }
      const error = back.searchParams.get('error');
      if (error)
        return {
          error,
          errorDescription: back.searchParams.get('error_description') ?? '',
          visited,
          ...(samlPost ? { samlPost } : {}),
        };
      const code = back.searchParams.get('code') ?? '';
      const exchanged = await fetch(`${options.cognitoEndpoint}/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code,
          client_id: options.clientId,
          redirect_uri: options.redirectUri,
          code_verifier: verifier,
        }),
      });
      const body = (await exchanged.json()) as Record<string, string>;
      if (!exchanged.ok) return { error: body.error, errorDescription: body.error_description, visited };
      return { tokens: body as unknown as SsoOutcome['tokens'], visited, ...(samlPost ? { samlPost } : {}) };
    }
    const response = await send(url);
    if (response.status >= 300 && response.status < 400) {
      url = new URL(response.headers.get('location') ?? '', url).toString();
      continue;
    }
    const page = await response.text();
    const form = LOGIN_FORM.exec(page);
    if (response.status !== 200 || !form) {
      return { error: `stuck_at_${response.status}`, errorDescription: page.slice(0, 300), visited };
    }
    const posted = await send(new URL(form[1] as string, url).toString(), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email: options.email, password: options.password }).toString(),
    });
    if (posted.status === 200) {
      const answer = await posted.text();
      // A SAML provider answers with a form the browser submits at once to the federation.
      samlPost = autoPostForm(answer, url) ?? undefined;
      if (!samlPost) return { error: 'login_refused', errorDescription: answer, visited };
      if (options.beforeSamlPost) samlPost = await options.beforeSamlPost(samlPost);
      const delivered = await send(samlPost.action, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(samlPost.fields).toString(),
      });
      if (delivered.status < 300 || delivered.status >= 400) {
        return {
          error: `stuck_at_${delivered.status}`,
          errorDescription: await delivered.text(),
          visited,
          samlPost,
        };
      }
      url = new URL(delivered.headers.get('location') ?? '', samlPost.action).toString();
      continue;
    }
    url = new URL(posted.headers.get('location') ?? '', url).toString();
  }
  return { error: 'too_many_redirects', visited };
}

/**
 * Home realm discovery for `email`, then its sign-in through the provider discovery names, the
 * stand-in providers' password given, back to the console's callback on the twin.
 */
export async function discoverAndSignIn(
  email: string,
  options: Pick<Parameters<typeof signInThroughProvider>[0], 'beforeSamlPost'> & {
    /** The address discovery is asked for, when it is not the one signing in. */
    discoverFor?: string;
  } = {},
): Promise<SsoOutcome> {
  const { discoverFor = email, ...rest } = options;
  const found = await call<{ sso: boolean; authorizeUrl: string | null }>('POST', '/v1/sso/discover', {
    body: { email: discoverFor },
  });
  expect(found.body.sso, found.text).toBe(true);
  return signInThroughProvider({
    authorizeUrl: found.body.authorizeUrl ?? '',
    email,
    password: LOCAL_IDP_PASSWORD,
    redirectUri: `${twin.apiUrl}/sso/callback`,
    cognitoEndpoint: twin.cognitoEndpoint,
    clientId: twin.clientId,
    ...rest,
  });
}

/** The body that sets the twin's stand-in OpenID provider as a tenant's (its client registered there). */
export function twinOidcProvider(
  idp: { issuer: string; clientId: string; clientSecret: string },
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    type: 'oidc',
    oidc: { issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret },
    ...extra,
  };
}

/** The body that sets the twin's stand-in SAML provider as a tenant's (its metadata URL). */
export function twinSamlProvider(
  idp: { metadataUrl: string },
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return { type: 'saml', saml: { metadataUrl: idp.metadataUrl }, ...extra };
}

/** Adds a person to the twin's stand-in providers' directory (as a company's IT adds a colleague). */
export async function addPerson(email: string, groups: string[] = []): Promise<void> {
  const response = await fetch(`${twin.oidcIdp.issuer}/_stand-in/people`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, groups }),
  });
  expect(response.status).toBe(201);
}

/** A tenant on Enterprise with the stand-in provider set and a domain of its own verified. */
export async function ssoTenant(): Promise<{ tenant: TestTenant; domain: string }> {
  const tenant = await createTenant({ plan: 'enterprise' });
  const set = await call('PUT', `/v1/tenants/${tenant.id}/sso`, {
    token: tenant.owner.token,
    body: twinOidcProvider(twin.oidcIdp, {
      roleMapping: { attribute: 'groups', rules: [{ value: 'tenantry-admins', role: 'admin' }] },
    }),
  });
  expect(set.status, set.text).toBe(200);
  const domain = await verifiedSsoDomain(tenant, `${unique('corp').toLowerCase()}.example`);
  return { tenant, domain };
}

/** Captures `domain` for the tenant and proves it (its TXT record in the twin's DNS, then a check). */
export async function verifiedSsoDomain(tenant: TestTenant, domain: string): Promise<string> {
  const added = await call<{ verification: { name: string; value: string } }>(
    'POST',
    `/v1/tenants/${tenant.id}/sso/domains`,
    { token: tenant.owner.token, body: { domain } },
  );
  addRecord(twin.dnsRecordsFile, { type: 'TXT', ...added.body.verification });
  const checked = await call('POST', `/v1/tenants/${tenant.id}/sso/domains/${domain}/check`, {
    token: tenant.owner.token,
    body: {},
  });
  expect(checked.body).toMatchObject({ state: 'verified' });
  return domain;
}
