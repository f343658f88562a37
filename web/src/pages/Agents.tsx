import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { must, type Schemas } from '../api/client';
import type { paths } from '../api/schema';
import { useSession } from '../auth/session';
import { useTenant } from '../context';
import { useAction, useCursorPages, useLoad } from '../ui/load';
import { RUN_STATUS_WORDS } from './Runs';
import { ProjectOptions, useProjects } from './Projects';
import {
  ActionButton,
  DataTable,
  EditSection,
  ErrorBox,
  Field,
  formatDate,
  formatNumber,
  Loading,
  numberColumns,
  Pager,
  SubmitButton,
} from '../ui/parts';

type Agent = Schemas['Agent'];
type Project = Schemas['Project'];
type MemoryBody = NonNullable<
  paths['/v1/tenants/{tenantId}/agents/{agentId}/memory']['post']['requestBody']
>['content']['application/json'];

/** The agent's fields as a form: a new agent, or an agent's edit. */
function AgentForm({
  agent,
  projects,
  initialProject,
  busy,
  submitLabel,
  onSubmit,
}: {
  agent?: Agent;
  /** The projects it may be put in (none shown when the tenant has none). */
  projects: Project[];
  initialProject?: string;
  busy: boolean;
  submitLabel: string;
  onSubmit(fields: {
    name: string;
    model: string;
    description?: string;
    instructions?: string;
    projectId?: string | null;
  }): void;
}) {
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const text = (name: string) => String(data.get(name) ?? '').trim();
    onSubmit({
      name: text('name'),
      model: text('model'),
      ...(text('description') ? { description: text('description') } : {}),
      ...(text('instructions') ? { instructions: text('instructions') } : {}),
      // Only where the form offered a choice: a form without one moves nothing.
      ...(data.has('projectId') ? { projectId: text('projectId') || null } : {}),
    });
  };
  return (
    <form className="inline-form" onSubmit={submit}>
      <Field label="Name">
        {(id) => <input id={id} name="name" required maxLength={100} defaultValue={agent?.name ?? ''} />}
      </Field>
      <Field label="Model" hint="The model the agent runs on, as your platform names it.">
        {(id, hint) => (
          <input
            id={id}
            name="model"
            required
            maxLength={100}
            aria-describedby={hint}
            defaultValue={agent?.model ?? ''}
          />
        )}
      </Field>
      <Field label="Description (optional)">
        {(id) => (
          <input id={id} name="description" maxLength={1_000} defaultValue={agent?.description ?? ''} />
        )}
      </Field>
      {projects.length > 0 && (
        <Field label="Project">
          {(id) => (
            <select
              id={id}
              name="projectId"
              defaultValue={agent ? (agent.projectId ?? '') : (initialProject ?? '')}
            >
              <ProjectOptions projects={projects} none="No project" />
            </select>
          )}
        </Field>
      )}
      <Field label="Instructions (optional)">
        {(id) => (
          <textarea
            id={id}
            name="instructions"
            rows={4}
            maxLength={8_000}
            defaultValue={agent?.instructions ?? ''}
          />
        )}
      </Field>
      <SubmitButton busy={busy}>{submitLabel}</SubmitButton>
    </form>
  );
}

