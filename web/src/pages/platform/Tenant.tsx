import { useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { LIMIT_NAMES, PLANS, type LimitName, type PlanId } from '../../../../shared/model/plans';
import { must } from '../../api/client';
import { useSession } from '../../auth/session';
import { amount, RESOURCE_NAMES } from '../../ui/charts';
import { PlanOptions } from './Tenants';
import { useAction, useLoad } from '../../ui/load';
import {
  ActionButton,
  Confirm,
  DataTable,
  ErrorBox,
  Field,
  formatDate,
  formatNumber,
  Loading,
  SubmitButton,
} from '../../ui/parts';

const planName = (plan: string) => PLANS[plan as PlanId]?.name ?? plan;

/** The tenant's own pages, which a platform admin sees as its owners do. */
const TENANT_LINKS: Array<[string, string]> = [
  ['', 'Overview and usage'],
  ['/users', 'Members'],
  ['/billing', 'Billing'],
  ['/audit', 'Audit log'],
  ['/agents', 'Agents'],
  ['/runs', 'Runs'],
];

/**
 * Platform admins: one tenant — its record, members and billing at a glance, the way into its own
 * pages, suspend and reactivate, plan and limit overrides (each confirmed first).
 */
export function PlatformTenant() {
  const { tenantId = '' } = useParams();
  const { api } = useSession();
  const tenant = useLoad(
    () => must(api.GET('/v1/tenants/{tenantId}', { params: { path: { tenantId } } })),
    [api, tenantId],
  );
  const quotas = useLoad(
    () => must(api.GET('/v1/tenants/{tenantId}/quotas', { params: { path: { tenantId } } })),
    [api, tenantId],
  );
  if (tenant.error)
    return (
      <main id="main" className="page">
        <ErrorBox error={tenant.error} />
      </main>
    );
  if (!tenant.data)
    return (
      <main id="main" className="page">
        <Loading />
      </main>
    );
  const t = tenant.data;
  return (
    <main id="main" className="page">
      <p>
        <Link to="/platform/tenants">All tenants</Link>
      </p>
      <h1>{t.name}</h1>
      {t.status !== 'active' && (
        <div className={`banner banner-${t.status}`} role="status">
          <strong>This tenant is {t.status}.</strong> {t.statusReason && `Reason: ${t.statusReason}.`}
          {t.internalNote && <div>Internal note: {t.internalNote}</div>}
        </div>
      )}
      <dl className="facts">
        <dt>Id</dt>
        <dd>
          <code>{t.id}</code>
        </dd>
        <dt>Slug</dt>
        <dd>{t.slug}</dd>
        <dt>Plan</dt>
        <dd>{planName(t.plan)}</dd>
        <dt>Status</dt>
        <dd data-testid="platform-tenant-status">{t.status}</dd>
        <dt>Created</dt>
        <dd>{formatDate(t.createdAt)}</dd>
        <dt>Trial ends</dt>
        <dd>{formatDate(t.trialEndsAt)}</dd>
      </dl>
      <nav aria-label="The tenant’s pages">
        <h2>Its pages</h2>
        <p className="muted">As its owners see them; what you change there is audited in its log as yours.</p>
        <ul className="link-row">
          {TENANT_LINKS.map(([path, label]) => (
            <li key={label}>
              <Link to={`/t/${tenantId}${path}`}>{label}</Link>
            </li>
          ))}
        </ul>
      </nav>
      <Members tenantId={tenantId} />
      <BillingSummary tenantId={tenantId} />
      {t.status === 'active' && <Suspend tenantId={tenantId} name={t.name} onDone={tenant.reload} />}
      {t.status === 'suspended' && (
        <section aria-labelledby="reactivate-heading">
          <h2 id="reactivate-heading">Reactivate</h2>
          <ActionButton
            className="primary"
            action={async () => {
              await must(api.POST('/v1/tenants/{tenantId}/reactivate', { params: { path: { tenantId } } }));
              tenant.reload();
            }}
          >
            Reactivate this tenant
          </ActionButton>
        </section>
      )}
      {t.status !== 'deleted' && (
        <PlanForm
          tenantId={tenantId}
          name={t.name}
          plan={t.plan}
          overrides={t.limitOverrides}
          onDone={() => (tenant.reload(), quotas.reload())}
        />
      )}
      <h2>Quotas</h2>
      <ErrorBox error={quotas.error} />
      {quotas.data && (
        <DataTable columns={['Resource', 'Used', 'Limit']}>
          {quotas.data.quotas.map((line) => (
            <tr key={line.resource}>
              <th scope="row">{RESOURCE_NAMES[line.resource] ?? line.resource}</th>
              <td>{amount(line.resource, line.used)}</td>
              <td>{amount(line.resource, line.limit)}</td>
            </tr>
          ))}
        </DataTable>
      )}
    </main>
  );
}

/** The question asked before a platform act takes effect: Yes does it, No leaves everything as it was. */
function Suspend({ tenantId, name, onDone }: { tenantId: string; name: string; onDone(): void }) {
  const { api } = useSession();
  const { busy, error, run } = useAction();
  const [asking, setAsking] = useState<{ reason: string; internalNote: string }>();
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    setAsking({
      reason: String(data.get('reason')).trim(),
      internalNote: String(data.get('internalNote') ?? '').trim(),
    });
  };
  const suspend = (asked: { reason: string; internalNote: string }) =>
    void run(async () => {
      setAsking(undefined);
      await must(
        api.POST('/v1/tenants/{tenantId}/suspend', {
          params: { path: { tenantId } },
          body: { reason: asked.reason, ...(asked.internalNote ? { internalNote: asked.internalNote } : {}) },
        }),
      );
      onDone();
    });
  return (
    <form className="stacked-form" onSubmit={submit} aria-labelledby="suspend-heading">
      <h2 id="suspend-heading">Suspend</h2>
      <p>Running runs are cancelled, API keys refused, and the owners emailed the reason.</p>
      <Field label="Reason (shown to the tenant)">
        {(id) => <input id={id} name="reason" required maxLength={500} />}
      </Field>
      <Field label="Internal note (platform admins only)">
        {(id) => <textarea id={id} name="internalNote" rows={2} maxLength={2000} />}
      </Field>
      {asking ? (
        <Confirm
          question={`Suspend ${name}? Its running runs are cancelled, its API keys refused, and its owners told: “${asking.reason}”.`}
          onYes={() => suspend(asking)}
          onNo={() => setAsking(undefined)}
        />
      ) : (
        <SubmitButton busy={busy} className="danger" busyText="Suspending…">
          Suspend this tenant
        </SubmitButton>
      )}
      <ErrorBox error={error} />
    </form>
  );
}

