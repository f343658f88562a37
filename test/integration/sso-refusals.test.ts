import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { addRecord } from '../../infra/local/dns-local';
import { signInThroughProvider } from '../helpers/sso-sign-in';
import { call, createTenant, twin, unique, type TestTenant } from '../helpers/twin-api';

/**
 * An OpenID provider that answers wrongly on purpose: its ID token has the wrong nonce, issuer or
 * audience, has expired, or is signed with a key it does not publish. The federation must refuse each
 * (no code back to the console, no tokens); the same provider answering rightly is the positive control.
 */
type Defect = 'none' | 'nonce' | 'issuer' | 'audience' | 'expired' | 'signature' | 'unsigned';

describe('a provider’s answer the federation refuses', () => {
  let server: Server;
  let issuer: string;
  let defect: Defect = 'none';
  let key: CryptoKey;
  let strangerKey: CryptoKey;
  let publicJwk: Record<string, unknown>;
  const nonces = new Map<string, string>();
  let tenant: TestTenant;
  let domain: string;

  async function idToken(nonce: string): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    if (defect === 'unsigned') {
      const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
      return `${part({ alg: 'none' })}.${part({ iss: issuer, aud: 'rogue-client', sub: 'r-1', nonce, iat: now, exp: now + 300, email: `mallory@${domain}` })}.`;
    }
    return new SignJWT({ email: `mallory@${domain}`, nonce: defect === 'nonce' ? 'not-the-nonce' : nonce })
      .setProtectedHeader({ alg: 'RS256', kid: 'rogue-1' })
      .setIssuer(defect === 'issuer' ? 'https://impostor.example' : issuer)
      .setAudience(defect === 'audience' ? 'someone-else' : 'rogue-client')
      .setSubject('r-1')
      .setIssuedAt(defect === 'expired' ? now - 7200 : now)
      .setExpirationTime(defect === 'expired' ? now - 3600 : now + 300)
      .sign(defect === 'signature' ? strangerKey : key);
  }

  beforeAll(async () => {
    ({ privateKey: key } = await generateKeyPair('RS256', { extractable: true }));
    ({ privateKey: strangerKey } = await generateKeyPair('RS256'));
    const full = await exportJWK(key);
    publicJwk = { kty: full.kty, n: full.n, e: full.e, kid: 'rogue-1', alg: 'RS256', use: 'sig' };
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', issuer);
      const json = (body: unknown) =>
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (url.pathname === '/.well-known/openid-configuration') {
        return json({
          issuer,
          authorization_endpoint: `${issuer}/auth`,
          token_endpoint: `${issuer}/token`,
          jwks_uri: `${issuer}/jwks`,
          response_types_supported: ['code'],
          subject_types_supported: ['public'],
          id_token_signing_alg_values_supported: ['RS256'],
        });
      }
      if (url.pathname === '/jwks') return json({ keys: [publicJwk] });
      if (url.pathname === '/auth') {
        // Signs whoever asks in at once, and remembers the nonce the federation sent.
        const code = unique('code');
        nonces.set(code, url.searchParams.get('nonce') ?? '');
        const back = new URL(url.searchParams.get('redirect_uri') ?? '');
        back.searchParams.set('code', code);
        back.searchParams.set('state', url.searchParams.get('state') ?? '');
        return res.writeHead(302, { location: back.toString() }).end();
      }
      if (url.pathname === '/token') {
        let body = '';
        req.on('data', (chunk: Buffer) => (body += chunk.toString()));
        req.on('end', () => {
          const code = new URLSearchParams(body).get('code') ?? '';
          void idToken(nonces.get(code) ?? '').then((token) =>
            json({ access_token: 'rogue-access', token_type: 'Bearer', expires_in: 300, id_token: token }),
          );
        });
        return;
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    issuer = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

    tenant = await createTenant({ plan: 'enterprise' });
    const set = await call('PUT', `/v1/tenants/${tenant.id}/sso`, {
      token: tenant.owner.token,
      body: { type: 'oidc', oidc: { issuer, clientId: 'rogue-client', clientSecret: 'rogue-secret' } },
    });
    expect(set.status, set.text).toBe(200);
    domain = `${unique('rogue').toLowerCase()}.example`;
    const added = await call<{ verification: { name: string; value: string } }>(
      'POST',
      `/v1/tenants/${tenant.id}/sso/domains`,
      { token: tenant.owner.token, body: { domain } },
    );
    addRecord(twin.dnsRecordsFile, { type: 'TXT', ...added.body.verification });
    await call('POST', `/v1/tenants/${tenant.id}/sso/domains/${domain}/check`, {
      token: tenant.owner.token,
      body: {},
    });
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const attempt = async () => {
    const found = await call<{ authorizeUrl: string }>('POST', '/v1/sso/discover', {
      body: { email: `mallory@${domain}` },
    });
    return signInThroughProvider({
      authorizeUrl: found.body.authorizeUrl,
      email: `mallory@${domain}`,
      password: 'unused',
      redirectUri: `${twin.apiUrl}/sso/callback`,
      cognitoEndpoint: twin.cognitoEndpoint,
      clientId: twin.clientId,
    });
  };

  it('takes the provider’s right answer (positive control)', async () => {
    defect = 'none';
    const outcome = await attempt();
    expect(outcome.error, outcome.errorDescription).toBeUndefined();
    expect(outcome.tokens?.id_token).toBeTruthy();
  });

  for (const [which, why] of [
    ['nonce', /nonce/i],
    ['issuer', /iss/i],
    ['audience', /aud/i],
    ['expired', /exp|timestamp/i],
    ['signature', /signature|verification/i],
    ['unsigned', /alg|signature|unexpected/i],
  ] as const) {
    it(`refuses an ID token with a wrong ${which}: no code comes back, no tokens`, async () => {
      defect = which;
      const outcome = await attempt();
      expect(outcome.tokens).toBeUndefined();
      expect(outcome.error).toBe('invalid_request');
      expect(outcome.errorDescription).toMatch(/^Bad id_token/);
      expect(outcome.errorDescription).toMatch(why);
    });
  }

  it('refuses a provider’s answer replayed (its state is single-use)', async () => {
    defect = 'none';
    const outcome = await attempt();
    const answer = outcome.visited.find((url) =>
      url.startsWith(`${twin.cognitoEndpoint}/oauth2/idpresponse`),
    );
    expect(answer).toBeDefined();
    const replayed = await fetch(answer ?? '', { redirect: 'manual' });
    expect(replayed.status).toBe(400);
    expect(await replayed.json()).toMatchObject({ error: 'invalid_request' });
  });
});
