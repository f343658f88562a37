import { useEffect, useRef, useState, type FormEvent } from 'react';
import { discoverSignIn, finishSignIn, startSignIn } from '../auth/sso';
import { cognitoErrorText, type SignInStep } from '../auth/cognito';
import { useSession } from '../auth/session';
import { Field } from '../ui/parts';
import { BrandBand, useBranding } from '../branding';
import {
  PASSWORD_POLICY,
  PASSWORD_POLICY_HINT,
  passwordPolicyProblems,
} from '../../../shared/model/user-pool-definition';

type Pending =
  | Exclude<SignInStep, { kind: 'done' }>
  /** Forgot password: the address to send a code to, then the code and the new password. */
  | { kind: 'forgot' }
  | { kind: 'resetCode'; email: string };

/**
 * Sign-in against the user pool: email and password, then whatever Cognito asks — a new password
 * (the first sign-in with an invitation's temporary password) or the authenticator app's code.
 */
export function SignIn() {
  const { auth, signedIn, config } = useSession();
  const form = useRef<HTMLFormElement>(null);
  const branding = useBranding();
  const [pending, setPending] = useState<Pending | undefined>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<string>();

  const advance = async (step: Promise<SignInStep | Pending | undefined>) => {
    setBusy(true);
    setError(undefined);
    setNotice(undefined);
    try {
      const next = await step;
      if (next === undefined) setPending(undefined);
      else if (next.kind === 'done') signedIn(next.tokens);
      else setPending(next);
    } catch (failure) {
      setError(cognitoErrorText(failure, pending ? 'other' : 'password'));
    } finally {
      setBusy(false);
    }
  };

  /** A new password chosen twice, and meeting the pool's policy; the problem in words otherwise. */
  const newPasswordProblem = (value: (name: string) => string): string | undefined => {
    if (value('newPassword') !== value('confirmPassword')) return 'The two passwords differ.';
    const lacking = passwordPolicyProblems(value('newPassword'));
    return lacking.length > 0 ? `The new password needs ${lacking.join(', ')}.` : undefined;
  };

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const value = (name: string) => String(form.get(name) ?? '');
    if (!pending) return void advance(auth.signIn(value('email').trim(), value('password')));
    if (pending.kind === 'forgot') {
      const email = value('email').trim();
      return void advance(auth.forgotPassword(email).then((): Pending => ({ kind: 'resetCode', email })));
    }
    if (pending.kind === 'resetCode') {
      const problem = newPasswordProblem(value);
      if (problem) return setError(problem);
      return void advance(
        auth
          .confirmForgotPassword(pending.email, value('code').trim(), value('newPassword'))
          .then(() => (setNotice('Your password is changed: sign in with it.'), undefined)),
      );
    }
    if (pending.kind === 'newPassword') {
      const problem = newPasswordProblem(value);
      if (problem) return setError(problem);
      return void advance(auth.answerNewPassword(pending.email, pending.session, value('newPassword')));
    }
    return void advance(auth.answerMfa(pending.email, pending.session, value('code').trim()));
  };

  /** Single sign-on for the address typed: to its organisation's provider, or why not. */
  const singleSignOn = async () => {
    const email = String(new FormData(form.current ?? undefined).get('email') ?? '').trim();
    if (!email) return setError('Type your work email first.');
    setBusy(true);
    setError(undefined);
    try {
      const found = await discoverSignIn(config.apiUrl, email);
      if (!found.sso || !found.authorizeUrl) {
        setError('Your organisation does not sign in with single sign-on here: use your password.');
        return;
      }
      await startSignIn(found.authorizeUrl);
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    } finally {
      setBusy(false);
    }
  };

  // An invitation's link names the address it was sent to: filled in, the password next.
  const invitedEmail = new URLSearchParams(window.location.search).get('email') ?? undefined;
  return (
    <main id="main" className="sign-in">
      {branding && <BrandBand branding={branding} />}
      <h1>{branding ? `Sign in to ${branding.displayName}` : 'Tenantry console'}</h1>
      <form ref={form} onSubmit={submit} aria-describedby={error ? 'sign-in-error' : undefined}>
        {!pending && (
          <>
            <h2>Sign in</h2>
            <Field label="Email">
              {(id) => (
                <input
                  id={id}
                  name="email"
                  type="email"
                  autoComplete="username"
                  required
                  defaultValue={invitedEmail}
                  autoFocus={!invitedEmail}
                />
              )}
            </Field>
            <Field label="Password">
              {(id) => (
                <input
                  id={id}
                  name="password"
                  type="password"
                  autoComplete="current-password"
                  required
                  autoFocus={Boolean(invitedEmail)}
                />
              )}
            </Field>
          </>
        )}
        {pending?.kind === 'forgot' && (
          <>
            <h2>Forgot your password?</h2>
            <p>We email you a code to choose a new one.</p>
            <Field label="Email">
              {(id) => <input id={id} name="email" type="email" autoComplete="username" required autoFocus />}
            </Field>
          </>
        )}
        {(pending?.kind === 'newPassword' || pending?.kind === 'resetCode') && (
          <>
            <h2>Choose your password</h2>
            {pending.kind === 'newPassword' ? (
              <p>You signed in with a temporary password. Choose your own to go on.</p>
            ) : (
              <>
                <p role="status">
                  If an account has the address {pending.email}, a code is on its way there. It works for an
                  hour.
                </p>
                <Field label="Code from the email">
                  {(id) => (
                    <input id={id} name="code" inputMode="numeric" autoComplete="one-time-code" required />
                  )}
                </Field>
              </>
            )}
            <Field label="New password" hint={PASSWORD_POLICY_HINT}>
              {(id, hint) => (
                <input
                  id={id}
                  name="newPassword"
                  type="password"
                  autoComplete="new-password"
                  required
                  minLength={PASSWORD_POLICY.minLength}
                  aria-describedby={hint}
                  autoFocus={pending.kind === 'newPassword'}
                />
              )}
            </Field>
            <Field label="Repeat the new password">
              {(id) => (
                <input id={id} name="confirmPassword" type="password" autoComplete="new-password" required />
              )}
            </Field>
          </>
        )}
        {pending?.kind === 'mfa' && (
          <>
            <h2>Authenticator code</h2>
            <Field label="Code from your authenticator app" hint="Six digits; a new one every 30 seconds.">
              {(id, hint) => (
                <input
                  id={id}
                  name="code"
                  inputMode="numeric"
                  autoComplete="one-time-code"
                  pattern="[0-9]{6}"
                  required
                  aria-describedby={hint}
                  autoFocus
                />
              )}
            </Field>
          </>
        )}
        {error && (
          <p id="sign-in-error" className="error" role="alert">
            {error}
          </p>
        )}
        {notice && (
          <p className="notice" role="status">
            {notice}
          </p>
        )}
        <div className="buttons">
          <button type="submit" className="primary" disabled={busy} aria-busy={busy}>
            {busy
              ? 'Working…'
              : pending?.kind === 'forgot'
                ? 'Email me a code'
                : pending?.kind === 'resetCode'
                  ? 'Change my password'
                  : pending
                    ? 'Continue'
                    : 'Sign in'}
          </button>
          {pending ? (
            <button type="button" onClick={() => (setPending(undefined), setError(undefined))}>
              Back to sign-in
            </button>
          ) : (
            <>
              <button type="button" onClick={() => void singleSignOn()} disabled={busy}>
                Use single sign-on
              </button>
              <button
                type="button"
                className="link"
                onClick={() => (setPending({ kind: 'forgot' }), setError(undefined), setNotice(undefined))}
              >
                Forgot your password?
              </button>
            </>
          )}
        </div>
      </form>
    </main>
  );
}

/**
 * `/sso/callback`: where the hosted sign-in sends the browser back with a code; exchanged once, the
 * person is signed in and the console starts at its home.
 */
export function SsoCallback() {
  const { signedIn } = useSession();
  const [error, setError] = useState<string>();
  const started = useRef(false);
  useEffect(() => {
    if (started.current) return;
    started.current = true;
    finishSignIn(window.location.search).then(
      (tokens) => {
        window.history.replaceState(null, '', '/');
        signedIn(tokens);
      },
      (failure: unknown) => setError(failure instanceof Error ? failure.message : String(failure)),
    );
  }, [signedIn]);
  return (
    <main id="main" className="sign-in">
      <h1>Single sign-on</h1>
      {error ? (
        <>
          <p className="error" role="alert">
            {error}
          </p>
          <p>
            <a href="/">Back to sign-in</a>
          </p>
        </>
      ) : (
        <p role="status">Signing you in…</p>
      )}
    </main>
  );
}