/** The tenant's agents: a page at a time, create one, open one. */
export function Agents() {
  const { api } = useSession();
  const { tenantId, can } = useTenant();
  const navigate = useNavigate();
  const { busy, error, run } = useAction();
  const [search, setSearch] = useState('');
  const [params, setParams] = useSearchParams();
  const projectId = params.get('project') ?? '';
  const projects = useProjects();
  const projectName = new Map((projects.data ?? []).map((project) => [project.id, project.name]));
  const list = useCursorPages(
    (cursor) =>
      must(
        api.GET('/v1/tenants/{tenantId}/agents', {
          params: {
            path: { tenantId },
            query: {
              ...(search ? { search } : {}),
              ...(projectId ? { projectId } : {}),
              ...(cursor ? { cursor } : {}),
            },
          },
        }),
      ),
    [api, tenantId, search, projectId],
  );
  return (
    <>
      <h1>Agents</h1>
      {can('agents:write') && (
        <section aria-labelledby="create-agent-heading">
          <h2 id="create-agent-heading">Create an agent</h2>
          <AgentForm
            projects={projects.data ?? []}
            initialProject={projectId}
            busy={busy}
            submitLabel="Create agent"
            onSubmit={({ projectId: chosen, ...fields }) =>
              void run(async () => {
                const agent = await must(
                  api.POST('/v1/tenants/{tenantId}/agents', {
                    params: { path: { tenantId } },
                    body: { ...fields, ...(chosen ? { projectId: chosen } : {}) },
                  }),
                );
                navigate(`/t/${tenantId}/agents/${agent.id}`);
              })
            }
          />
          <ErrorBox error={error} />
        </section>
      )}
      <h2>All agents</h2>
      <form
        className="filters"
        role="search"
        aria-label="Search agents"
        onSubmit={(event: FormEvent<HTMLFormElement>) => {
          event.preventDefault();
          setSearch(String(new FormData(event.currentTarget).get('search') ?? '').trim());
        }}
      >
        <Field label="Search" hint="Part of the name, in any case.">
          {(id, hint) => (
            <input id={id} name="search" type="search" maxLength={100} aria-describedby={hint} />
          )}
        </Field>
        <button type="submit">Search</button>
        {(projects.data ?? []).length > 0 && (
          <Field label="Project">
            {(id) => (
              <select
                id={id}
                value={projectId}
                onChange={(event) =>
                  setParams(event.target.value ? { project: event.target.value } : {}, { replace: true })
                }
              >
                <ProjectOptions projects={projects.data ?? []} none="All projects" />
              </select>
            )}
          </Field>
        )}
      </form>
      <ErrorBox error={list.error} />
      {list.loading && <Loading />}
      {list.data && list.data.items.length === 0 && (
        <p className="muted">
          {search
            ? `No agent’s name contains “${search}”${projectId ? ' in this project' : ''}.`
            : projectId
              ? 'No agent in this project yet.'
              : 'No agent yet.'}
        </p>
      )}
      {list.data && list.data.items.length > 0 && (
        <DataTable caption="Agents" columns={['Name', 'Model', 'Project', 'Description', 'Created']}>
          {list.data.items.map((agent) => (
            <tr key={agent.id}>
              <th scope="row">
                <Link to={`/t/${tenantId}/agents/${agent.id}`}>{agent.name}</Link>
              </th>
              <td>{agent.model}</td>
              <td>{agent.projectId ? (projectName.get(agent.projectId) ?? agent.projectId) : '—'}</td>
              <td>{agent.description ?? ''}</td>
              <td>{formatDate(agent.createdAt)}</td>
            </tr>
          ))}
        </DataTable>
      )}
      <Pager list={list} label="Agents" />
    </>
  );
}

