import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { PLAN_IDS } from '../../../../shared/model/plans';
import { TENANT_STATUSES } from '../../../../shared/model/tenant-status';
import { must } from '../../api/client';
import { useSession } from '../../auth/session';
import { useCursorPages } from '../../ui/load';
import { ErrorBox, Field, formatDate, Loading, Pager } from '../../ui/parts';
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
              {PLAN_IDS.map((plan) => (
                <option key={plan}>{plan}</option>
              ))}
            </select>
          )}
        </Field>
        <button type="submit">Search</button>
      </form>
      <ErrorBox error={list.error} />
      {list.loading && <Loading />}
      <table>
        <caption className="visually-hidden">Tenants</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Slug</th>
            <th scope="col">Plan</th>
            <th scope="col">Status</th>
            <th scope="col">Created</th>
          </tr>
        </thead>
        <tbody>
          {list.data?.items.map((tenant) => (
            <tr key={tenant.id}>
              <td>
                <Link to={`/platform/tenants/${tenant.id}`}>{tenant.name}</Link>
              </td>
              <td>{tenant.slug}</td>
              <td>{tenant.plan}</td>
              <td>
                <span className={`pill pill-${tenant.status}`}>{tenant.status}</span>
              </td>
              <td>{formatDate(tenant.createdAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {list.data && list.data.items.length === 0 && <p>No tenant matches.</p>}
      <Pager list={list} label="Tenants" />
    </main>
  );
}
