import { useEffect, useState, type FormEvent } from 'react';
import QRCode from 'qrcode';
import { cognitoErrorText } from '../auth/cognito';
import { useSession } from '../auth/session';
import { useMe } from '../context';
import { ActionButton, DataTable, ErrorBox, Field, formatDate } from '../ui/parts';
import { must } from '../api/client';
import { useLoad } from '../ui/load';

/** The signed-in person: their tenants, their second factor (enrol an authenticator app), sign-out. */
export function Account() {
  const { auth, tokens, refresh } = useSession();
  const { me, reloadMe } = useMe();
  const [secret, setSecret] = useState<string>();
  const [qr, setQr] = useState<string>();
  const [error, setError] = useState<string>();
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  const otpauth = secret
    ? `otpauth://totp/Tenantry:${encodeURIComponent(tokens?.email ?? '')}?secret=${secret}&issuer=Tenantry`
    : undefined;
  useEffect(() => {
    if (otpauth) void QRCode.toDataURL(otpauth, { margin: 1, width: 192 }).then(setQr);
  }, [otpauth]);

  const start = async () => {
    setError(undefined);
    try {
      setSecret(await auth.associateAuthenticator(tokens?.accessToken ?? ''));
    } catch (failure) {
      setError(cognitoErrorText(failure));
    }
  };
  const verify = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const code = String(new FormData(event.currentTarget).get('code') ?? '').trim();
    setBusy(true);
    setError(undefined);
    try {
      await auth.verifyAuthenticator(tokens?.accessToken ?? '', code);
      setSecret(undefined);
      setDone(true);
      // New tokens, so the API sees the second factor at once.
      await refresh().catch(() => undefined);
      reloadMe();
    } catch (failure) {
      setError(cognitoErrorText(failure));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main" className="page">
      <h1>Your account</h1>
      <p>
        Signed in as <strong>{me.user.email}</strong>
        {me.user.platformAdmin && ' (platform admin)'}.
      </p>
      <h2>Tenants</h2>
      <ul>
        {me.memberships.map((membership) => (
          <li key={membership.tenantId}>
            {membership.tenantName} — {membership.role}, {membership.status}
            {membership.tenantStatus !== 'active' && ` (tenant ${membership.tenantStatus})`}
          </li>
        ))}
      </ul>
      <h2>Multi-factor authentication</h2>
      {me.user.mfaEnrolled || done ? (
        <p role="status">An authenticator app is set up: each sign-in asks for its code.</p>
      ) : secret ? (
        <form className="stacked-form" onSubmit={verify}>
          <p>
            Scan this code with your authenticator app, or type the key into it, then enter the code it shows.
          </p>
          {qr && <img src={qr} alt="QR code of the authenticator key" width={192} height={192} />}
          <p>
            Key: <code data-testid="mfa-secret">{secret}</code>
          </p>
          <Field label="Code from the app">
            {(id) => (
              <input
                id={id}
                name="code"
                inputMode="numeric"
                autoComplete="one-time-code"
                pattern="[0-9]{6}"
                required
              />
            )}
          </Field>
          <button type="submit" className="primary" disabled={busy} aria-busy={busy}>
            {busy ? 'Checking…' : 'Turn on'}
          </button>
        </form>
      ) : (
        <>
          <p>Not set up. A tenant may require it of its members.</p>
          <button type="button" className="primary" onClick={() => void start()}>
            Set up an authenticator app
          </button>
        </>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <Sessions />
    </main>
  );
}

/** Where the person is signed in: each session, ending one, or all of them (this one too). */
function Sessions() {
  const { api, signOut } = useSession();
  const sessions = useLoad(() => must(api.GET('/v1/me/sessions')), [api]);
  const everywhere = async () => {
    await must(api.DELETE('/v1/me/sessions'));
    await signOut();
  };
  return (
    <>
      <h2>Where you are signed in</h2>
      {sessions.error ? (
        <ErrorBox error={sessions.error} />
      ) : (
        <DataTable
          caption="Your sessions"
          columns={['Browser', 'From', 'Signed in', 'How', 'Tenants', { label: 'Actions', hidden: true }]}
        >
          {(sessions.data?.items ?? []).map((session) => (
            <tr key={session.id}>
              <td>
                {session.userAgent ?? 'Unknown browser'}
                {session.current && <strong> (this browser)</strong>}
              </td>
              <td>{session.sourceIp ?? '—'}</td>
              <td>{formatDate(session.signedInAt)}</td>
              <td>{session.via === 'sso' ? 'Single sign-on' : 'Password'}</td>
              <td className="number">{session.tenants.length}</td>
              <td>
                {!session.current && (
                  <ActionButton
                    confirm="End this session? Its browser is signed out."
                    action={async () => {
                      await must(
                        api.DELETE('/v1/me/sessions/{sessionId}', {
                          params: { path: { sessionId: session.id } },
                        }),
                      );
                      sessions.reload();
                    }}
                  >
                    End
                    <span className="visually-hidden">
                      {' '}
                      the session signed in {formatDate(session.signedInAt)}
                    </span>
                  </ActionButton>
                )}
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      <p>Signing out everywhere ends every session above, this one too.</p>
      <ActionButton className="danger" confirm="Sign out of every browser, this one too?" action={everywhere}>
        Sign out everywhere
      </ActionButton>
    </>
  );
}
