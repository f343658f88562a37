import { Link, NavLink } from 'react-router';
import { PLAN_IDS } from '../../../../shared/model/plans';
import { must } from '../../api/client';
import type { components } from '../../api/schema';
import { useSession } from '../../auth/session';
import { useLoad } from '../../ui/load';
import { DataTable, ErrorBox, formatDate, formatNumber, Loading, numberColumns } from '../../ui/parts';

type Figures = components['schemas']['PlatformMetrics'];
type TenantFigures = Figures['noisiest'][number];

/** The platform pages' own navigation. */
export function PlatformNav() {
  return (
    <nav aria-label="Platform pages" className="subnav">
      <NavLink to="/platform/tenants" end>
        Tenants
      </NavLink>
      <NavLink to="/platform/figures">Figures</NavLink>
      <NavLink to="/platform/admins">Platform admins</NavLink>
      <NavLink to="/platform/audit">Platform audit log</NavLink>
    </nav>
  );
}

/** Dollars; below a cent (a tenant's DynamoDB cost often is), two significant digits, never "$0.00". */
const usd = (value: number) =>
  value.toLocaleString(
    'en-US',
    value !== 0 && Math.abs(value) < 0.01
      ? { style: 'currency', currency: 'USD', maximumSignificantDigits: 2 }
      : { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 2 },
  );

const ATTENTION_WORDS: Record<string, string> = {
  suspended: 'suspended',
  payment_failed: 'payment failed',
  error_rate: 'server errors',
  throttling: 'throttled',
};

function TenantTable({
  caption,
  rows,
  show,
}: {
  caption: string;
  rows: TenantFigures[];
  show: 'margin' | 'traffic' | 'attention';
}) {
  if (!rows.length) return <p className="muted">None.</p>;
  return (
    <DataTable
      caption={caption}
      columns={[
        'Tenant',
        'Plan',
        ...(show === 'attention' ? ['Why'] : []),
        ...(show === 'margin'
          ? numberColumns('Revenue (month so far)', 'Serving cost', 'Margin')
          : numberColumns('Requests', '5xx', '429')),
        'Last active',
      ]}
    >
      {rows.map((row) => (
        <tr key={row.tenantId}>
          <th scope="row">
            <Link to={`/platform/tenants/${row.tenantId}`}>{row.name}</Link>
          </th>
          <td className="capitalize">{row.plan}</td>
          {show === 'attention' && (
            <td>{row.attention.map((code) => ATTENTION_WORDS[code] ?? code).join(', ')}</td>
          )}
          {show === 'margin' && (
            <>
              <td className="number">{usd(row.revenueUsd)}</td>
              <td className="number">{usd(row.costUsd)}</td>
              <td className="number">{usd(row.marginUsd)}</td>
            </>
          )}
          {show !== 'margin' && (
            <>
              <td className="number">{formatNumber(row.requests)}</td>
              <td className="number">{formatNumber(row.serverErrors)}</td>
              <td className="number">{formatNumber(row.throttled)}</td>
            </>
          )}
          <td>{row.lastActiveAt ? formatDate(row.lastActiveAt) : 'never'}</td>
        </tr>
      ))}
    </DataTable>
  );
}

/**
 * Platform admins: the platform's figures as the operator figures job last computed them, with how
 * each is computed and how stale it may be.
 */
