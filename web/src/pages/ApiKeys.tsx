import { useState, type FormEvent } from 'react';
import { API_KEY_SCOPES, PROJECT_KEY_SCOPES, ROLE_PERMISSIONS } from '../../../shared/model/roles';
import { must, type Schemas } from '../api/client';
import { useSession } from '../auth/session';
import { useTenant } from '../context';
import { useAction, useCursorPages } from '../ui/load';
import { ProjectOptions, useProjects } from './Projects';
import {
  ActionButton,
  DataTable,
  ErrorBox,
  Field,
  formatDate,
  Loading,
  Pager,
  SecretOnce,
  SubmitButton,
} from '../ui/parts';

type Scope = (typeof API_KEY_SCOPES)[number];
const STATUSES = ['active', 'expired', 'revoked'] as const;

/** The tenant's API keys: create (the secret shown once, with copy), list, revoke. */
export function ApiKeys() {
  const { api } = useSession();
  const { tenantId, role } = useTenant();
  const [status, setStatus] = useState<(typeof STATUSES)[number] | ''>('active');
  const [created, setCreated] = useState<Schemas['CreatedApiKey']>();
  const projects = useProjects();
  const projectName = new Map((projects.data ?? []).map((project) => [project.id, project.name]));
  const list = useCursorPages(
    (cursor) =>
      must(
        api.GET('/v1/tenants/{tenantId}/api-keys', {
          params: {
            path: { tenantId },
            query: { ...(status ? { status } : {}), ...(cursor ? { cursor } : {}) },
          },
        }),
      ),
    [api, tenantId, status],
  );
  // A key may hold only what its creator holds.
  const grantable = API_KEY_SCOPES.filter((scope) => role && ROLE_PERMISSIONS[role].has(scope));

  return (
    <>
      <h1>API keys</h1>
      {created ? (
        <SecretOnce
          heading={<>Your new key “{created.name}”</>}
          secret={created.secret}
          testId="api-key-secret"
          copyLabel="Copy the key"
          onStored={() => setCreated(undefined)}
        >
          Send it as <code>Authorization: Bearer &lt;key&gt;</code>.
        </SecretOnce>
      ) : (
        <CreateKeyForm grantable={grantable} onCreated={(key) => (setCreated(key), list.reload())} />
      )}
      <h2>Keys</h2>
      <Field label="Status">
        {(id) => (
          <select id={id} value={status} onChange={(event) => setStatus(event.target.value as typeof status)}>
            <option value="">Any status</option>
            {STATUSES.map((value) => (
              <option key={value}>{value}</option>
            ))}
          </select>
        )}
      </Field>
      <ErrorBox error={list.error} />
      {list.loading && <Loading />}
      <DataTable
        caption="API keys"
        columns={['Name', 'Key', 'Scopes', 'Project', 'Status', 'Last used', 'Expires', 'Actions']}
      >
        {list.data?.items.map((key) => (
          <tr key={key.id}>
            <td>{key.name}</td>
            <td>
              <code>{key.hint}…</code>
            </td>
            <td className="scopes">{key.scopes.join(', ')}</td>
            <td>{key.projectId ? (projectName.get(key.projectId) ?? key.projectId) : 'Whole tenant'}</td>
            <td>
              <span className={`pill pill-${key.status}`}>{key.status}</span>
            </td>
            <td>{formatDate(key.lastUsedAt)}</td>
            <td>{key.expiresAt ? formatDate(key.expiresAt) : 'never'}</td>
            <td>
              {key.status === 'active' && (
                <ActionButton
                  className="danger"
                  confirm={`Revoke “${key.name}”? Calls with it are refused at once.`}
                  action={async () => {
                    await must(
                      api.DELETE('/v1/tenants/{tenantId}/api-keys/{keyId}', {
                        params: { path: { tenantId, keyId: key.id } },
                      }),
                    );
                    list.reload();
                  }}
                >
                  Revoke<span className="visually-hidden"> {key.name}</span>
                </ActionButton>
              )}
            </td>
          </tr>
        ))}
      </DataTable>
      <Pager list={list} label="API keys" />
    </>
  );
}

function CreateKeyForm({
  grantable,
  onCreated,
}: {
  grantable: Scope[];
  onCreated(key: Schemas['CreatedApiKey']): void;
}) {
  const { api } = useSession();
  const { tenantId } = useTenant();
  const { busy, error, run } = useAction();
  const projects = useProjects();
  // A key limited to a project holds only the scopes of that project's routes.
  const [projectId, setProjectId] = useState('');
  const offered = projectId ? grantable.filter((scope) => PROJECT_KEY_SCOPES.includes(scope)) : grantable;
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const scopes = data.getAll('scopes').map(String) as Scope[];
    const expires = String(data.get('expiresAt') ?? '');
    await run(async () => {
      const key = await must(
        api.POST('/v1/tenants/{tenantId}/api-keys', {
          params: { path: { tenantId } },
          body: {
            name: String(data.get('name')).trim(),
            scopes,
            ...(expires ? { expiresAt: new Date(`${expires}T23:59:59Z`).toISOString() } : {}),
            ...(projectId ? { projectId } : {}),
          },
        }),
      );
      onCreated(key);
    });
  };
  return (
    <form className="inline-form" onSubmit={submit} aria-labelledby="create-key-heading">
      <h2 id="create-key-heading">Create a key</h2>
      <Field label="Name">{(id) => <input id={id} name="name" required maxLength={100} />}</Field>
      {(projects.data ?? []).length > 0 && (
        <Field
          label="Project"
          hint="A key limited to a project reaches its agents, their memory and runs, and nothing else."
        >
          {(id, hint) => (
            <select
              id={id}
              value={projectId}
              aria-describedby={hint}
              onChange={(event) => setProjectId(event.target.value)}
            >
              <ProjectOptions projects={projects.data ?? []} none="Whole tenant" />
            </select>
          )}
        </Field>
      )}
      <fieldset key={projectId}>
        <legend>Scopes</legend>
        <div className="checks">
          {offered.map((scope) => (
            <label key={scope}>
              <input type="checkbox" name="scopes" value={scope} defaultChecked={scope.endsWith(':read')} />{' '}
              {scope}
            </label>
          ))}
        </div>
      </fieldset>
      <Field label="Expires (optional)" hint="The key stops working at the end of this day (UTC).">
        {(id, hint) => <input id={id} name="expiresAt" type="date" aria-describedby={hint} />}
      </Field>
      <SubmitButton busy={busy} busyText="Creating…">
        Create key
      </SubmitButton>
      <ErrorBox error={error} />
    </form>
  );
}
