import { useState, type FormEvent } from 'react';
import { SSO_ROLES } from '../../../shared/model/sso';
import { ApiProblem, must, type Schemas } from '../api/client';
import { useSession } from '../auth/session';
import { useTenant } from '../context';
import { useAction, useLoad } from '../ui/load';
import {
  ActionButton,
  CopyButton,
  DataTable,
  ErrorBox,
  Field,
  formatDate,
  Loading,
  SecretOnce,
  SubmitButton,
} from '../ui/parts';
import { PlanGate } from '../ui/plan-gate';
import { AddDomainForm } from '../ui/add-domain-form';

type Connection = Schemas['SsoConnection'];
type SsoDomain = Schemas['SsoDomain'];

/** A value to give the identity provider's admin, with its copy button. */
function Given({ label, value }: { label: string; value: string }) {
  return (
    <>
      <dt>{label}</dt>
      <dd className="break">
        <code>{value}</code> <CopyButton text={value} name={`Copy the ${label.toLowerCase()}`} />
      </dd>
    </>
  );
}

/** The provider as saved: what it is, what to register at it, its certificates. */
function ProviderFacts({ connection }: { connection: Connection }) {
  const { serviceProvider: sp } = connection;
  return (
    <section className="card" aria-labelledby="provider-facts">
      <h3 id="provider-facts">
        {connection.type === 'oidc' ? 'OpenID Connect' : 'SAML 2.0'}{' '}
        <span className={`pill pill-${connection.enabled ? 'active' : 'disabled'}`}>
          {connection.enabled ? 'On' : 'Off'}
        </span>
      </h3>
      <dl className="facts">
        {connection.oidc && (
          <>
            <dt>Issuer</dt>
            <dd className="break">{connection.oidc.issuer}</dd>
            <dt>Client id</dt>
            <dd>{connection.oidc.clientId}</dd>
          </>
        )}
        {connection.saml && (
          <>
            <dt>Identity provider</dt>
            <dd className="break">{connection.saml.entityId}</dd>
          </>
        )}
        <dt>New people join as</dt>
        <dd>{connection.defaultRole}</dd>
        <dt>Single sign-on required</dt>
        <dd>{connection.requireSso ? 'Yes: captured addresses cannot use a password' : 'No'}</dd>
      </dl>
      <h4>Register at your identity provider</h4>
      <dl className="facts">
        {connection.type === 'oidc' ? (
          <Given label="Redirect URI" value={sp.redirectUri} />
        ) : (
          <>
            <Given label="ACS URL" value={sp.acsUrl} />
            <Given label="Audience (entity id)" value={sp.entityId} />
          </>
        )}
      </dl>
      {connection.saml && connection.saml.certificates.length > 0 && (
        <DataTable caption="Signing certificates" columns={['Subject', 'Expires', 'In']}>
          {connection.saml.certificates.map((certificate) => (
            <tr key={certificate.fingerprint}>
              <td className="break">{certificate.subject}</td>
              <td>{formatDate(certificate.notAfter)}</td>
              <td>{certificate.expired ? 'Expired' : `${certificate.expiresInDays} days`}</td>
            </tr>
          ))}
        </DataTable>
      )}
    </section>
  );
}