/** An agent: its fields (edit, delete), its runs (start one), its memory items (add, delete). */
export function AgentPage() {
  const { api } = useSession();
  const { tenantId, can } = useTenant();
  const { agentId = '' } = useParams();
  const navigate = useNavigate();
  const path = { tenantId, agentId };
  const agent = useLoad(
    () => must(api.GET('/v1/tenants/{tenantId}/agents/{agentId}', { params: { path } })),
    [api, tenantId, agentId],
  );
  const [editing, setEditing] = useState(false);
  const projects = useProjects();
  const edit = useAction();
  const start = useAction();
  const runs = useCursorPages(
    (cursor) =>
      must(
        api.GET('/v1/tenants/{tenantId}/runs', {
          params: { path: { tenantId }, query: { agentId, ...(cursor ? { cursor } : {}) } },
        }),
      ),
    [api, tenantId, agentId],
  );
  const writable = can('agents:write');
  if (agent.error) return <ErrorBox error={agent.error} />;
  if (!agent.data) return <Loading />;
  const current = agent.data;
  return (
    <>
      <p>
        <Link to={`/t/${tenantId}/agents`}>All agents</Link>
      </p>
      <h1>{current.name}</h1>
      {editing ? (
        <EditSection title="Edit the agent" error={edit.error} onCancel={() => setEditing(false)}>
          <AgentForm
            agent={current}
            projects={projects.data ?? []}
            busy={edit.busy}
            submitLabel="Save"
            onSubmit={(fields) =>
              void edit.run(async () => {
                await must(
                  api.PATCH('/v1/tenants/{tenantId}/agents/{agentId}', {
                    params: { path },
                    body: fields,
                  }),
                );
                setEditing(false);
                agent.reload();
              })
            }
          />
        </EditSection>
      ) : (
        <dl className="facts">
          <dt>Model</dt>
          <dd>{current.model}</dd>
          <dt>Project</dt>
          <dd>
            {current.projectId
              ? ((projects.data ?? []).find((project) => project.id === current.projectId)?.name ??
                current.projectId)
              : '—'}
          </dd>
          <dt>Description</dt>
          <dd>{current.description ?? '—'}</dd>
          <dt>Instructions</dt>
          <dd className="prewrap">{current.instructions ?? '—'}</dd>
          <dt>Created</dt>
          <dd>{formatDate(current.createdAt)}</dd>
        </dl>
      )}
      {writable && !editing && (
        <p className="actions">
          <button type="button" onClick={() => setEditing(true)}>
            Edit
          </button>{' '}
          <ActionButton
            className="danger"
            confirm={`Delete “${current.name}” and its memory items? Its runs stay in the history.`}
            action={async () => {
              await must(api.DELETE('/v1/tenants/{tenantId}/agents/{agentId}', { params: { path } }));
              navigate(`/t/${tenantId}/agents`);
            }}
          >
            Delete agent
          </ActionButton>
        </p>
      )}

      <section aria-labelledby="runs-heading">
        <h2 id="runs-heading">Runs</h2>
        {can('runs:write') && (
          <form
            className="inline-form"
            onSubmit={(event: FormEvent<HTMLFormElement>) => {
              event.preventDefault();
              const prompt = String(new FormData(event.currentTarget).get('prompt') ?? '').trim();
              void start.run(async () => {
                await must(
                  api.POST('/v1/tenants/{tenantId}/agents/{agentId}/runs', {
                    params: { path },
                    body: { input: { prompt } },
                  }),
                );
                runs.reload();
              });
            }}
          >
            <Field label="Prompt" hint='Sent to the run as its input ({ "prompt": … }).'>
              {(id, hint) => (
                <input id={id} name="prompt" required maxLength={4_000} aria-describedby={hint} />
              )}
            </Field>
            <SubmitButton busy={start.busy} busyText="Starting…">
              Start a run
            </SubmitButton>
            <ErrorBox error={start.error} />
          </form>
        )}
        <ErrorBox error={runs.error} />
        {runs.loading && <Loading />}
        {runs.data && runs.data.items.length === 0 && <p className="muted">No run yet.</p>}
        {runs.data && runs.data.items.length > 0 && (
          <DataTable
            caption="Runs of the agent"
            columns={['Started', 'Status', ...numberColumns('Tokens'), 'Input', 'Why it ended']}
          >
            {runs.data.items.map((run) => (
              <tr key={run.id} data-run={run.id}>
                <td>
                  <Link to={`/t/${tenantId}/runs/${run.id}`}>{formatDate(run.startedAt)}</Link>
                </td>
                <td>
                  <span className={`pill pill-${run.status}`}>{RUN_STATUS_WORDS[run.status]}</span>
                </td>
                <td className="number">{run.tokensUsed === null ? '—' : formatNumber(run.tokensUsed)}</td>
                <td>
                  <code className="json">{JSON.stringify(run.input)}</code>
                </td>
                <td>{run.statusReason ?? ''}</td>
              </tr>
            ))}
          </DataTable>
        )}
        <Pager list={runs} label="Runs" />
      </section>

      <MemoryItems agentId={agentId} writable={writable} />
    </>
  );
}

