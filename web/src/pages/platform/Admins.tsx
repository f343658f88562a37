import type { FormEvent } from 'react';
import { must } from '../../api/client';
import { useSession } from '../../auth/session';
import { useMe } from '../../context';
import { useAction, useCursorPages, useLoad } from '../../ui/load';
import {
  ActionButton,
  DataTable,
  ErrorBox,
  Field,
  formatDate,
  Loading,
  Pager,
  SubmitButton,
} from '../../ui/parts';
import { PlatformNav } from './Figures';

/** A person as the platform's records name them: their email where known, else their id. */
const who = (email: string | null, id: string) => email ?? id;

/** Platform admins: who holds the power, grant it by email, revoke it (asked first). */
export function PlatformAdmins() {
  const { api } = useSession();
  const { me } = useMe();
  const grant = useAction();
  const admins = useLoad(() => must(api.GET('/v1/platform/admins')), [api]);
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const email = String(new FormData(form).get('email') ?? '').trim();
    void grant.run(async () => {
      await must(api.POST('/v1/platform/admins', { body: { email } }));
      form.reset();
      admins.reload();
    });
  };
  return (
    <main id="main" className="page">
      <PlatformNav />
      <h1>Platform admins</h1>
      <p className="muted">
        A platform admin sees and acts on every tenant. The power takes both a record here and the Cognito
        group, which a grant adds and a revocation removes; a revocation ends the power within seconds,
        whatever tokens the person still holds. The last platform admin stays.
      </p>
      <form className="inline-form" onSubmit={submit} aria-labelledby="grant-heading">
        <h2 id="grant-heading">Make someone a platform admin</h2>
        <Field label="Email" hint="Of a person who has signed in to Tenantry (invited into a tenant).">
          {(id, hint) => <input id={id} name="email" type="email" required aria-describedby={hint} />}
        </Field>
        <SubmitButton busy={grant.busy} busyText="Granting…">
          Grant
        </SubmitButton>
        <ErrorBox error={grant.error} />
      </form>
      <h2>Who holds it</h2>
      <ErrorBox error={admins.error} />
      {admins.loading && <Loading />}
      {admins.data && (
        <DataTable
          caption="Platform admins"
          columns={['Person', 'Granted by', 'Since', { label: 'Actions', hidden: true }]}
        >
          {admins.data.items.map((admin) => (
            <tr key={admin.userId} data-admin={admin.userId}>
              <th scope="row" className="break">
                {who(admin.email, admin.userId)}
                {admin.userId === me.user.id && <span className="pill tag">you</span>}
              </th>
              <td className="break">{who(admin.grantedByEmail, admin.grantedBy)}</td>
              <td>{formatDate(admin.grantedAt)}</td>
              <td>
                <ActionButton
                  className="danger"
                  confirm={`Take platform-admin power from ${who(admin.email, admin.userId)}?`}
                  action={async () => {
                    await must(
                      api.DELETE('/v1/platform/admins/{userId}', {
                        params: { path: { userId: admin.userId } },
                      }),
                    );
                    admins.reload();
                  }}
                >
                  Revoke
                </ActionButton>
              </td>
            </tr>
          ))}
        </DataTable>
      )}
    </main>
  );
}

const ACTION_WORDS: Record<string, string> = {
  'platform_admin.granted': 'Made a platform admin',
  'platform_admin.revoked': 'Platform-admin power taken away',
};

/** The platform's own audit log: grants and revocations of platform admins, newest first. */
export function PlatformAudit() {
  const { api } = useSession();
  const log = useCursorPages(
    (cursor) => must(api.GET('/v1/platform/audit-logs', { params: { query: cursor ? { cursor } : {} } })),
    [api],
  );
  return (
    <main id="main" className="page">
      <PlatformNav />
      <h1>Platform audit log</h1>
      <p className="muted">Who was made a platform admin or lost the power, by whom, and from where.</p>
      <ErrorBox error={log.error} />
      {log.loading && <Loading />}
      {log.data && log.data.items.length === 0 && <p className="muted">Nothing recorded yet.</p>}
      {log.data && log.data.items.length > 0 && (
        <DataTable caption="Platform audit events" columns={['When', 'What', 'Who', 'Of whom', 'From']}>
          {log.data.items.map((event) => (
            <tr key={event.id} data-event={event.id}>
              <td>{formatDate(event.occurredAt)}</td>
              <td>{ACTION_WORDS[event.action] ?? event.action}</td>
              <td className="break">{who(event.actorEmail, event.actorId)}</td>
              <td className="break">{who(event.target.email, event.target.id)}</td>
              <td className="break">
                {event.sourceIp ?? '—'}
                {event.userAgent && <div className="muted small">{event.userAgent}</div>}
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      <Pager list={log} label="Platform audit events" />
    </main>
  );
}
