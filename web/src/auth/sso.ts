import type { Tokens } from './cognito';

/**
 * Single sign-on from the console, as Cognito's hosted sign-in expects a public client to do it: the
 * API's home realm discovery names where an address signs in; the console sends the browser there
 * with a `state` and a PKCE challenge kept in this tab, and at `/sso/callback` exchanges the code
 * with the verifier at the hosted domain's `/oauth2/token`. The tokens are Cognito's, refreshed as a
 * password sign-in's are.
 */
const PENDING_KEY = 'tenantry.sso';

interface Pending {
  state: string;
  verifier: string;
  tokenUrl: string;
  redirectUri: string;
  clientId: string;
}

export interface Discovery {
  sso: boolean;
  authorizeUrl: string | null;
}

export async function discoverSignIn(apiUrl: string, email: string): Promise<Discovery> {
  const response = await fetch(`${apiUrl}/v1/sso/discover`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email }),
  });
  if (!response.ok) throw new Error('Single sign-on cannot be looked up just now; try again shortly.');
  return (await response.json()) as Discovery;
}

function randomText(bytes: number): string {
  const values = crypto.getRandomValues(new Uint8Array(bytes));
  return btoa(String.fromCharCode(...values))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

async function challengeOf(verifier: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  return btoa(String.fromCharCode(...digest))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

/** Sends the browser to the hosted sign-in of the address's identity provider. */
export async function startSignIn(authorizeUrl: string): Promise<void> {
  const url = new URL(authorizeUrl);
  const pending: Pending = {
    state: randomText(16),
    verifier: randomText(32),
    tokenUrl: new URL('/oauth2/token', url).toString(),
    redirectUri: url.searchParams.get('redirect_uri') ?? `${window.location.origin}/sso/callback`,
    clientId: url.searchParams.get('client_id') ?? '',
  };
  sessionStorage.setItem(PENDING_KEY, JSON.stringify(pending));
  url.searchParams.set('state', pending.state);
  url.searchParams.set('code_challenge', await challengeOf(pending.verifier));
  url.searchParams.set('code_challenge_method', 'S256');
  window.location.assign(url.toString());
}

function claimsOf(idToken: string): Record<string, unknown> {
  const payload = idToken.split('.')[1] ?? '';
  return JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))) as Record<string, unknown>;
}

/** At `/sso/callback`: the state checked, the code exchanged once, the tokens of the sign-in. */
export async function finishSignIn(search: string): Promise<Tokens> {
  const params = new URLSearchParams(search);
  const raw = sessionStorage.getItem(PENDING_KEY);
  sessionStorage.removeItem(PENDING_KEY);
  const error = params.get('error');
  if (error) throw new Error(params.get('error_description') || `Single sign-on failed (${error}).`);
  const pending = raw ? (JSON.parse(raw) as Pending) : undefined;
  if (!pending || params.get('state') !== pending.state) {
    throw new Error('This sign-in was not started in this tab, or has been used already; start again.');
  }
  const response = await fetch(pending.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: params.get('code') ?? '',
      client_id: pending.clientId,
      redirect_uri: pending.redirectUri,
      code_verifier: pending.verifier,
    }),
  });
  const body = (await response.json()) as Record<string, string | number>;
  if (!response.ok) throw new Error(String(body.error_description ?? body.error ?? 'Single sign-on failed.'));
  const idToken = String(body.id_token);
  return {
    idToken,
    accessToken: String(body.access_token),
    refreshToken: String(body.refresh_token),
    expiresAt: Date.now() + Number(body.expires_in ?? 3600) * 1000,
    email: String(claimsOf(idToken).email ?? ''),
  };
}
