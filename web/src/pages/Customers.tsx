import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { ALLOCATABLE_RESOURCES, PLANS, POOLABLE_RESOURCES } from '../../../shared/model/plans';
import { delegatedRole } from '../../../shared/model/roles';
import { DELEGATED_ROLES, MAX_DELEGATION_DAYS } from '../../../shared/model/delegations';
import { PARTNER_PAYABLE_PLANS } from '../../../shared/model/child-billing';
import { must, type Schemas } from '../api/client';
import { useSession } from '../auth/session';
import { rememberDelegatedVisit, useTenant } from '../context';
import { PlanGate } from '../ui/plan-gate';
import { useAction, useCursorPages, useLoad } from '../ui/load';
import {
  ActionButton,
  DataTable,
  EditSection,
  ErrorBox,
  Field,
  formatDate,
  Loading,
  Pager,
  SubmitButton,
} from '../ui/parts';

type Child = Schemas['ChildTenant'];
type Delegation = Schemas['Delegation'];

/** A child's health as its partner may see it: the verdict and its reasons' codes. */
function ChildHealthCell({ childId }: { childId: string }) {
  const { api } = useSession();
  const { tenantId } = useTenant();
  const health = useLoad(
    () =>
      must(
        api.GET('/v1/tenants/{tenantId}/children/{childId}/health', {
          params: { path: { tenantId, childId } },
        }),
      ),
    [api, tenantId, childId],
  );
  if (health.error) return <span className="muted">unknown</span>;
  if (!health.data) return <span className="muted">…</span>;
  const reasons = health.data.reasons.map((reason) => reason.code.replaceAll('_', ' '));
  // Its use of what a partner gives, pools or pays for: agents and this month's runs and tokens.
  const usage = health.data.usage
    .filter((line) => USAGE_SHOWN.includes(line.resource))
    .map(
      (line) =>
        `${line.resource} ${line.used.toLocaleString('en-US')}${line.limit === null ? '' : ` / ${line.limit.toLocaleString('en-US')}`}${line.pooledFrom ? ' (pool)' : ''}`,
    );
  return (
    <>
      <span data-health={health.data.status}>
        {health.data.status}
        {reasons.length > 0 && <span className="muted"> ({reasons.join(', ')})</span>}
      </span>
      <br />
      <span className="muted" data-testid="child-usage">
        {usage.join(' · ')}
      </span>
    </>
  );
}

const USAGE_SHOWN: readonly string[] = ['agents', 'runs', 'tokens'];

/** The delegations this partner holds, by child (at most one each). */
function useHeldDelegations() {
  const { api } = useSession();
  const { tenantId } = useTenant();
  return useLoad(async () => {
    const byChild = new Map<string, Delegation>();
    let cursor: string | undefined;
    do {
      const page = await must(
        api.GET('/v1/tenants/{tenantId}/delegations', {
          params: { path: { tenantId }, query: { side: 'held', limit: 100, ...(cursor ? { cursor } : {}) } },
        }),
      );
      for (const delegation of page.items) byChild.set(delegation.child.id, delegation);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return byChild;
  }, [api, tenantId]);
}

function CreateChild({ onCreated }: { onCreated(): void }) {
  const { api } = useSession();
  const { tenantId } = useTenant();
  const { busy, error, run } = useAction();
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const text = (name: string) => String(data.get(name) ?? '').trim();
    void run(async () => {
      await must(
        api.POST('/v1/tenants/{tenantId}/children', {
          params: { path: { tenantId } },
          body: { name: text('name'), slug: text('slug'), owner: { email: text('email') } },
        }),
      );
      form.reset();
      onCreated();
    });
  };
  return (
    <section aria-labelledby="create-child-heading">
      <h2 id="create-child-heading">Create a customer’s tenant</h2>
      <p className="muted">
        The customer’s owner is invited by email and owns the tenant, on the Free plan. You see its name, plan
        and health; anything more needs access its owner approves.
      </p>
      <form className="inline-form" onSubmit={submit}>
        <Field label="Name">{(id) => <input id={id} name="name" required maxLength={100} />}</Field>
        <Field label="Slug">
          {(id) => <input id={id} name="slug" required minLength={3} maxLength={40} pattern="[a-z0-9-]+" />}
        </Field>
        <Field label="Owner’s email">{(id) => <input id={id} name="email" type="email" required />}</Field>
        <SubmitButton busy={busy}>Create tenant</SubmitButton>
      </form>
      <ErrorBox error={error} />
    </section>
  );
}

