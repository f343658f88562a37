import { JwtVerifier } from 'aws-jwt-verify';
import type { JwtPayload } from 'aws-jwt-verify/jwt-model';
import { getConfig } from '../config';

/** The claims the API trusts, read from a verified Cognito ID token. */
export interface VerifiedIdentity {
  sub: string;
  /** The Cognito user name (`cognito:username`), for the admin API. */
  username: string;
  userId: string;
  tenantId: string | undefined;
  email: string | undefined;
  groups: string[];
  /** When the person authenticated (`auth_time`, epoch seconds): refreshed tokens keep it. */
  authTime: number | undefined;
  /**
   * The tenant a sign-in through that tenant's identity provider is bound to (`sso_tenant`, set by the
   * pre-token-generation trigger): the only tenant such a session may act on.
   */
  ssoTenantId: string | undefined;
}

const config = getConfig();

/**
 * Verifies Cognito ID tokens: RS256 signature against the pool's JWKS, issuer, audience (the app
 * client id), `token_use = id`, an expiry (required) and not-before. aws-jwt-verify refuses `alg: none`, unknown
 * keys and tampered payloads on its own. Custom attributes live only in the ID token, hence its use.
 */
const verifier = JwtVerifier.create({
  issuer: config.cognito.issuer,
  audience: config.cognito.clientId,
  jwksUri: config.cognito.jwksUri,
  customJwtCheck: ({ payload }) => {
    if (payload.token_use !== 'id') throw new Error('Only Cognito ID tokens are accepted');
    // aws-jwt-verify checks `exp` only when present; a token that never expires is refused here.
    if (typeof payload.exp !== 'number') throw new Error('Tokens must carry an expiry');
  },
});

let jwksLoaded: Promise<void> | undefined;

/**
 * aws-jwt-verify only fetches JWKS over https. The local twin serves them over http, so for an
 * http URI the keys are fetched here once per process and handed to the verifier's cache.
 */
function ensureJwks(): Promise<void> {
  if (!config.cognito.jwksUri.startsWith('http://')) return Promise.resolve();
  jwksLoaded ??= (async () => {
    const response = await fetch(config.cognito.jwksUri);
    if (!response.ok) throw new Error(`JWKS fetch failed with ${response.status}`);
    verifier.cacheJwks((await response.json()) as Parameters<typeof verifier.cacheJwks>[0]);
  })().catch((error: unknown) => {
    jwksLoaded = undefined;
    throw error;
  });
  return jwksLoaded;
}

function stringClaim(payload: JwtPayload, name: string): string | undefined {
  const value = payload[name];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** Returns the verified identity, or throws if the token is not one this API accepts. */
export async function verifyIdToken(token: string): Promise<VerifiedIdentity> {
  await ensureJwks();
  const payload = await verifier.verify(token);
  const sub = stringClaim(payload, 'sub');
  const userId = stringClaim(payload, 'custom:userId');
  if (!sub || !userId) throw new Error('Token lacks sub or custom:userId');
  const groups = payload['cognito:groups'];
  return {
    sub,
    username: stringClaim(payload, 'cognito:username') ?? stringClaim(payload, 'email') ?? sub,
    userId,
    tenantId: stringClaim(payload, 'custom:tenantId'),
    email: stringClaim(payload, 'email'),
    groups: Array.isArray(groups) ? groups.filter((g): g is string => typeof g === 'string') : [],
    authTime: typeof payload.auth_time === 'number' ? payload.auth_time : undefined,
    ssoTenantId: stringClaim(payload, 'sso_tenant'),
  };
}
