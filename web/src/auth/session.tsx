import { createContext, useCallback, useContext, useMemo, useRef, useState, type ReactNode } from 'react';
import type { ConsoleConfig } from '../config';
import { createApiClient, type ApiClient } from '../api/client';
import { CognitoAuth, type Tokens } from './cognito';

const STORAGE_KEY = 'tenantry.session';

function stored(): Tokens | undefined {
  try {
    const raw = sessionStorage.getItem(STORAGE_KEY);
    return raw ? (JSON.parse(raw) as Tokens) : undefined;
  } catch {
    return undefined;
  }
}

export interface Session {
  config: ConsoleConfig;
  auth: CognitoAuth;
  api: ApiClient;
  tokens: Tokens | undefined;
  signedIn(tokens: Tokens): void;
  signOut(): Promise<void>;
  /** Fresh tokens after a change Cognito's next tokens reflect (an authenticator app enrolled). */
  refresh(): Promise<void>;
}

const SessionContext = createContext<Session | undefined>(undefined);

/**
 * The signed-in person: Cognito's tokens, kept for the browser tab (sessionStorage), refreshed a
 * minute before they expire, and dropped at sign-out or when Cognito refuses to refresh them.
 */
export function SessionProvider({ config, children }: { config: ConsoleConfig; children: ReactNode }) {
  const auth = useMemo(() => new CognitoAuth(config.cognito), [config]);
  const [tokens, setTokens] = useState<Tokens | undefined>(stored);
  const current = useRef(tokens);
  current.current = tokens;

  const keep = useCallback((next: Tokens | undefined) => {
    if (next) sessionStorage.setItem(STORAGE_KEY, JSON.stringify(next));
    else sessionStorage.removeItem(STORAGE_KEY);
    current.current = next;
    setTokens(next);
  }, []);

  // One refresh at a time: the requests of a page that all find the token expiring share it.
  const refreshing = useRef<Promise<string | undefined> | undefined>(undefined);
  const idToken = useCallback(async () => {
    const now = current.current;
    if (!now) return undefined;
    if (now.expiresAt - Date.now() > 60_000) return now.idToken;
    refreshing.current ??= auth
      .refresh(now)
      .then(
        // Kept only if the session is still the one refreshed: a sign-out meanwhile stays signed out.
        (next) => (current.current === now ? (keep(next), next.idToken) : undefined),
        () => (current.current === now && keep(undefined), undefined),
      )
      .finally(() => (refreshing.current = undefined));
    return refreshing.current;
  }, [auth, keep]);

  // A session the API says has ended (signed out everywhere, or by a tenant's admin) signs out here.
  const ended = useCallback(() => keep(undefined), [keep]);
  const api = useMemo(() => createApiClient(config.apiUrl, idToken, ended), [config, idToken, ended]);

  const value = useMemo<Session>(
    () => ({
      config,
      auth,
      api,
      tokens,
      signedIn: keep,
      async signOut() {
        const now = current.current;
        keep(undefined);
        if (now) await auth.signOut(now.accessToken).catch(() => undefined);
      },
      async refresh() {
        const now = current.current;
        if (!now) return;
        const next = await auth.refresh(now);
        // A sign-out while the refresh was on its way wins: its tokens are not brought back.
        if (current.current === now) keep(next);
      },
    }),
    [config, auth, api, tokens, keep],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside SessionProvider');
  return session;
}
