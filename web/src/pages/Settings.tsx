import { useState, type FormEvent } from 'react';
import { ApiProblem, must } from '../api/client';
import { useSession } from '../auth/session';
import { useMe, useTenant } from '../context';
import { useAction } from '../ui/load';
import { ErrorBox, Field, SubmitButton } from '../ui/parts';

const LOCKOUTS = new Set(['ip_allowlist_lockout', 'mfa_lockout']);

/** Name, IP allowlist and MFA requirement; a change that would lock the caller out asks again. */
export function Settings() {
  const { api } = useSession();
  const { tenant, tenantId, reloadTenant } = useTenant();
  // The tenant switcher shows the name too.
  const { reloadMe } = useMe();
  const [saved, setSaved] = useState(false);
  const { busy, error, run } = useAction();
  const lockout = error instanceof ApiProblem && error.code !== undefined && LOCKOUTS.has(error.code);

  const save = async (form: HTMLFormElement, force: boolean) => {
    const data = new FormData(form);
    const ipAllowlist = String(data.get('ipAllowlist') ?? '')
      .split(/[\s,]+/)
      .map((entry) => entry.trim())
      .filter(Boolean);
    setSaved(false);
    await run(async () => {
      await must(
        api.PATCH('/v1/tenants/{tenantId}', {
          params: { path: { tenantId } },
          body: {
            name: String(data.get('name')).trim(),
            settings: { ipAllowlist, mfaRequired: data.get('mfaRequired') === 'on' },
            ...(force ? { force: true } : {}),
          },
        }),
      );
      setSaved(true);
      reloadTenant();
      reloadMe();
    });
  };

  return (
    <>
      <h1>Settings</h1>
      <form
        className="stacked-form"
        onSubmit={(event: FormEvent<HTMLFormElement>) => {
          event.preventDefault();
          void save(event.currentTarget, false);
        }}
      >
        <Field label="Tenant name">
          {(id) => <input id={id} name="name" defaultValue={tenant.name} required maxLength={100} />}
        </Field>
        <Field label="Slug" hint="Fixed at creation.">
          {(id, hint) => <input id={id} value={tenant.slug} readOnly aria-describedby={hint} />}
        </Field>
        <Field
          label="IP allowlist"
          hint="CIDR blocks (IPv4 or IPv6), one a line. Members and API keys may call only from these; empty allows any address."
        >
          {(id, hint) => (
            <textarea
              id={id}
              name="ipAllowlist"
              rows={4}
              defaultValue={(tenant.settings.ipAllowlist ?? []).join('\n')}
              aria-describedby={hint}
              spellCheck={false}
            />
          )}
        </Field>
        <div className="field checkbox">
          <label>
            <input type="checkbox" name="mfaRequired" defaultChecked={tenant.settings.mfaRequired ?? false} />{' '}
            Require multi-factor authentication of every member
          </label>
        </div>
        <div className="buttons">
          <SubmitButton busy={busy} busyText="Saving…">
            Save settings
          </SubmitButton>
        </div>
        <ErrorBox
          error={error}
          explain={{
            ip_allowlist_lockout:
              'The list does not include the address you are using now: saving it would lock you out. Add your address to the list, or save anyway.',
            mfa_lockout:
              'You have not set up multi-factor authentication yourself: requiring it would lock you out. Set it up on your account page first, or save anyway.',
          }}
          fields={{ name: 'Tenant name', 'settings.ipAllowlist': 'IP allowlist' }}
        />
        {lockout && (
          <p>
            <button
              type="button"
              className="danger"
              onClick={(event) => {
                const form = event.currentTarget.form;
                if (form) void save(form, true);
              }}
            >
              Save anyway, locking myself out
            </button>
          </p>
        )}
        {saved && (
          <p className="notice" role="status">
            Settings saved.
          </p>
        )}
      </form>
    </>
  );
}