/** What a plan form would change, in words; empty when it changes nothing. */
export function planChanges(
  from: { plan: PlanId; overrides: Record<string, number | null> },
  to: { plan: PlanId; overrides: Partial<Record<LimitName, number | null>> },
): string[] {
  const words = (value: number | null | undefined) =>
    value === undefined ? 'the plan’s own' : value === null ? 'unlimited' : formatNumber(value);
  const changes: string[] = [];
  if (from.plan !== to.plan) changes.push(`plan ${planName(from.plan)} → ${planName(to.plan)}`);
  for (const name of LIMIT_NAMES) {
    const before = name in from.overrides ? from.overrides[name] : undefined;
    const after = name in to.overrides ? to.overrides[name] : undefined;
    if (before !== after) changes.push(`${RESOURCE_NAMES[name] ?? name}: ${words(before)} → ${words(after)}`);
  }
  return changes;
}

function PlanForm({
  tenantId,
  name: tenantName,
  plan,
  overrides,
  onDone,
}: {
  tenantId: string;
  name: string;
  plan: PlanId;
  overrides: Record<string, number | null>;
  onDone(): void;
}) {
  const { api } = useSession();
  const [saved, setSaved] = useState(false);
  const { busy, error, run } = useAction();
  type Change = {
    plan: PlanId;
    limitOverrides: Partial<Record<LimitName, number | null>>;
    allowBelowPlan: boolean;
  };
  const [asking, setAsking] = useState<{ change: Change; changes: string[] }>();
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const limitOverrides: Partial<Record<LimitName, number | null>> = {};
    for (const name of LIMIT_NAMES) {
      const raw = String(data.get(`override-${name}`) ?? '').trim();
      if (raw === '') continue;
      limitOverrides[name] = raw === 'unlimited' ? null : Number(raw);
    }
    const change: Change = {
      plan: String(data.get('plan')) as PlanId,
      limitOverrides,
      allowBelowPlan: data.get('allowBelowPlan') === 'on',
    };
    setSaved(false);
    setAsking({
      change,
      changes: planChanges({ plan, overrides }, { plan: change.plan, overrides: limitOverrides }),
    });
  };
  const save = (change: Change) =>
    void run(async () => {
      setAsking(undefined);
      await must(
        api.PUT('/v1/tenants/{tenantId}/plan', {
          params: { path: { tenantId } },
          body: {
            plan: change.plan,
            limitOverrides: change.limitOverrides,
            ...(change.allowBelowPlan ? { allowBelowPlan: true } : {}),
          },
        }),
      );
      setSaved(true);
      onDone();
    });
  return (
    <form className="stacked-form" onSubmit={submit} aria-labelledby="plan-heading">
      <h2 id="plan-heading">Plan and overrides</h2>
      <Field label="Plan">
        {(id) => (
          <select id={id} name="plan" defaultValue={plan}>
            <PlanOptions />
          </select>
        )}
      </Field>
      <fieldset>
        <legend>Limit overrides (empty: the plan’s own; “unlimited”: no limit)</legend>
        <div className="grid">
          {LIMIT_NAMES.map((name) => (
            <Field key={name} label={RESOURCE_NAMES[name] ?? name}>
              {(id) => (
                <input
                  id={id}
                  name={`override-${name}`}
                  defaultValue={
                    name in overrides
                      ? overrides[name] === null
                        ? 'unlimited'
                        : String(overrides[name])
                      : ''
                  }
                  pattern="[0-9]+|unlimited"
                  inputMode="numeric"
                />
              )}
            </Field>
          ))}
        </div>
      </fieldset>
      <div className="field checkbox">
        <label>
          <input type="checkbox" name="allowBelowPlan" /> Allow overrides below the plan’s own limits
        </label>
      </div>
      {asking ? (
        asking.changes.length === 0 ? (
          <p className="notice" role="status">
            Nothing to change.{' '}
            <button type="button" onClick={() => setAsking(undefined)}>
              OK
            </button>
          </p>
        ) : (
          <Confirm
            question={`Change ${tenantName}: ${asking.changes.join('; ')}?`}
            onYes={() => save(asking.change)}
            onNo={() => setAsking(undefined)}
          />
        )
      ) : (
        <SubmitButton busy={busy} busyText="Saving…">
          Save plan
        </SubmitButton>
      )}
      <ErrorBox
        error={error}
        explain={{
          override_below_plan:
            'An override is lower than the plan’s own limit. Tick “Allow overrides below the plan’s own limits” if that is what you mean.',
        }}
        fields={Object.fromEntries(
          LIMIT_NAMES.map((name) => [`limitOverrides.${name}`, RESOURCE_NAMES[name] ?? name]),
        )}
      />
      {saved && (
        <p className="notice" role="status">
          Plan saved.
        </p>
      )}
    </form>
  );
}

