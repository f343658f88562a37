import { useState, type FormEvent } from 'react';
import { must, type Schemas } from '../api/client';
import { useSession } from '../auth/session';
import { useTenant } from '../context';
import { useCursorPages } from '../ui/load';
import { ActionButton, DataTable, ErrorBox, Field, formatDate, Loading, Pager } from '../ui/parts';

type AuditEvent = Schemas['AuditEvent'];

type Filters = { action?: string; actorEmail?: string; from?: string; to?: string };

/** A day of a date field as the API's range: its first and its last millisecond, in UTC. */
const dayStart = (day: string) => `${day}T00:00:00.000Z`;
const dayEnd = (day: string) => `${day}T23:59:59.999Z`;

/** The audit log: filters by action, person and days; who by email; before and after; the exports. */
export function Audit() {
  const { api } = useSession();
  const { tenantId, tenant } = useTenant();
  const [filters, setFilters] = useState<Filters>({});
  const list = useCursorPages(
    (cursor) =>
      must(
        api.GET('/v1/tenants/{tenantId}/audit-logs', {
          params: { path: { tenantId }, query: { ...filters, ...(cursor ? { cursor } : {}) } },
        }),
      ),
    [api, tenantId, filters.action, filters.actorEmail, filters.from, filters.to],
  );

  const download = async (format: 'csv' | 'ndjson') => {
    // Not JSON: read as a blob and saved as a file.
    const blob = await must(
      api.GET('/v1/tenants/{tenantId}/audit-logs/export', {
        params: { path: { tenantId }, query: { format } },
        parseAs: 'blob',
      }),
    );
    const link = document.createElement('a');
    link.href = URL.createObjectURL(blob);
    link.download = `audit-${tenant.slug}-${new Date().toISOString().slice(0, 10)}.${format}`;
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
          const value = (name: string) => String(data.get(name) ?? '').trim();
          setFilters({
            ...(value('action') ? { action: value('action') } : {}),
            ...(value('actorEmail') ? { actorEmail: value('actorEmail') } : {}),
            ...(value('from') ? { from: dayStart(value('from')) } : {}),
            ...(value('to') ? { to: dayEnd(value('to')) } : {}),
          });
        }}
      >
        <Field label="Action" hint="For example user.invited or tenant.updated.">
          {(id, hint) => (
            <input id={id} name="action" aria-describedby={hint} defaultValue={filters.action} />
          )}
        </Field>
        <Field label="Person" hint="The email of who did it.">
          {(id, hint) => (
            <input
              id={id}
              name="actorEmail"
              type="email"
              aria-describedby={hint}
              defaultValue={filters.actorEmail}
            />
          )}
        </Field>
        <Field label="From (day, UTC)">
          {(id) => <input id={id} name="from" type="date" defaultValue={filters.from?.slice(0, 10)} />}
        </Field>
        <Field label="To (day, UTC)">
          {(id) => <input id={id} name="to" type="date" defaultValue={filters.to?.slice(0, 10)} />}
        </Field>
        <button type="submit">Filter</button>
      </form>
      <p className="actions">
        <ActionButton action={() => download('csv')}>Export as CSV</ActionButton>{' '}
        <ActionButton action={() => download('ndjson')}>Export as NDJSON</ActionButton>
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

/** Who acted, as people know them: a person's email, an API key, or the platform's own job. */
function actorInWords(actor: AuditEvent['actor']): string {
  if (actor.email) return actor.email;
  if (actor.type === 'apiKey') return `the API key ${actor.id}`;
  if (actor.type === 'system') return `Tenantry (${actor.id})`;
  return actor.id;
}

function AuditRow({ event }: { event: AuditEvent }) {
  const changed = [...new Set([...Object.keys(event.before ?? {}), ...Object.keys(event.after ?? {})])];
  return (
    <li>
      <div className="audit-head">
        <code>{event.action}</code> on {event.target.type}{' '}
        {event.target.email ? <strong>{event.target.email}</strong> : <code>{event.target.id}</code>}
        <span className="muted">
          {' '}
          by {actorInWords(event.actor)}
          {event.actor.platformAdmin ? ' (platform admin)' : ''}, {formatDate(event.occurredAt)}
          {event.sourceIp ? ` from ${event.sourceIp}` : ''}
        </span>
      </div>
      {changed.length > 0 && (
        <details>
          <summary>Before and after</summary>
          <DataTable className="diff" columns={['Field', 'Before', 'After']}>
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
          </DataTable>
        </details>
      )}
    </li>
  );
}