/** Sets the provider: OIDC (issuer, client) or SAML (metadata URL), the role of new people, enforcement. */
function ProviderForm({
  connection,
  owners,
  onSaved,
}: {
  connection: Connection | undefined;
  owners: Array<{ id: string; email: string }>;
  onSaved(): void;
}) {
  const { api } = useSession();
  const { tenantId } = useTenant();
  const { busy, error, run } = useAction();
  const [type, setType] = useState<'oidc' | 'saml'>(connection?.type ?? 'oidc');
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (name: string) => String(form.get(name) ?? '').trim();
    const secret = text('clientSecret');
    const requireSso = form.get('requireSso') === 'on';
    const common = {
      enabled: form.get('enabled') === 'on',
      defaultRole: text('defaultRole') as (typeof SSO_ROLES)[number],
      requireSso,
      ...(requireSso ? { breakGlassUserId: text('breakGlassUserId') || null } : { breakGlassUserId: null }),
    };
    const body =
      type === 'oidc'
        ? {
            type,
            oidc: {
              issuer: text('issuer'),
              clientId: text('clientId'),
              ...(secret ? { clientSecret: secret } : {}),
            },
            ...common,
          }
        : { type, saml: { metadataUrl: text('metadataUrl') }, ...common };
    void run(async () => {
      await must(api.PUT('/v1/tenants/{tenantId}/sso', { params: { path: { tenantId } }, body }));
      onSaved();
    });
  };
  return (
    <form className="stacked-form" onSubmit={submit} aria-labelledby="provider-form">
      <h3 id="provider-form">{connection ? 'Change the provider' : 'Set your identity provider'}</h3>
      <fieldset>
        <legend>Protocol</legend>
        {(['oidc', 'saml'] as const).map((option) => (
          <label key={option}>
            <input
              type="radio"
              name="type"
              value={option}
              checked={type === option}
              onChange={() => setType(option)}
            />{' '}
            {option === 'oidc' ? 'OpenID Connect' : 'SAML 2.0'}
          </label>
        ))}
      </fieldset>
      {type === 'oidc' ? (
        <>
          <Field label="Issuer">
            {(id) => (
              <input
                id={id}
                name="issuer"
                type="url"
                required
                defaultValue={connection?.oidc?.issuer ?? ''}
              />
            )}
          </Field>
          <Field label="Client id">
            {(id) => (
              <input id={id} name="clientId" required defaultValue={connection?.oidc?.clientId ?? ''} />
            )}
          </Field>
          <Field
            label="Client secret"
            hint={connection?.oidc?.clientSecretSet ? 'Kept unless you type a new one.' : undefined}
          >
            {(id, hint) => (
              <input
                id={id}
                name="clientSecret"
                type="password"
                autoComplete="off"
                required={!connection?.oidc?.clientSecretSet}
                aria-describedby={hint}
              />
            )}
          </Field>
        </>
      ) : (
        <Field label="Metadata URL">
          {(id) => (
            <input
              id={id}
              name="metadataUrl"
              type="url"
              required
              defaultValue={connection?.saml?.metadataUrl ?? ''}
            />
          )}
        </Field>
      )}
      <Field label="New people join as">
        {(id) => (
          <select id={id} name="defaultRole" defaultValue={connection?.defaultRole ?? 'member'}>
            {SSO_ROLES.map((role) => (
              <option key={role} value={role}>
                {role}
              </option>
            ))}
          </select>
        )}
      </Field>
      <div>
        <label>
          <input type="checkbox" name="enabled" defaultChecked={connection?.enabled ?? true} /> Offer sign-in
          through the provider
        </label>
      </div>
      <div>
        <label>
          <input type="checkbox" name="requireSso" defaultChecked={connection?.requireSso ?? false} /> Require
          single sign-on for addresses of the verified domains
        </label>
      </div>
      <Field label="Break-glass owner" hint="Keeps a password when single sign-on is required.">
        {(id, hint) => (
          <select
            id={id}
            name="breakGlassUserId"
            defaultValue={connection?.breakGlassUserId ?? ''}
            aria-describedby={hint}
          >
            <option value="">None</option>
            {owners.map((owner) => (
              <option key={owner.id} value={owner.id}>
                {owner.email}
              </option>
            ))}
          </select>
        )}
      </Field>
      <SubmitButton busy={busy}>Save the provider</SubmitButton>
      <ErrorBox error={error} />
    </form>
  );
}

/** A captured email domain: its TXT record, its state, check now, remove. */
function DomainRow({ domain, onChanged }: { domain: SsoDomain; onChanged(): void }) {
  const { api } = useSession();
  const { tenantId } = useTenant();
  const path = { tenantId, domain: domain.domain };
  return (
    <tr>
      <th scope="row">
        {domain.displayName}{' '}
        <span className={`pill pill-${domain.state === 'verified' ? 'active' : 'invited'}`}>
          {domain.state === 'verified' ? 'Verified' : 'Pending'}
        </span>
      </th>
      <td className="break">
        <code>{domain.verification.name}</code>{' '}
        <CopyButton text={domain.verification.name} name={`Copy the TXT name for ${domain.displayName}`} />
        <br />
        <code>{domain.verification.value}</code>{' '}
        <CopyButton text={domain.verification.value} name={`Copy the TXT value for ${domain.displayName}`} />
      </td>
      <td>
        {domain.lookupError ??
          (domain.lastCheckedAt
            ? `${formatDate(domain.lastCheckedAt)}: ${domain.found.length ? domain.found.join(', ') : 'nothing found'}`
            : 'Not checked yet')}
      </td>
      <td>
        <div className="row-actions">
          {domain.state === 'pending' && (
            <ActionButton
              action={async () => {
                await must(
                  api.POST('/v1/tenants/{tenantId}/sso/domains/{domain}/check', {
                    params: { path },
                    body: {},
                  }),
                );
                onChanged();
              }}
            >
              Check now<span className="visually-hidden"> {domain.displayName}</span>
            </ActionButton>
          )}
          <ActionButton
            className="danger"
            confirm={`Stop capturing ${domain.displayName}?`}
            action={async () => {
              await must(api.DELETE('/v1/tenants/{tenantId}/sso/domains/{domain}', { params: { path } }));
              onChanged();
            }}
          >
            Remove<span className="visually-hidden"> {domain.displayName}</span>
          </ActionButton>
        </div>
      </td>
    </tr>
  );
}

