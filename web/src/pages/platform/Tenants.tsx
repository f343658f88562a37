import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { PLAN_IDS, PLANS, type PlanId } from '../../../../shared/model/plans';
import { TENANT_STATUSES } from '../../../../shared/model/tenant-status';
import { must } from '../../api/client';
import { useSession } from '../../auth/session';
import { useAction, useCursorPages } from '../../ui/load';
import { DataTable, ErrorBox, Field, formatDate, Loading, Pager, SubmitButton } from '../../ui/parts';
import { PlatformNav } from './Figures';

type Filters = {
  search?: string;
  status?: (typeof TENANT_STATUSES)[number];
  plan?: (typeof PLAN_IDS)[number];
};

/** Platform admins: every tenant, searched by name or slug and filtered by status and plan. */
export function PlatformTenants() {
  const { api } = useSession();
  const [filters, setFilters] = useState<Filters>({});
  const list = useCursorPages(
    (cursor) =>
      must(api.GET('/v1/tenants', { params: { query: { ...filters, ...(cursor ? { cursor } : {}) } } })),
    [api, filters.search, filters.status, filters.plan],
  );
  return (
    <main id="main" className="page">
      <PlatformNav />
      <h1>Tenants</h1>
      <CreateTenant />
      <h2>Every tenant</h2>
      <form
        className="filters"
        aria-label="Search and filters"
        onSubmit={(event: FormEvent<HTMLFormElement>) => {
          event.preventDefault();
          const data = new FormData(event.currentTarget);
          const value = (name: string) => String(data.get(name) ?? '').trim();
          setFilters({
            ...(value('search') ? { search: value('search') } : {}),
            ...(value('status') ? { status: value('status') as Filters['status'] } : {}),
            ...(value('plan') ? { plan: value('plan') as Filters['plan'] } : {}),
          });
        }}
      >
        <Field label="Search" hint="Part of the name or slug, or a tenant id.">
          {(id, hint) => <input id={id} name="search" type="search" aria-describedby={hint} />}
        </Field>
        <Field label="Status">
          {(id) => (
            <select id={id} name="status" defaultValue="">
              <option value="">Any status</option>
              {TENANT_STATUSES.map((status) => (
                <option key={status}>{status}</option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Plan">
          {(id) => (
            <select id={id} name="plan" defaultValue="">
              <option value="">Any plan</option>
              <PlanOptions />
            </select>
          )}
        </Field>
        <button type="submit">Search</button>
      </form>
      <ErrorBox error={list.error} />
      {list.loading && <Loading />}
      <DataTable caption="Tenants" columns={['Name', 'Slug', 'Plan', 'Status', 'Created']}>
        {list.data?.items.map((tenant) => (
          <tr key={tenant.id}>
            <td>
              <Link to={`/platform/tenants/${tenant.id}`}>{tenant.name}</Link>
            </td>
            <td>{tenant.slug}</td>
            <td>{PLANS[tenant.plan].name}</td>
            <td>
              <span className={`pill pill-${tenant.status}`}>{tenant.status}</span>
            </td>
            <td>{formatDate(tenant.createdAt)}</td>
          </tr>
        ))}
      </DataTable>
      {list.data && list.data.items.length === 0 && <p>No tenant matches.</p>}
      <Pager list={list} label="Tenants" />
    </main>
  );
}

/**
 * A tenant made by a platform admin: its name, its slug, its owner (invited by email) and its plan;
 * without a plan, a trial as signup gives.
 */
function CreateTenant() {
  const { api } = useSession();
  const navigate = useNavigate();
  const { busy, error, run } = useAction();
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const value = (name: string) => String(data.get(name) ?? '').trim();
    void run(async () => {
      const made = await must(
        api.POST('/v1/tenants', {
          body: {
            name: value('name'),
            slug: value('slug'),
            owner: { email: value('ownerEmail') },
            ...(value('plan') ? { plan: value('plan') as PlanId } : {}),
          },
        }),
      );
      navigate(`/platform/tenants/${made.tenant.id}`);
    });
  };
  return (
    <details className="create">
      <summary>Create a tenant</summary>
      <form className="stacked-form" onSubmit={submit} aria-label="Create a tenant">
        <Field label="Name">{(id) => <input id={id} name="name" required maxLength={100} />}</Field>
        <Field label="Slug" hint="Lower-case letters, digits and dashes; unique among tenants.">
          {(id, hint) => (
            <input
              id={id}
              name="slug"
              required
              pattern="[a-z0-9](?:[a-z0-9-]*[a-z0-9])?"
              minLength={3}
              maxLength={40}
              aria-describedby={hint}
            />
          )}
        </Field>
        <Field
          label="Owner’s email"
          hint="Invited as the tenant’s owner; a new person gets a temporary password."
        >
          {(id, hint) => <input id={id} name="ownerEmail" type="email" required aria-describedby={hint} />}
        </Field>
        <Field label="Plan">
          {(id) => (
            <select id={id} name="plan" defaultValue="">
              <option value="">A trial, as signup gives</option>
              <PlanOptions />
            </select>
          )}
        </Field>
        <SubmitButton busy={busy} busyText="Creating…">
          Create tenant
        </SubmitButton>
        <ErrorBox error={error} />
      </form>
    </details>
  );
}

/** The plans as a select's options, by their names. */
export function PlanOptions() {
  return PLAN_IDS.map((plan) => (
    <option key={plan} value={plan}>
      {PLANS[plan].name}
    </option>
  ));
}
