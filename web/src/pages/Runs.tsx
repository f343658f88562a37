import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { RUN_STATUSES } from '../../../shared/model/run-status';
import { must, type Schemas } from '../api/client';
import { useSession } from '../auth/session';
import { useTenant } from '../context';
import { useCursorPages, useLoad } from '../ui/load';
import { ProjectOptions, useProjects } from './Projects';
import {
  DataTable,
  ErrorBox,
  Field,
  formatDate,
  formatNumber,
  Loading,
  numberColumns,
  Pager,
} from '../ui/parts';

type Run = Schemas['Run'];
type RunStatus = (typeof RUN_STATUSES)[number];

export const RUN_STATUS_WORDS: Record<RunStatus, string> = {
  running: 'Running',
  succeeded: 'Succeeded',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

/** How long a run took, or has been running. */
function duration(run: Run, now = Date.now()): string {
  const end = run.completedAt ? Date.parse(run.completedAt) : now;
  const seconds = Math.max(0, Math.round((end - Date.parse(run.startedAt)) / 1000));
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
  return `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`;
}

/**
 * Who a run was started by, in words: a member's email where the caller may list members, an API
 * key as such; otherwise the id.
 */
function useStarters(): (id: string) => string {
  const { api } = useSession();
  const { tenantId, can } = useTenant();
  const users = useLoad(
    () =>
      can('users:read')
        ? must(
            api.GET('/v1/tenants/{tenantId}/users', {
              params: { path: { tenantId }, query: { limit: 100 } },
            }),
          )
        : Promise.resolve({ items: [], nextCursor: null }),
    [api, tenantId],
  );
  const emails = new Map((users.data?.items ?? []).map((user) => [user.id, user.email]));
  return (id) => emails.get(id) ?? (id.startsWith('key_') ? `API key ${id.slice(0, 12)}…` : id);
}

/** Every run of the tenant, newest first, by agent and status. */
export function Runs() {
  const { api } = useSession();
  const { tenantId } = useTenant();
  const [agentId, setAgentId] = useState('');
  const [status, setStatus] = useState<RunStatus | ''>('');
  const [projectId, setProjectId] = useState('');
  const projects = useProjects();
  const starter = useStarters();
  const agents = useLoad(
    () =>
      must(
        api.GET('/v1/tenants/{tenantId}/agents', { params: { path: { tenantId }, query: { limit: 100 } } }),
      ),
    [api, tenantId],
  );
  const agentName = new Map((agents.data?.items ?? []).map((agent) => [agent.id, agent.name]));
  const runs = useCursorPages(
    (cursor) =>
      must(
        api.GET('/v1/tenants/{tenantId}/runs', {
          params: {
            path: { tenantId },
            query: {
              ...(agentId ? { agentId } : {}),
              ...(status ? { status } : {}),
              ...(projectId ? { projectId } : {}),
              ...(cursor ? { cursor } : {}),
            },
          },
        }),
      ),
    [api, tenantId, agentId, status, projectId],
  );
  return (
    <>
      <h1>Runs</h1>
      <div className="filters" role="group" aria-label="Filters">
        {(projects.data ?? []).length > 0 && (
          <Field label="Project">
            {(id) => (
              <select id={id} value={projectId} onChange={(event) => setProjectId(event.target.value)}>
                <ProjectOptions projects={projects.data ?? []} none="Every project" />
              </select>
            )}
          </Field>
        )}
        <Field label="Agent">
          {(id) => (
            <select id={id} value={agentId} onChange={(event) => setAgentId(event.target.value)}>
              <option value="">Every agent</option>
              {(agents.data?.items ?? []).map((agent) => (
                <option key={agent.id} value={agent.id}>
                  {agent.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Status">
          {(id) => (
            <select
              id={id}
              value={status}
              onChange={(event) => setStatus(event.target.value as RunStatus | '')}
            >
              <option value="">Any status</option>
              {RUN_STATUSES.map((value) => (
                <option key={value} value={value}>
                  {RUN_STATUS_WORDS[value]}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <ErrorBox error={runs.error} />
      {runs.loading && <Loading />}
      {runs.data && runs.data.items.length === 0 && <p className="muted">No run matches.</p>}
      {runs.data && runs.data.items.length > 0 && (
        <DataTable
          caption="Runs"
          columns={['Started', 'Agent', 'Status', ...numberColumns('Tokens'), 'Duration', 'Started by']}
        >
          {runs.data.items.map((run) => (
            <tr key={run.id} data-run={run.id}>
              <th scope="row">
                <Link to={`/t/${tenantId}/runs/${run.id}`}>{formatDate(run.startedAt)}</Link>
              </th>
              <td>{agentName.get(run.agentId) ?? run.agentId}</td>
              <td>
                <span className={`pill pill-${run.status}`}>{RUN_STATUS_WORDS[run.status]}</span>
              </td>
              <td className="number">{run.tokensUsed === null ? '—' : formatNumber(run.tokensUsed)}</td>
              <td>{duration(run)}</td>
              <td>{starter(run.startedBy)}</td>
            </tr>
          ))}
        </DataTable>
      )}
      <Pager list={runs} label="Runs" />
    </>
  );
}

/** A run: its input and output as readable JSON, when it started and ended, and why. */
export function RunPage() {
  const { api } = useSession();
  const { tenantId } = useTenant();
  const { runId = '' } = useParams();
  const starter = useStarters();
  const run = useLoad(
    () => must(api.GET('/v1/tenants/{tenantId}/runs/{runId}', { params: { path: { tenantId, runId } } })),
    [api, tenantId, runId],
  );
  if (run.error) return <ErrorBox error={run.error} />;
  if (!run.data) return <Loading />;
  const current = run.data;
  return (
    <>
      <p>
        <Link to={`/t/${tenantId}/runs`}>All runs</Link> ·{' '}
        <Link to={`/t/${tenantId}/agents/${current.agentId}`}>Its agent</Link>
      </p>
      <h1>Run of {formatDate(current.startedAt)}</h1>
      <dl className="facts">
        <dt>Status</dt>
        <dd>
          <span className={`pill pill-${current.status}`} data-testid="run-status">
            {RUN_STATUS_WORDS[current.status]}
          </span>
        </dd>
        <dt>Tokens</dt>
        <dd>{current.tokensUsed === null ? '—' : formatNumber(current.tokensUsed)}</dd>
        <dt>Duration</dt>
        <dd>{duration(current)}</dd>
        <dt>Started by</dt>
        <dd>{starter(current.startedBy)}</dd>
      </dl>
      <section aria-labelledby="history-heading">
        <h2 id="history-heading">History</h2>
        <ol className="history">
          <li>
            {formatDate(current.startedAt)}: started by {starter(current.startedBy)}
          </li>
          {current.completedAt ? (
            <li>
              {formatDate(current.completedAt)}: {RUN_STATUS_WORDS[current.status].toLowerCase()}
              {current.statusReason ? ` (${current.statusReason})` : ''}
            </li>
          ) : (
            <li>still running</li>
          )}
        </ol>
      </section>
      <section aria-labelledby="input-heading">
        <h2 id="input-heading">Input</h2>
        <pre className="json">{JSON.stringify(current.input, null, 2)}</pre>
      </section>
      <section aria-labelledby="output-heading">
        <h2 id="output-heading">Output</h2>
        {current.output === null || current.output === undefined ? (
          <p className="muted">No output{current.status === 'running' ? ' yet' : ''}.</p>
        ) : (
          <pre className="json">{JSON.stringify(current.output, null, 2)}</pre>
        )}
      </section>
    </>
  );
}
