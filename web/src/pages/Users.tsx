import { useState, type FormEvent } from 'react';
import { ROLES, type Role } from '../../../shared/model/roles';
import { must, type Schemas } from '../api/client';
import { useSession } from '../auth/session';
import { useMe, useTenant } from '../context';
import { useAction, useCursorPages } from '../ui/load';
import {
  ActionButton,
  DataTable,
  ErrorBox,
  Field,
  formatDate,
  Loading,
  Pager,
  SubmitButton,
} from '../ui/parts';

type User = Schemas['User'];
const STATUSES = ['invited', 'active', 'disabled'] as const;

/** Members and invitations: invite, resend, revoke (remove an invitation), change role, remove. */
export function Users() {
  const { api } = useSession();
  const { tenantId, can } = useTenant();
  const { me } = useMe();
  const [role, setRole] = useState<Role | ''>('');
  const [status, setStatus] = useState<(typeof STATUSES)[number] | ''>('');
  const [notice, setNotice] = useState<string>();
  const [rowError, setRowError] = useState<unknown>();
  const list = useCursorPages(
    (cursor) =>
      must(
        api.GET('/v1/tenants/{tenantId}/users', {
          params: {
            path: { tenantId },
            query: {
              ...(role ? { role } : {}),
              ...(status ? { status } : {}),
              ...(cursor ? { cursor } : {}),
            },
          },
        }),
      ),
    [api, tenantId, role, status],
  );
  const userPath = (user: User) => ({ path: { tenantId, userId: user.id } });

  return (
    <>
      <h1>Users</h1>
      {can('users:invite') && (
        <InviteForm onInvited={(email) => (setNotice(`Invitation sent to ${email}.`), list.reload())} />
      )}
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      <div className="filters" role="group" aria-label="Filters">
        <Field label="Role">
          {(id) => (
            <select id={id} value={role} onChange={(event) => setRole(event.target.value as Role | '')}>
              <option value="">Any role</option>
              {ROLES.map((value) => (
                <option key={value}>{value}</option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Status">
          {(id) => (
            <select
              id={id}
              value={status}
              onChange={(event) => setStatus(event.target.value as typeof status)}
            >
              <option value="">Any status</option>
              {STATUSES.map((value) => (
                <option key={value}>{value}</option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <ErrorBox error={list.error ?? rowError} />
      {list.loading && <Loading />}
      <DataTable
        caption="Members and invitations"
        columns={['Email', 'Role', 'Status', 'Since', 'Last sign-in', 'Actions']}
      >
        {list.data?.items.map((user) => {
          const self = user.id === me.user.id;
          return (
            <tr key={user.id} data-email={user.email}>
              <td>
                {user.email}
                {user.name && <div className="muted">{user.name}</div>}
              </td>
              <td>
                {can('users:update') && !self ? (
                  <select
                    aria-label={`Role of ${user.email}`}
                    value={user.role}
                    onChange={async (event) => {
                      // Read before the first await: the controlled select shows the old role
                      // again until the list is read back.
                      const next = event.target.value as Role;
                      setNotice(undefined);
                      setRowError(undefined);
                      try {
                        await must(
                          api.PATCH('/v1/tenants/{tenantId}/users/{userId}', {
                            params: userPath(user),
                            body: { role: next },
                          }),
                        );
                        setNotice(`${user.email} is now ${next}.`);
                      } catch (error) {
                        setRowError(error);
                      }
                      list.reload();
                    }}
                  >
                    {ROLES.map((value) => (
                      <option key={value}>{value}</option>
                    ))}
                  </select>
                ) : (
                  user.role
                )}
              </td>
              <td>
                <span className={`pill pill-${user.status}`}>{user.status}</span>
                {user.status === 'invited' && user.invitationExpiresAt && (
                  <div className="muted">expires {formatDate(user.invitationExpiresAt)}</div>
                )}
              </td>
              <td>{formatDate(user.createdAt)}</td>
              <td>
                {user.lastSignInAt
                  ? `${formatDate(user.lastSignInAt)} (${user.signInCount} sign-in${user.signInCount === 1 ? '' : 's'})`
                  : 'never'}
              </td>
              <td>
                <div className="row-actions">
                  {user.status === 'invited' && can('users:invite') && (
                    <ActionButton
                      action={async () => {
                        await must(
                          api.POST('/v1/tenants/{tenantId}/users/{userId}/resend-invitation', {
                            params: userPath(user),
                          }),
                        );
                        setNotice(`Invitation sent again to ${user.email}.`);
                        list.reload();
                      }}
                    >
                      Resend<span className="visually-hidden"> the invitation to {user.email}</span>
                    </ActionButton>
                  )}
                  {can('users:remove') && !self && user.status === 'active' && (
                    <ActionButton
                      confirm={`Sign ${user.email} out of this tenant? They sign in again to come back.`}
                      action={async () => {
                        await must(
                          api.POST('/v1/tenants/{tenantId}/users/{userId}/sign-out', {
                            params: userPath(user),
                            body: {},
                          }),
                        );
                        setNotice(`${user.email} is signed out of this tenant.`);
                      }}
                    >
                      Sign out<span className="visually-hidden"> {user.email}</span>
                    </ActionButton>
                  )}
                  {can('users:remove') && !self && (
                    <ActionButton
                      className="danger"
                      confirm={
                        user.status === 'invited'
                          ? `Revoke the invitation of ${user.email}?`
                          : `Remove ${user.email} from the tenant?`
                      }
                      action={async () => {
                        await must(
                          api.DELETE('/v1/tenants/{tenantId}/users/{userId}', { params: userPath(user) }),
                        );
                        setNotice(
                          user.status === 'invited'
                            ? `Invitation of ${user.email} revoked.`
                            : `${user.email} removed.`,
                        );
                        list.reload();
                      }}
                    >
                      {user.status === 'invited' ? 'Revoke' : 'Remove'}
                      <span className="visually-hidden"> {user.email}</span>
                    </ActionButton>
                  )}
                </div>
              </td>
            </tr>
          );
        })}
      </DataTable>
      <Pager list={list} label="Users" />
    </>
  );
}

function InviteForm({ onInvited }: { onInvited(email: string): void }) {
  const { api } = useSession();
  const { tenantId } = useTenant();
  const { busy, error, run } = useAction();
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const email = String(data.get('email')).trim();
    const name = String(data.get('name') ?? '').trim();
    await run(async () => {
      await must(
        api.POST('/v1/tenants/{tenantId}/users', {
          params: { path: { tenantId } },
          body: { email, role: String(data.get('role')) as Role, ...(name ? { name } : {}) },
        }),
      );
      form.reset();
      onInvited(email);
    });
  };
  return (
    <form className="inline-form" onSubmit={submit} aria-labelledby="invite-heading">
      <h2 id="invite-heading">Invite someone</h2>
      <Field label="Email">{(id) => <input id={id} name="email" type="email" required />}</Field>
      <Field label="Name (optional)">{(id) => <input id={id} name="name" maxLength={100} />}</Field>
      <Field label="Role">
        {(id) => (
          <select id={id} name="role" defaultValue="member">
            {ROLES.map((value) => (
              <option key={value}>{value}</option>
            ))}
          </select>
        )}
      </Field>
      <SubmitButton busy={busy} busyText="Inviting…">
        Invite
      </SubmitButton>
      <ErrorBox error={error} />
    </form>
  );
}