/** The tenant's people at a glance: the first page, with a link to all of them. */
function Members({ tenantId }: { tenantId: string }) {
  const { api } = useSession();
  const users = useLoad(
    () => must(api.GET('/v1/tenants/{tenantId}/users', { params: { path: { tenantId } } })),
    [api, tenantId],
  );
  return (
    <section aria-labelledby="members-heading">
      <h2 id="members-heading">Members</h2>
      <ErrorBox error={users.error} />
      {users.loading && <Loading />}
      {users.data && (
        <DataTable caption="Members" columns={['Email', 'Role', 'Status', 'Last sign-in']}>
          {users.data.items.map((user) => (
            <tr key={user.id}>
              <th scope="row" className="break">
                {user.email}
              </th>
              <td>{user.role}</td>
              <td>
                <span className={`pill pill-${user.status}`}>{user.status}</span>
              </td>
              <td>{user.lastSignInAt ? formatDate(user.lastSignInAt) : 'Never'}</td>
            </tr>
          ))}
        </DataTable>
      )}
      {users.data?.nextCursor && (
        <p>
          <Link to={`/t/${tenantId}/users`}>All members</Link>
        </p>
      )}
    </section>
  );
}

/** The subscription at a glance. */
function BillingSummary({ tenantId }: { tenantId: string }) {
  const { api } = useSession();
  const billing = useLoad(
    () => must(api.GET('/v1/tenants/{tenantId}/billing', { params: { path: { tenantId } } })),
    [api, tenantId],
  );
  return (
    <section aria-labelledby="billing-heading">
      <h2 id="billing-heading">Billing</h2>
      <ErrorBox error={billing.error} />
      {billing.loading && <Loading />}
      {billing.data && (
        <dl className="facts">
          <dt>Subscription</dt>
          <dd>
            {billing.data.subscriptionId
              ? `${planName(billing.data.plan)}, ${billing.data.status}`
              : 'None (no paid plan bought)'}
          </dd>
          <dt>Period ends</dt>
          <dd>{formatDate(billing.data.currentPeriodEnd)}</dd>
          {billing.data.pastDueSince && (
            <>
              <dt>Payment owed since</dt>
              <dd>{formatDate(billing.data.pastDueSince)}</dd>
            </>
          )}
          <dt>Invoices</dt>
          <dd>{formatNumber(billing.data.invoices?.length ?? 0)}</dd>
        </dl>
      )}
    </section>
  );
}