function AskForAccess({ child, onDone }: { child: Child; onDone(): void }) {
  const { api } = useSession();
  const { tenantId } = useTenant();
  const { busy, error, run } = useAction();
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const reason = String(data.get('reason') ?? '').trim();
    void run(async () => {
      await must(
        api.POST('/v1/tenants/{tenantId}/delegations', {
          params: { path: { tenantId } },
          body: {
            childId: child.id,
            role: String(data.get('role')) as (typeof DELEGATED_ROLES)[number],
            durationDays: Number(data.get('durationDays')),
            ...(reason ? { reason } : {}),
          },
        }),
      );
      onDone();
    });
  };
  return (
    <EditSection title={`Ask for access to “${child.name}”`} error={error} onCancel={onDone}>
      <form className="inline-form" onSubmit={submit}>
        <Field label="Role at most">
          {(id) => (
            <select id={id} name="role" defaultValue="admin">
              {DELEGATED_ROLES.map((role) => (
                <option key={role} value={role}>
                  {role}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Days, from the approval">
          {(id) => (
            <input
              id={id}
              name="durationDays"
              type="number"
              min={1}
              max={MAX_DELEGATION_DAYS}
              defaultValue={30}
              required
            />
          )}
        </Field>
        <Field label="Reason (shown to its owners)">
          {(id) => <input id={id} name="reason" maxLength={500} />}
        </Field>
        <SubmitButton busy={busy}>Ask</SubmitButton>
      </form>
    </EditSection>
  );
}

/** The slices of the partner's limits a child was given, and what it draws from the pool, in a few words. */
function slicesInWords(allocation: Record<string, number>, pooled: readonly string[]): string {
  const named = [
    ...Object.entries(allocation).map(
      ([resource, amount]) => `${resource} ${amount.toLocaleString('en-US')}`,
    ),
    ...pooled.map((resource) => `${resource} from your pool`),
  ];
  return named.length > 0 ? named.join(' · ') : '';
}

/** The slices of the partner's limits one child is given: a number per resource, blank for none. */
function GiveLimits({ child, onDone }: { child: Child; onDone(): void }) {
  const { api } = useSession();
  const { tenantId } = useTenant();
  const { busy, error, run } = useAction();
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const pooled = POOLABLE_RESOURCES.filter((resource) => data.getAll('pooled').includes(resource));
    const limits = Object.fromEntries(
      ALLOCATABLE_RESOURCES.flatMap((resource) => {
        const value = String(data.get(resource) ?? '').trim();
        // A pooled resource has no slice: the pool's limit is yours.
        return value === '' || (pooled as string[]).includes(resource) ? [] : [[resource, Number(value)]];
      }),
    );
    void run(async () => {
      await must(
        api.PUT('/v1/tenants/{tenantId}/children/{childId}/allocation', {
          params: { path: { tenantId, childId: child.id } },
          body: { limits, pooled },
        }),
      );
      onDone();
    });
  };
  return (
    <EditSection title={`Limits given to “${child.name}”`} error={error} onCancel={onDone}>
      <p className="muted">
        Each number is the child’s limit for it, whatever its plan, and comes off yours; blank follows its
        plan. Runs and tokens may instead come from your pool: the child then uses your own monthly allowance,
        shared with you and your other pooled customers.
      </p>
      <form className="inline-form" onSubmit={submit}>
        {ALLOCATABLE_RESOURCES.map((resource) => (
          <Field key={resource} label={resource}>
            {(id) => (
              <input
                id={id}
                name={resource}
                type="number"
                min={0}
                defaultValue={child.allocation[resource] ?? ''}
              />
            )}
          </Field>
        ))}
        <fieldset>
          <legend>Shared instead of sliced</legend>
          <div className="checks">
            {POOLABLE_RESOURCES.map((resource) => (
              <label key={resource}>
                <input
                  type="checkbox"
                  name="pooled"
                  value={resource}
                  defaultChecked={child.pooled.includes(resource)}
                />{' '}
                {resource} from your pool
              </label>
            ))}
          </div>
        </fieldset>
        <SubmitButton busy={busy}>Save limits</SubmitButton>
      </form>
    </EditSection>
  );
}

/** Who pays for a child: the partner (on a plan it names, a line of its invoice each month) or the child. */
function ChildPayer({ child, onDone }: { child: Child; onDone(): void }) {
  const { api } = useSession();
  const { tenantId } = useTenant();
  const { busy, error, run } = useAction();
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const plan = String(data.get('plan') ?? '');
    const body =
      plan === 'child'
        ? { paidBy: 'child' as const }
        : { paidBy: 'partner' as const, plan: plan as (typeof PARTNER_PAYABLE_PLANS)[number] };
    void run(async () => {
      await must(
        api.PUT('/v1/tenants/{tenantId}/children/{childId}/billing', {
          params: { path: { tenantId, childId: child.id } },
          body,
        }),
      );
      onDone();
    });
  };
  return (
    <EditSection title={`Who pays for “${child.name}”`} error={error} onCancel={onDone}>
      <p className="muted">
        When you pay, the customer is on the plan you choose, and each month its plan and any overage are
        lines of your invoice, named by the customer. A customer that pays for a subscription of its own ends
        it first.
      </p>
      <form className="inline-form" onSubmit={submit}>
        <Field label="Paid by">
          {(id) => (
            <select id={id} name="plan" defaultValue={child.paidBy === 'partner' ? child.plan : 'child'}>
              <option value="child">the customer itself</option>
              {PARTNER_PAYABLE_PLANS.map((plan) => (
                <option key={plan} value={plan}>
                  you, on {PLANS[plan].name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <SubmitButton busy={busy}>Save</SubmitButton>
      </form>
    </EditSection>
  );
}

function CustomersOfPartner() {
  const { api } = useSession();
  const { tenantId, tenant, role, can } = useTenant();
  const navigate = useNavigate();
  const [asking, setAsking] = useState<Child | null>(null);
  const [giving, setGiving] = useState<Child | null>(null);
  const [paying, setPaying] = useState<Child | null>(null);
  const children = useCursorPages(
    (cursor) =>
      must(
        api.GET('/v1/tenants/{tenantId}/children', {
          params: { path: { tenantId }, query: cursor ? { cursor } : {} },
        }),
      ),
    [api, tenantId],
  );
  const held = useHeldDelegations();
  const manage = can('children:manage');
  const delegate = can('delegations:manage');
  const end = (child: Child) =>
    must(
      api.DELETE('/v1/tenants/{tenantId}/delegations/{counterpartId}', {
        params: { path: { tenantId, counterpartId: child.id } },
      }),
    ).then(held.reload);
  const reload = () => {
    children.reload();
    held.reload();
  };
  return (
    <>
      <h1>Customers</h1>
      <p className="muted">
        The tenants below {tenant.name}: your customers’, each owned by its customer. Their people and data
        are theirs; your people act in one only with access its owner approved, for the time and role
        approved.
      </p>
      {manage && <CreateChild onCreated={reload} />}
      {asking && (
        <AskForAccess
          child={asking}
          onDone={() => {
            setAsking(null);
            held.reload();
          }}
        />
      )}
      {giving && (
        <GiveLimits
          child={giving}
          onDone={() => {
            setGiving(null);
            children.reload();
          }}
        />
      )}
      {paying && (
        <ChildPayer
          child={paying}
          onDone={() => {
            setPaying(null);
            children.reload();
          }}
        />
      )}
      <h2>Tenants below</h2>
      <ErrorBox error={children.error ?? held.error} />
      {children.loading && <Loading />}
      {children.data && children.data.items.length === 0 && (
        <p className="muted">No customer’s tenant yet.</p>
      )}
      {children.data && children.data.items.length > 0 && (
        <DataTable
          caption="Customers’ tenants"
          columns={['Name', 'Plan', 'Paid by', 'Status', 'Health', 'Limits given', 'Access', 'Actions']}
        >
          {children.data.items.map((child) => {
            const delegation = held.data?.get(child.id);
            const live = delegation && (delegation.status === 'pending' || delegation.status === 'active');
            return (
              <tr key={child.id} data-child={child.id}>
                <th scope="row">
                  {child.name} <span className="muted">({child.slug})</span>
                  {child.depth > 1 && <span className="muted"> · {child.depth} levels below</span>}
                </th>
                <td>{PLANS[child.plan as keyof typeof PLANS]?.name ?? child.plan}</td>
                <td data-paid-by={child.paidBy}>{child.paidBy === 'partner' ? 'you' : 'the customer'}</td>
                <td>{child.status}</td>
                <td>
                  <ChildHealthCell childId={child.id} />
                </td>
                <td>{slicesInWords(child.allocation, child.pooled)}</td>
                <td data-access={delegation?.status ?? 'none'}>
                  {!delegation && <span className="muted">none</span>}
                  {delegation?.status === 'pending' && `asked (${delegation.role}), waiting for its owner`}
                  {delegation?.status === 'active' &&
                    `${delegation.role} until ${formatDate(delegation.expiresAt)}`}
                  {delegation && !live && <span className="muted">{delegation.status}</span>}
                </td>
                <td>
                  {delegation?.status === 'active' && (
                    <button
                      type="button"
                      className="primary"
                      onClick={() => {
                        rememberDelegatedVisit(child.id, {
                          partnerId: tenantId,
                          partnerName: tenant.name,
                          role: delegatedRole(delegation.role, role),
                          expiresAt: delegation.expiresAt ?? '',
                        });
                        navigate(`/t/${child.id}`);
                      }}
                    >
                      Open
                    </button>
                  )}{' '}
                  {manage && child.depth === 1 && child.status !== 'deleted' && (
                    <button type="button" onClick={() => setGiving(child)}>
                      Give limits
                    </button>
                  )}{' '}
                  {manage && child.depth === 1 && child.status !== 'deleted' && (
                    <button type="button" onClick={() => setPaying(child)}>
                      Who pays
                    </button>
                  )}{' '}
                  {delegate && !live && child.status !== 'deleted' && (
                    <button type="button" onClick={() => setAsking(child)}>
                      Ask for access
                    </button>
                  )}
                  {delegate && live && (
                    <ActionButton
                      confirm={
                        delegation.status === 'pending'
                          ? `Withdraw the request for access to “${child.name}”?`
                          : `Give up access to “${child.name}”? Your people can no longer act in it.`
                      }
                      action={() => end(child)}
                    >
                      {delegation.status === 'pending' ? 'Withdraw' : 'Give up access'}
                    </ActionButton>
                  )}
                </td>
              </tr>
            );
          })}
        </DataTable>
      )}
      <Pager list={children} label="Customers’ tenants" />
    </>
  );
}

/** A partner's customers: their tenants below it, with health; creating one; access to one. */
export function Customers() {
  const { tenant } = useTenant();
  if (
    !(PLANS[tenant.plan as keyof typeof PLANS]?.features as readonly string[] | undefined)?.includes(
      'partners',
    )
  ) {
    return (
      <>
        <h1>Customers</h1>
        <PlanGate
          feature="partners"
          pitch="create and run your customers’ tenants below yours, see their health, and act in them with the access their owners approve."
        />
      </>
    );
  }
  return <CustomersOfPartner />;
}
