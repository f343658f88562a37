import { useState, type FormEvent } from 'react';
import { cognitoErrorText, type SignInStep } from '../auth/cognito';
import { useSession } from '../auth/session';
import { Field } from '../ui/parts';
import {
  PASSWORD_POLICY,
  PASSWORD_POLICY_HINT,
  passwordPolicyProblems,
} from '../../../shared/model/user-pool-definition';

type Pending = Exclude<SignInStep, { kind: 'done' }>;

/**
 * Sign-in against the user pool: email and password, then whatever Cognito asks — a new password
 * (the first sign-in with an invitation's temporary password) or the authenticator app's code.
 */
export function SignIn() {
  const { auth, signedIn } = useSession();
  const [pending, setPending] = useState<Pending | undefined>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const advance = async (step: Promise<SignInStep>) => {
    setBusy(true);
    setError(undefined);
    try {
      const next = await step;
      if (next.kind === 'done') signedIn(next.tokens);
      else setPending(next);
    } catch (failure) {
      setError(cognitoErrorText(failure, pending ? 'other' : 'password'));
    } finally {
      setBusy(false);
    }
  };

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const value = (name: string) => String(form.get(name) ?? '');
    if (!pending) return void advance(auth.signIn(value('email').trim(), value('password')));
    if (pending.kind === 'newPassword') {
      if (value('newPassword') !== value('confirmPassword')) return setError('The two passwords differ.');
      const lacking = passwordPolicyProblems(value('newPassword'));
      if (lacking.length > 0) return setError(`The new password needs ${lacking.join(', ')}.`);
      return void advance(auth.answerNewPassword(pending.email, pending.session, value('newPassword')));
    }
    return void advance(auth.answerMfa(pending.email, pending.session, value('code').trim()));
  };

  return (
    <main id="main" className="sign-in">
      <h1>Tenantry console</h1>
      <form onSubmit={submit} aria-describedby={error ? 'sign-in-error' : undefined}>
        {!pending && (
          <>
            <h2>Sign in</h2>
            <Field label="Email">
              {(id) => <input id={id} name="email" type="email" autoComplete="username" required autoFocus />}
            </Field>
            <Field label="Password">
              {(id) => (
                <input id={id} name="password" type="password" autoComplete="current-password" required />
              )}
            </Field>
          </>
        )}
        {pending?.kind === 'newPassword' && (
          <>
            <h2>Choose your password</h2>
            <p>You signed in with a temporary password. Choose your own to go on.</p>
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
                  autoFocus
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
        <div className="buttons">
          <button type="submit" className="primary" disabled={busy} aria-busy={busy}>
            {busy ? 'Signing in…' : pending ? 'Continue' : 'Sign in'}
          </button>
          {pending && (
            <button type="button" onClick={() => (setPending(undefined), setError(undefined))}>
              Start again
            </button>
          )}
        </div>
      </form>
    </main>
  );
}