/** An agent's memory items: text or JSON, add and delete. */
function MemoryItems({ agentId, writable }: { agentId: string; writable: boolean }) {
  const { api } = useSession();
  const { tenantId } = useTenant();
  const path = { tenantId, agentId };
  const add = useAction();
  const [kind, setKind] = useState<'text' | 'json'>('text');
  const items = useCursorPages(
    (cursor) =>
      must(
        api.GET('/v1/tenants/{tenantId}/agents/{agentId}/memory', {
          params: { path, query: cursor ? { cursor } : {} },
        }),
      ),
    [api, tenantId, agentId],
  );
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const content = String(new FormData(form).get('content') ?? '');
    void add.run(async () => {
      let body:
        { kind: 'text'; content: string } | { kind: 'json'; content: Record<string, unknown> | unknown[] };
      if (kind === 'json') {
        let parsed: unknown;
        try {
          parsed = JSON.parse(content);
        } catch {
          throw new Error('The content is not valid JSON.');
        }
        if (parsed === null || typeof parsed !== 'object')
          throw new Error('JSON memory is an object or an array.');
        body = { kind: 'json', content: parsed as Extract<MemoryBody, { kind: 'json' }>['content'] };
      } else body = { kind: 'text', content };
      await must(
        api.POST('/v1/tenants/{tenantId}/agents/{agentId}/memory', {
          params: { path },
          // openapi-fetch types a JSON object's members as never-present; the body is the parsed document.
          body: body as never,
        }),
      );
      form.reset();
      items.reload();
    });
  };
  return (
    <section aria-labelledby="memory-heading">
      <h2 id="memory-heading">Memory</h2>
      {writable && (
        <form className="inline-form" onSubmit={submit}>
          <Field label="Kind">
            {(id) => (
              <select
                id={id}
                value={kind}
                onChange={(event) => setKind(event.target.value as 'text' | 'json')}
              >
                <option value="text">Text</option>
                <option value="json">JSON</option>
              </select>
            )}
          </Field>
          <Field label="Content" hint={kind === 'json' ? 'A JSON object or array.' : undefined}>
            {(id, hint) => <textarea id={id} name="content" rows={3} required aria-describedby={hint} />}
          </Field>
          <SubmitButton busy={add.busy} busyText="Adding…">
            Add to memory
          </SubmitButton>
          <ErrorBox error={add.error} />
        </form>
      )}
      <ErrorBox error={items.error} />
      {items.loading && <Loading />}
      {items.data && items.data.items.length === 0 && <p className="muted">Nothing in memory.</p>}
      {items.data && items.data.items.length > 0 && (
        <ul className="memory">
          {items.data.items.map((item) => (
            <li key={item.id}>
              {item.kind === 'text' ? (
                <p className="prewrap">{String(item.content)}</p>
              ) : (
                <pre className="json">{JSON.stringify(item.content, null, 2)}</pre>
              )}
              <p className="muted">
                {formatDate(item.createdAt)} · {formatNumber(item.sizeBytes)} bytes{' '}
                {writable && (
                  <ActionButton
                    className="danger"
                    confirm="Delete this memory item?"
                    action={async () => {
                      await must(
                        api.DELETE('/v1/tenants/{tenantId}/agents/{agentId}/memory/{memoryId}', {
                          params: { path: { ...path, memoryId: item.id } },
                        }),
                      );
                      items.reload();
                    }}
                  >
                    Delete
                  </ActionButton>
                )}
              </p>
            </li>
          ))}
        </ul>
      )}
      <Pager list={items} label="Memory items" />
    </section>
  );
}
