import { useState, type FormEvent } from 'react';
import { must, type Schemas } from '../api/client';
import { useSession } from '../auth/session';
import { useTenant } from '../context';
import { useCursorPages } from '../ui/load';
import { ActionButton, ErrorBox, Field, formatDate, Loading, Pager } from '../ui/parts';

type AuditEvent = Schemas['AuditEvent'];

/** The audit log: filters by action and actor, each event's before and after, and the export. */
export function Audit() {
  const { api } = useSession();
  const { tenantId, tenant } = useTenant();
  const [filters, setFilters] = useState<{ action?: string; actorId?: string }>({});
  const list = useCursorPages(
    (cursor) =>
      must(
        api.GET('/v1/tenants/{tenantId}/audit-logs', {
          params: { path: { tenantId }, query: { ...filters, ...(cursor ? { cursor } : {}) } },
        }),
      ),
    [api, tenantId, filters.action, filters.actorId],
  );

  const download = async () => {
    // The export is NDJSON (not JSON): read as a blob and saved as a file.
    const blob = await must(
      api.GET('/v1/tenants/{tenantId}/audit-logs/export', {
        params: { path: { tenantId } },
        parseAs: 'blob',
      }),
    );
    const link = document.createElement('a');
    link.href = URL.createObjectURL(blob);
    link.download = `audit-${tenant.slug}-${new Date().toISOString().slice(0, 10)}.ndjson`;
    link.click();
    URL.revokeObjectURL(link.href);
  };

  return (
    <>
      <h1>Audit log</h1>
      <form
        className="filters"
        aria-label="Filters"
        onSubmit={(event: FormEvent<HTMLFormElement>) => {
          event.preventDefault();
          const data = new FormData(event.currentTarget);
          const action = String(data.get('action') ?? '').trim();
          const actorId = String(data.get('actorId') ?? '').trim();
          setFilters({ ...(action ? { action } : {}), ...(actorId ? { actorId } : {}) });
        }}
      >
        <Field label="Action" hint="For example user.invited or tenant.updated.">
          {(id, hint) => (
            <input id={id} name="action" aria-describedby={hint} defaultValue={filters.action} />
          )}
        </Field>
        <Field label="Actor id" hint="A user (usr_…) or API key (key_…).">
          {(id, hint) => (
            <input id={id} name="actorId" aria-describedby={hint} defaultValue={filters.actorId} />
          )}
        </Field>
        <button type="submit">Filter</button>
      </form>
      <p>
        <ActionButton action={download}>Export the audit log (NDJSON)</ActionButton>
      </p>
      <ErrorBox error={list.error} />
      {list.loading && <Loading />}
      <ol className="audit">
        {list.data?.items.map((event) => (
          <AuditRow key={event.id} event={event} />
        ))}
      </ol>
      {list.data && list.data.items.length === 0 && <p>No events match.</p>}
      <Pager list={list} label="Audit log" />
    </>
  );
}

function AuditRow({ event }: { event: AuditEvent }) {
  const changed = [...new Set([...Object.keys(event.before ?? {}), ...Object.keys(event.after ?? {})])];
  return (
    <li>
      <div className="audit-head">
        <code>{event.action}</code> on {event.target.type} <code>{event.target.id}</code>
        <span className="muted">
          {' '}
          by {event.actor.type} {event.actor.id}
          {event.actor.platformAdmin ? ' (platform admin)' : ''}, {formatDate(event.occurredAt)}
          {event.sourceIp ? ` from ${event.sourceIp}` : ''}
        </span>
      </div>
      {changed.length > 0 && (
        <details>
          <summary>Before and after</summary>
          <table className="diff">
            <thead>
              <tr>
                <th scope="col">Field</th>
                <th scope="col">Before</th>
                <th scope="col">After</th>
              </tr>
            </thead>
            <tbody>
              {changed.map((field) => (
                <tr key={field}>
                  <th scope="row">{field}</th>
                  <td>
                    <pre>{JSON.stringify(event.before?.[field] ?? null, null, 2)}</pre>
                  </td>
                  <td>
                    <pre>{JSON.stringify(event.after?.[field] ?? null, null, 2)}</pre>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      )}
    </li>
  );
}
