import { useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { LIMIT_NAMES, PLAN_IDS, type LimitName, type PlanId } from '../../../../shared/model/plans';
import { must } from '../../api/client';
import { useSession } from '../../auth/session';
import { RESOURCE_NAMES } from '../../ui/charts';
import { useAction, useLoad } from '../../ui/load';
import {
  ActionButton,
  ErrorBox,
  Field,
  formatDate,
  formatNumber,
  Loading,
  SubmitButton,
} from '../../ui/parts';

/** Platform admins: one tenant — its record, suspend and reactivate, plan and limit overrides. */
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
        <dd>{t.plan}</dd>
        <dt>Status</dt>
        <dd data-testid="platform-tenant-status">{t.status}</dd>
        <dt>Created</dt>
        <dd>{formatDate(t.createdAt)}</dd>
        <dt>Trial ends</dt>
        <dd>{formatDate(t.trialEndsAt)}</dd>
      </dl>
      {t.status === 'active' && <Suspend tenantId={tenantId} onDone={tenant.reload} />}
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
          plan={t.plan}
          overrides={t.limitOverrides}
          onDone={() => (tenant.reload(), quotas.reload())}
        />
      )}
      <h2>Quotas</h2>
      <ErrorBox error={quotas.error} />
      {quotas.data && (
        <table>
          <thead>
            <tr>
              <th scope="col">Resource</th>
              <th scope="col">Used</th>
              <th scope="col">Limit</th>
            </tr>
          </thead>
          <tbody>
            {quotas.data.quotas.map((line) => (
              <tr key={line.resource}>
                <th scope="row">{RESOURCE_NAMES[line.resource] ?? line.resource}</th>
                <td>{formatNumber(line.used)}</td>
                <td>{formatNumber(line.limit)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </main>
  );
}

function Suspend({ tenantId, onDone }: { tenantId: string; onDone(): void }) {
  const { api } = useSession();
  const { busy, error, run } = useAction();
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const internalNote = String(data.get('internalNote') ?? '').trim();
    await run(async () => {
      await must(
        api.POST('/v1/tenants/{tenantId}/suspend', {
          params: { path: { tenantId } },
          body: { reason: String(data.get('reason')).trim(), ...(internalNote ? { internalNote } : {}) },
        }),
      );
      onDone();
    });
  };
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
      <SubmitButton busy={busy} className="danger" busyText="Suspending…">
        Suspend this tenant
      </SubmitButton>
      <ErrorBox error={error} />
    </form>
  );
}

function PlanForm({
  tenantId,
  plan,
  overrides,
  onDone,
}: {
  tenantId: string;
  plan: PlanId;
  overrides: Record<string, number | null>;
  onDone(): void;
}) {
  const { api } = useSession();
  const [saved, setSaved] = useState(false);
  const { busy, error, run } = useAction();
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const limitOverrides: Partial<Record<LimitName, number | null>> = {};
    for (const name of LIMIT_NAMES) {
      const raw = String(data.get(`override-${name}`) ?? '').trim();
      if (raw === '') continue;
      limitOverrides[name] = raw === 'unlimited' ? null : Number(raw);
    }
    setSaved(false);
    await run(async () => {
      await must(
        api.PUT('/v1/tenants/{tenantId}/plan', {
          params: { path: { tenantId } },
          body: {
            plan: String(data.get('plan')) as PlanId,
            limitOverrides,
            ...(data.get('allowBelowPlan') === 'on' ? { allowBelowPlan: true } : {}),
          },
        }),
      );
      setSaved(true);
      onDone();
    });
  };
  return (
    <form className="stacked-form" onSubmit={submit} aria-labelledby="plan-heading">
      <h2 id="plan-heading">Plan and overrides</h2>
      <Field label="Plan">
        {(id) => (
          <select id={id} name="plan" defaultValue={plan}>
            {PLAN_IDS.map((value) => (
              <option key={value}>{value}</option>
            ))}
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
      <SubmitButton busy={busy} busyText="Saving…">
        Save plan
      </SubmitButton>
      <ErrorBox error={error} />
      {saved && (
        <p className="notice" role="status">
          Plan saved.
        </p>
      )}
    </form>
  );
}
