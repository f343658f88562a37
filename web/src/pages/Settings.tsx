import { useState, type FormEvent } from 'react';
import { ApiProblem, must } from '../api/client';
import { useSession } from '../auth/session';
import { useMe, useTenant } from '../context';
import { useAction, useLoad } from '../ui/load';
import { ActionButton, ErrorBox, Field, Loading, SubmitButton } from '../ui/parts';

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
      <ProfileSection />
    </>
  );
}

const PROFILE_FIELDS = ['displayName', 'contactEmail', 'billingEmail', 'phone', 'company'] as const;

/** A file's bytes, base64 (for the logo's upload). */
async function base64Of(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** What the tenant says of itself and how it looks: its sign-in at its own hosts and its emails. */
function ProfileSection() {
  const { api } = useSession();
  const { tenantId } = useTenant();
  const path = { tenantId };
  const profile = useLoad(
    () => must(api.GET('/v1/tenants/{tenantId}/profile', { params: { path } })),
    [api, tenantId],
  );
  const { busy, error, run } = useAction();
  const logo = useAction();
  const [saved, setSaved] = useState(false);
  if (!profile.data) return profile.error ? <ErrorBox error={profile.error} /> : <Loading />;
  const current = profile.data;
  return (
    <section aria-labelledby="profile-heading">
      <h2 id="profile-heading">Profile and branding</h2>
      <p className="muted">
        Shown on the sign-in at your tenant’s own hosts and in its emails. The billing email is also your
        Stripe customer’s.
      </p>
      <form
        className="stacked-form"
        onSubmit={(event: FormEvent<HTMLFormElement>) => {
          event.preventDefault();
          const data = new FormData(event.currentTarget);
          const text = (name: string) => String(data.get(name) ?? '').trim();
          setSaved(false);
          void run(async () => {
            const body = Object.fromEntries(PROFILE_FIELDS.map((field) => [field, text(field) || null]));
            await must(
              api.PATCH('/v1/tenants/{tenantId}/profile', {
                params: { path },
                body: { ...body, primaryColor: text('primaryColor') || null },
              }),
            );
            setSaved(true);
            profile.reload();
          });
        }}
      >
        <Field label="Name people see">
          {(id) => <input id={id} name="displayName" defaultValue={current.displayName} maxLength={100} />}
        </Field>
        <Field label="Contact email">
          {(id) => (
            <input id={id} name="contactEmail" type="email" defaultValue={current.contactEmail ?? ''} />
          )}
        </Field>
        <Field label="Billing email">
          {(id) => (
            <input id={id} name="billingEmail" type="email" defaultValue={current.billingEmail ?? ''} />
          )}
        </Field>
        <Field label="Phone" hint="International form, such as +44 20 7946 0000.">
          {(id, hint) => (
            <input
              id={id}
              name="phone"
              type="tel"
              defaultValue={current.phone ?? ''}
              aria-describedby={hint}
            />
          )}
        </Field>
        <Field label="Company">
          {(id) => <input id={id} name="company" defaultValue={current.company ?? ''} maxLength={200} />}
        </Field>
        <Field label="Primary colour" hint="#rrggbb, dark enough for white text on it.">
          {(id, hint) => (
            <input
              id={id}
              name="primaryColor"
              defaultValue={current.primaryColor ?? ''}
              placeholder="#1d4ed8"
              pattern="#[0-9a-fA-F]{6}"
              aria-describedby={hint}
            />
          )}
        </Field>
        <div className="buttons">
          <SubmitButton busy={busy} busyText="Saving…">
            Save profile
          </SubmitButton>
        </div>
        <ErrorBox error={error} />
        {saved && (
          <p className="notice" role="status">
            Profile saved.
          </p>
        )}
      </form>
      <h3>Logo</h3>
      {current.logo ? (
        <p>
          <img src={current.logo.dataUrl} alt="Your logo" className="brand-logo" /> {current.logo.width}×
          {current.logo.height} pixels{' '}
          <ActionButton
            action={async () => {
              await must(api.DELETE('/v1/tenants/{tenantId}/profile/logo', { params: { path } }));
              profile.reload();
            }}
          >
            Remove the logo
          </ActionButton>
        </p>
      ) : (
        <p className="muted">No logo yet.</p>
      )}
      <Field label="Upload a logo" hint="PNG, JPEG or WebP, at most 64 KB, 16 to 1,024 pixels a side.">
        {(id, hint) => (
          <input
            id={id}
            type="file"
            accept="image/png,image/jpeg,image/webp"
            aria-describedby={hint}
            disabled={logo.busy}
            onChange={(event) => {
              const file = event.currentTarget.files?.[0];
              if (!file) return;
              void logo.run(async () => {
                await must(
                  api.PUT('/v1/tenants/{tenantId}/profile/logo', {
                    params: { path },
                    body: { contentType: file.type as 'image/png', data: await base64Of(file) },
                  }),
                );
                profile.reload();
              });
            }}
          />
        )}
      </Field>
      <ErrorBox error={logo.error} />
    </section>
  );
}