export function PlatformFigures() {
  const { api } = useSession();
  const figures = useLoad(() => must(api.GET('/v1/platform/metrics')), [api]);
  const data = figures.data;
  return (
    <main id="main" className="page">
      <PlatformNav />
      <h1>Platform figures</h1>
      <ErrorBox error={figures.error} />
      {figures.loading && !data && <Loading />}
      {data && (
        <>
          <p className="figures-note" data-testid="figures-computed">
            Computed {formatDate(data.computedAt)} by the operator figures job (every 15 minutes in AWS, every
            15 seconds on the local twin), so up to one run stale.{' '}
            <button type="button" className="link" onClick={() => figures.reload()}>
              Refresh
            </button>
          </p>
          <section className="cards" aria-label="Summary">
            <div className="card">
              <h2>Tenants</h2>
              <p className="big" data-testid="figures-tenants">
                {formatNumber(data.tenants.total)}
              </p>
              <p className="muted">
                {formatNumber(data.tenants.byStatus.active)} active,{' '}
                {formatNumber(data.tenants.byStatus.suspended)} suspended,{' '}
                {formatNumber(data.tenants.byStatus.deleted)} deleted
              </p>
            </div>
            <div className="card">
              <h2>Active tenants</h2>
              <p className="big">{formatNumber(data.activeTenants.days7)}</p>
              <p className="muted">
                in the last 7 days; {formatNumber(data.activeTenants.days30)} in 30 (a metered request)
              </p>
            </div>
            <div className="card">
              <h2>Monthly recurring revenue</h2>
              <p className="big" data-testid="figures-mrr">
                {usd(data.revenue.mrrUsd)}
              </p>
              <p className="muted">
                List prices of paid subscriptions; trials, overage
                {data.revenue.contractTenants
                  ? ` and ${data.revenue.contractTenants} contract tenants`
                  : ''}{' '}
                not included.
              </p>
            </div>
            <div className="card">
              <h2>Month so far</h2>
              <p className="big">{usd(data.revenue.monthToDateUsd - data.servingCost.monthToDateUsd)}</p>
              <p className="muted">
                {usd(data.revenue.monthToDateUsd)} revenue ({Math.round(data.monthElapsed * 100)} % of the
                month) against {usd(data.servingCost.monthToDateUsd)} of DynamoDB capacity
              </p>
            </div>
          </section>

          <section aria-labelledby="plans-heading">
            <h2 id="plans-heading">By plan</h2>
            <DataTable
              caption="Tenants and revenue by plan"
              columns={['Plan', ...numberColumns('Tenants', 'Paid subscriptions', 'MRR')]}
            >
              {PLAN_IDS.map((plan) => (
                <tr key={plan}>
                  <th scope="row" className="capitalize">
                    {plan}
                  </th>
                  <td className="number">{formatNumber(data.tenants.byPlan[plan])}</td>
                  <td className="number">{formatNumber(data.revenue.byPlan[plan].subscriptions)}</td>
                  <td className="number">{usd(data.revenue.byPlan[plan].mrrUsd)}</td>
                </tr>
              ))}
            </DataTable>
          </section>

          <section aria-labelledby="attention-heading">
            <h2 id="attention-heading">Tenants that need a look</h2>
            <p className="figures-note">
              Suspended, owing a payment, or, among the requests of the last clock hours (at least 20), with 1
              % or more server errors or 5 % or more refused with 429. A tenant’s own page has its full
              health.
            </p>
            <TenantTable caption="Tenants that need a look" rows={data.attention} show="attention" />
          </section>

          <section aria-labelledby="noisy-heading">
            <h2 id="noisy-heading">Noisiest tenants</h2>
            <p className="figures-note">
              Most requests since {formatDate(data.traffic.from)}
              {data.traffic.countedUntil
                ? `, counted until ${formatDate(data.traffic.countedUntil)}`
                : ' (not counted yet)'}
              : {formatNumber(data.traffic.requests)} requests in all,{' '}
              {formatNumber(data.traffic.serverErrors)} failed, {formatNumber(data.traffic.throttled)}{' '}
              throttled.
            </p>
            <TenantTable caption="Noisiest tenants" rows={data.noisiest} show="traffic" />
          </section>

          <section aria-labelledby="margin-heading">
            <h2 id="margin-heading">Lowest margin this month</h2>
            <p className="figures-note">
              Revenue: the plan’s list price of a paid subscription, times the share of the month gone. Cost:
              the DynamoDB capacity units the tenant’s requests consumed this month, at on-demand prices — a
              floor (Lambda, API Gateway and storage are not in it, and each function instance may still hold
              one request’s units).
            </p>
            <TenantTable caption="Lowest margin this month" rows={data.lowestMargin} show="margin" />
          </section>
        </>
      )}
    </main>
  );
}
