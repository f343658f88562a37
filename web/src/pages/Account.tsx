import { useEffect, useState, type FormEvent } from 'react';
import QRCode from 'qrcode';
import { cognitoErrorText } from '../auth/cognito';
import { useSession } from '../auth/session';
import { useMe } from '../context';
import { Field } from '../ui/parts';

/** The signed-in person: their tenants, their second factor (enrol an authenticator app), sign-out. */
export function Account() {
  const { auth, tokens, refresh, signOut } = useSession();
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
      <h2>Sign out</h2>
      <p>Signs you out of every browser.</p>
      <button type="button" onClick={() => void signOut()}>
        Sign out everywhere
      </button>
    </main>
  );
}
