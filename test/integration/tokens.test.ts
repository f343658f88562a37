import { beforeAll, describe, expect, it } from 'vitest';
import { forgeToken, payloadOf, strangerKey } from '../helpers/jwt-forge';
import { call, createTenant, type TestTenant } from '../helpers/twin-api';

describe('token verification', () => {
  let tenant: TestTenant;
  let claims: Record<string, unknown>;
  const now = () => Math.floor(Date.now() / 1000);

  beforeAll(async () => {
    tenant = await createTenant();
    claims = payloadOf(tenant.owner.token);
  });

  const current = (token: string) => call('GET', '/v1/tenants/current', { token });

  it('accepts a token forged with the same claims and key (the control case)', async () => {
    const response = await current(forgeToken({ ...claims, iat: now(), exp: now() + 600 }));
    expect(response.status).toBe(200);
  });

  it('answers 401 to an expired token', async () => {
    const response = await current(forgeToken({ ...claims, iat: now() - 7200, exp: now() - 3600 }));
    expect(response.status).toBe(401);
  });

  it('answers 401 to a token without an expiry, even one signed with the right key', async () => {
    const { exp: _exp, ...withoutExpiry } = claims;
    const response = await current(forgeToken({ ...withoutExpiry, iat: now() }));
    expect(response.status).toBe(401);
    expect(response.text).toBe('{"message":"Unauthorized"}');
  });

  it('answers 401 to a token for another audience', async () => {
    const response = await current(forgeToken({ ...claims, aud: 'some-other-client', exp: now() + 600 }));
    expect(response.status).toBe(401);
  });

  it('answers 401 to a token from another issuer', async () => {
    const response = await current(
      forgeToken({
        ...claims,
        iss: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_other',
        exp: now() + 600,
      }),
    );
    expect(response.status).toBe(401);
  });

  it('answers 401 to a tampered payload', async () => {
    const [header, , signature] = tenant.owner.token.split('.');
    const tampered = Buffer.from(
      JSON.stringify({ ...claims, 'custom:tenantId': 'ten_01AAAAAAAAAAAAAAAAAAAAAAAA' }),
    ).toString('base64url');
    const response = await current(`${header}.${tampered}.${signature}`);
    expect(response.status).toBe(401);
  });

  it('answers 401 to an unsigned token (alg none)', async () => {
    const response = await current(
      forgeToken({ ...claims, exp: now() + 600 }, { header: { alg: 'none' }, key: 'none' }),
    );
    expect(response.status).toBe(401);
  });

  it('answers 401 to a token signed by an unknown key', async () => {
    const response = await current(
      forgeToken({ ...claims, exp: now() + 600 }, { header: { kid: 'stranger' }, key: strangerKey() }),
    );
    expect(response.status).toBe(401);
  });

  it('answers 401 to a token signed by another key under the known kid', async () => {
    const response = await current(forgeToken({ ...claims, exp: now() + 600 }, { key: strangerKey() }));
    expect(response.status).toBe(401);
  });

  it('answers 401 to an access token (only ID tokens carry the tenant)', async () => {
    const response = await current(forgeToken({ ...claims, token_use: 'access', exp: now() + 600 }));
    expect(response.status).toBe(401);
  });

  it('answers 401 to a malformed Authorization header', async () => {
    const response = await call('GET', '/v1/tenants/current', {
      headers: { authorization: 'Basic dXNlcjpwYXNz' },
    });
    expect(response.status).toBe(401);
  });
});