function Domains() {
  const { api } = useSession();
  const { tenantId } = useTenant();
  const list = useLoad(
    () => must(api.GET('/v1/tenants/{tenantId}/sso/domains', { params: { path: { tenantId } } })),
    [api, tenantId],
  );
  return (
    <section aria-labelledby="sso-domains">
      <h2 id="sso-domains">Email domains</h2>
      <p className="muted">
        People whose address is in a verified domain sign in through your provider. Add the TXT record, then
        check.
      </p>
      <AddDomainForm
        label="Email domain"
        placeholder="example.com"
        add={(domain) =>
          must(
            api.POST('/v1/tenants/{tenantId}/sso/domains', {
              params: { path: { tenantId } },
              body: { domain },
            }),
          )
        }
        onAdded={list.reload}
      />
      <ErrorBox error={list.error} />
      {list.data && list.data.items.length === 0 && <p className="muted">No domain yet.</p>}
      {list.data && list.data.items.length > 0 && (
        <DataTable
          caption="Captured email domains"
          columns={['Domain', 'TXT record', 'Last check', 'Actions']}
        >
          {list.data.items.map((domain) => (
            <DomainRow key={domain.domain} domain={domain} onChanged={list.reload} />
          ))}
        </DataTable>
      )}
    </section>
  );
}

/** Directory sync: the SCIM base URL, and a bearer token (an API key scoped to directory:sync). */
function DirectorySync() {
  const { api, config } = useSession();
  const { tenantId } = useTenant();
  const [token, setToken] = useState<string>();
  // The API's address as the directory will call it (on the twin the console and the API share one).
  const base = new URL(
    `v1/tenants/${tenantId}/scim/v2`,
    new URL(config.apiUrl || '/', window.location.href).href.replace(/\/?$/, '/'),
  ).href;
  return (
    <section aria-labelledby="directory-sync">
      <h2 id="directory-sync">Directory sync (SCIM)</h2>
      <p className="muted">Your directory provisions, updates and deactivates your people here.</p>
      <dl className="facts">
        <Given label="SCIM base URL" value={base} />
      </dl>
      {token ? (
        <SecretOnce
          heading="Your directory’s token"
          secret={token}
          testId="scim-token"
          copyLabel="Copy the token"
          onStored={() => setToken(undefined)}
        >
          Give it to your directory as its bearer token. Revoke it on the API keys page.
        </SecretOnce>
      ) : (
        <ActionButton
          action={async () => {
            const key = await must(
              api.POST('/v1/tenants/{tenantId}/api-keys', {
                params: { path: { tenantId } },
                body: { name: 'Directory sync (SCIM)', scopes: ['directory:sync'] },
              }),
            );
            setToken(key.secret);
          }}
        >
          Create a directory token
        </ActionButton>
      )}
    </section>
  );
}

/** The tenant's single sign-on: its identity provider, its email domains, its directory. */
export function SingleSignOn() {
  const { api } = useSession();
  const { tenantId } = useTenant();
  const connection = useLoad(
    () =>
      must(api.GET('/v1/tenants/{tenantId}/sso', { params: { path: { tenantId } } })).catch(
        (error: unknown) => {
          if (error instanceof ApiProblem && error.code === 'sso_not_configured') return undefined;
          throw error;
        },
      ),
    [api, tenantId],
  );
  const owners = useLoad(
    () =>
      must(
        api.GET('/v1/tenants/{tenantId}/users', {
          params: { path: { tenantId }, query: { role: 'owner', status: 'active', limit: 100 } },
        }),
      ),
    [api, tenantId],
  );
  const remove = async () => {
    await must(api.DELETE('/v1/tenants/{tenantId}/sso', { params: { path: { tenantId } } }));
    connection.reload();
  };
  if (connection.error instanceof ApiProblem && connection.error.code === 'feature_not_in_plan') {
    return (
      <>
        <h1>Single sign-on</h1>
        <PlanGate
          feature="sso"
          pitch="your people sign in through your own identity provider (OpenID Connect or SAML), your directory provisions them, and your domains can require it."
        />
      </>
    );
  }
  return (
    <>
      <h1>Single sign-on</h1>
      <ErrorBox error={connection.error} />
      {connection.loading && !connection.data && <Loading />}
      <section aria-labelledby="sso-provider">
        <h2 id="sso-provider">Identity provider</h2>
        {connection.data && <ProviderFacts connection={connection.data} />}
        {!connection.loading && (
          <ProviderForm
            key={connection.data?.updatedAt ?? 'none'}
            connection={connection.data}
            owners={(owners.data?.items ?? []).map((owner) => ({ id: owner.id, email: owner.email }))}
            onSaved={connection.reload}
          />
        )}
        {connection.data && (
          <ActionButton
            className="danger"
            confirm="Remove the identity provider? Its sign-in stops at once."
            action={remove}
          >
            Remove the provider
          </ActionButton>
        )}
      </section>
      <Domains />
      <DirectorySync />
    </>
  );
}
