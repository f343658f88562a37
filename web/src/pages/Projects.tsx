import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { must, type Schemas } from '../api/client';
import { useSession } from '../auth/session';
import { useTenant } from '../context';
import { useAction, useCursorPages, useLoad } from '../ui/load';
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

type Project = Schemas['Project'];

/** Every project of the tenant (at most a plan's worth), for the agents' project filter and form. */
export function useProjects() {
  const { api } = useSession();
  const { tenantId, can } = useTenant();
  return useLoad(async () => {
    if (!can('projects:read')) return [] as Project[];
    const all: Project[] = [];
    let cursor: string | undefined;
    do {
      const page = await must(
        api.GET('/v1/tenants/{tenantId}/projects', {
          params: { path: { tenantId }, query: { limit: 100, ...(cursor ? { cursor } : {}) } },
        }),
      );
      all.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return all;
  }, [api, tenantId]);
}

/** The projects as a select's options, after the one that names none (`""` as its value). */
export function ProjectOptions({ projects, none }: { projects: Project[]; none: string }) {
  return (
    <>
      <option value="">{none}</option>
      {projects.map((project) => (
        <option key={project.id} value={project.id}>
          {project.name}
        </option>
      ))}
    </>
  );
}

/** A project's name and description as a form: a new project, or a project's edit. */
function ProjectForm({
  project,
  busy,
  submitLabel,
  onSubmit,
}: {
  project?: Project;
  busy: boolean;
  submitLabel: string;
  onSubmit(fields: { name: string; description?: string }): void;
}) {
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const text = (name: string) => String(data.get(name) ?? '').trim();
    onSubmit({ name: text('name'), ...(text('description') ? { description: text('description') } : {}) });
  };
  return (
    <form className="inline-form" onSubmit={submit}>
      <Field label="Project name">
        {(id) => <input id={id} name="name" required maxLength={100} defaultValue={project?.name ?? ''} />}
      </Field>
      <Field label="Description (optional)">
        {(id) => (
          <input id={id} name="description" maxLength={1_000} defaultValue={project?.description ?? ''} />
        )}
      </Field>
      <SubmitButton busy={busy}>{submitLabel}</SubmitButton>
    </form>
  );
}

/** The tenant's projects: each with its agents, create, rename and delete (an empty one). */
export function Projects() {
  const { api } = useSession();
  const { tenantId, can } = useTenant();
  const create = useAction();
  const edit = useAction();
  const [editing, setEditing] = useState<Project | null>(null);
  const list = useCursorPages(
    (cursor) =>
      must(
        api.GET('/v1/tenants/{tenantId}/projects', {
          params: { path: { tenantId }, query: cursor ? { cursor } : {} },
        }),
      ),
    [api, tenantId],
  );
  const manage = can('projects:manage');
  return (
    <>
      <h1>Projects</h1>
      <p className="muted">
        A project groups agents, and with them their memory and runs: each shows what its runs used this month
        (runs completed and their tokens). An API key may be limited to one project. Each project counts
        against your plan.
      </p>
      {manage && (
        <section aria-labelledby="create-project-heading">
          <h2 id="create-project-heading">Create a project</h2>
          <ProjectForm
            busy={create.busy}
            submitLabel="Create project"
            onSubmit={(fields) =>
              void create.run(async () => {
                await must(
                  api.POST('/v1/tenants/{tenantId}/projects', {
                    params: { path: { tenantId } },
                    body: fields,
                  }),
                );
                list.reload();
              })
            }
          />
          <ErrorBox error={create.error} />
        </section>
      )}
      {editing && (
        <EditSection title={`Edit “${editing.name}”`} error={edit.error} onCancel={() => setEditing(null)}>
          <ProjectForm
            project={editing}
            busy={edit.busy}
            submitLabel="Save"
            onSubmit={(fields) =>
              void edit.run(async () => {
                await must(
                  api.PATCH('/v1/tenants/{tenantId}/projects/{projectId}', {
                    params: { path: { tenantId, projectId: editing.id } },
                    body: { name: fields.name, description: fields.description ?? '' },
                  }),
                );
                setEditing(null);
                list.reload();
              })
            }
          />
        </EditSection>
      )}
      <h2>All projects</h2>
      <ErrorBox error={list.error} />
      {list.loading && <Loading />}
      {list.data && list.data.items.length === 0 && <p className="muted">No project yet.</p>}
      {list.data && list.data.items.length > 0 && (
        <DataTable
          caption="Projects"
          columns={[
            'Name',
            'Description',
            ...numberColumns('Agents'),
            'Created',
            ...(manage ? ['Actions'] : []),
          ]}
        >
          {list.data.items.map((project) => (
            <tr key={project.id} data-project={project.id}>
              <th scope="row">
                <Link to={`/t/${tenantId}/agents?project=${project.id}`}>{project.name}</Link>
              </th>
              <td>{project.description ?? ''}</td>
              <td className="number">{formatNumber(project.agentCount)}</td>
              <td className="number">{formatNumber(project.usage.runs)}</td>
              <td className="number">{formatNumber(project.usage.tokens)}</td>
              <td>{formatDate(project.createdAt)}</td>
              {manage && (
                <td>
                  <button type="button" onClick={() => setEditing(project)}>
                    Edit
                  </button>{' '}
                  <ActionButton
                    className="danger"
                    confirm={`Delete the project “${project.name}”?`}
                    action={async () => {
                      await must(
                        api.DELETE('/v1/tenants/{tenantId}/projects/{projectId}', {
                          params: { path: { tenantId, projectId: project.id } },
                        }),
                      );
                      list.reload();
                    }}
                  >
                    Delete
                  </ActionButton>
                </td>
              )}
            </tr>
          ))}
        </DataTable>
      )}
      <Pager list={list} label="Projects" />
    </>
  );
}
