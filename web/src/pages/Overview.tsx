import { useState } from 'react';
import { Link } from 'react-router';
import { must } from '../api/client';
import { useSession } from '../auth/session';
import { useTenant } from '../context';
import { amount, fillSeries, METERED_NAMES, QuotaBar, RESOURCE_NAMES, UsageChart } from '../ui/charts';
import { COUNTED_RESOURCES, PLANS } from '../../../shared/model/plans';
import { useLoad } from '../ui/load';
import { DataTable, ErrorBox, formatDate, formatNumber, Loading, numberColumns } from '../ui/parts';

const COUNTED = new Set<string>(COUNTED_RESOURCES);

const USAGE_RESOURCES: ReadonlyArray<readonly [string, string]> = [
  ['runs', 'Runs'],
  ['apiCalls', 'API calls'],
  ...Object.entries(METERED_NAMES),
];

function hoursAgo(hours: number): string {
  const at = new Date(Date.now() - hours * 3_600_000);
  at.setUTCMinutes(0, 0, 0);
  return at.toISOString();
}

/**
 * Plan, status, health (owners and admins: computed by the API), quota bars and usage by hour (last 24 hours) and by day (last 30 days). A
 * deleted tenant's use is no longer served: its page says where to restore it.
 */
export function Overview() {
  const { tenant, tenantId, can } = useTenant();
  if (tenant.status !== 'deleted') return <LiveOverview />;
  return (
    <>
      <h1>Overview</h1>
      <p>
        This tenant was deleted on {formatDate(tenant.deletedAt)} and is erased after{' '}
        {formatDate(tenant.purgeAfter)}.{' '}
        {can('tenant:delete') ? (
          <Link to={`/t/${tenantId}/data`}>Restore it or export its data</Link>
        ) : (
          'An owner can restore it until then.'
        )}
      </p>
    </>
  );
}

function LiveOverview() {
  const { api } = useSession();
  const { tenant, tenantId, can } = useTenant();
  const [refreshed, setRefreshed] = useState(0);
  const path = { tenantId };
  const quotas = useLoad(
    () => must(api.GET('/v1/tenants/{tenantId}/quotas', { params: { path } })),
    [api, tenantId],
  );
  const hourly = useLoad(
    () =>
      must(
        api.GET('/v1/tenants/{tenantId}/usage', {
          params: { path, query: { granularity: 'hour', from: hoursAgo(23), to: new Date().toISOString() } },
        }),
      ),
    [api, tenantId],
  );
  const daily = useLoad(
    () =>
      must(
        api.GET('/v1/tenants/{tenantId}/usage', {
          params: {
            path,
            query: {
              granularity: 'day',
              from: new Date(Date.now() - 29 * 86_400_000).toISOString().slice(0, 10),
              to: new Date().toISOString(),
            },
          },
        }),
      ),
    [api, tenantId],
  );

  const lines = quotas.data?.quotas ?? [];
  const thresholds = quotas.data?.thresholds ?? [];
  // Standing totals past their limit (after a smaller plan, or a restore on Free): said, not hidden.
  const above = lines.filter(
    (line) => COUNTED.has(line.resource) && line.limit !== null && line.used > line.limit,
  );

  return (
    <>
      <h1>Overview</h1>
      {above.length > 0 && (
        <div className="banner banner-suspended" role="status" data-testid="above-limits">
          <strong>Above the {PLANS[tenant.plan].name} plan’s limits:</strong>{' '}
          {above
            .map(
              (line) =>
                `${amount(line.resource, line.used)} of ${amount(line.resource, line.limit)} ${(RESOURCE_NAMES[line.resource] ?? line.resource).toLowerCase()}`,
            )
            .join(', ')}
          . What exists keeps working; nothing new past a limit is allowed until you remove some or move to a
          larger plan.{' '}
          {can('billing:manage') ? (
            <Link to={`/t/${tenantId}/billing`}>Billing</Link>
          ) : (
            'An owner can change the plan.'
          )}
        </div>
      )}
      <section className="cards" aria-label="Summary">
        <div className="card">
          <h2>Plan</h2>
          <p className="big capitalize">{tenant.plan}</p>
          {tenant.trialEndsAt && <p className="muted">Trial until {formatDate(tenant.trialEndsAt)}</p>}
        </div>
        <div className="card">
          <h2>Status</h2>
          <p className="big capitalize" data-testid="tenant-status">
            {tenant.status}
          </p>
          <p className="muted">Record updated {formatDate(tenant.updatedAt)}</p>
        </div>
        {can('tenant:health') && <HealthCard refreshed={refreshed} />}
      </section>

      <section aria-labelledby="quotas-heading">
        <h2 id="quotas-heading">
          Quotas {quotas.data && <span className="muted">({quotas.data.period})</span>}
        </h2>
        <ErrorBox error={quotas.error} />
        {quotas.loading && !quotas.data && <Loading />}
        {quotas.data && (
          <>
            <p className="muted">
              Marks at {thresholds.map((mark) => `${mark} %`).join(', ')}: the owners are emailed as use
              passes each.{' '}
              <button
                type="button"
                className="link"
                onClick={() => (quotas.reload(), hourly.reload(), daily.reload(), setRefreshed((n) => n + 1))}
              >
                Refresh
              </button>
            </p>
            <div className="quotas">
              {lines.map((line) => (
                <QuotaBar
                  key={line.resource}
                  line={line}
                  thresholds={thresholds}
                  upgrade={
                    can('billing:manage')
                      ? { href: `/t/${tenantId}/billing` }
                      : { ask: 'An owner can move the tenant to a larger plan.' }
                  }
                />
              ))}
            </div>
          </>
        )}
      </section>

      <section aria-labelledby="usage-heading">
        <h2 id="usage-heading">Usage</h2>
        <ErrorBox error={hourly.error ?? daily.error} />
        {(hourly.loading || daily.loading) && !hourly.data && <Loading />}
        <div className="charts">
          {USAGE_RESOURCES.map(([resource, name]) => (
            <div key={resource} className="chart-pair">
              {hourly.data && (
                <UsageChart
                  title={`${name} by hour, last 24 hours`}
                  granularity="hour"
                  series={fillSeries(
                    hourly.data.resources[resource]?.series ?? [],
                    hourly.data.from,
                    hourly.data.to,
                    'hour',
                  )}
                />
              )}
              {daily.data && (
                <UsageChart
                  title={`${name} by day, last 30 days`}
                  granularity="day"
                  series={fillSeries(
                    daily.data.resources[resource]?.series ?? [],
                    daily.data.from,
                    daily.data.to,
                    'day',
                  )}
                />
              )}
            </div>
          ))}
        </div>
      </section>

      <RouteTraffic refreshed={refreshed} />
    </>
  );
}

const HEALTH_WORDS = { healthy: 'Healthy', warning: 'Attention', critical: 'Action needed' } as const;
const HEALTH_LEVEL = { healthy: 'good', warning: 'warn', critical: 'bad' } as const;

/** The tenant's health as the API computes it, with each reason (owners and admins). */
function HealthCard({ refreshed }: { refreshed: number }) {
  const { api } = useSession();
  const { tenantId } = useTenant();
  const health = useLoad(
    () => must(api.GET('/v1/tenants/{tenantId}/health', { params: { path: { tenantId } } })),
    [api, tenantId, refreshed],
  );
  const data = health.data;
  return (
    <div className="card" data-health={data ? HEALTH_LEVEL[data.status] : undefined} data-testid="health">
      <h2>Health</h2>
      <ErrorBox error={health.error} />
      {!data && !health.error && <Loading />}
      {data && (
        <>
          <p className="big">{HEALTH_WORDS[data.status]}</p>
          {data.reasons.length === 0 ? (
            <p className="muted">
              Nothing needs attention: status, payment, quotas, traffic and webhooks are fine.
            </p>
          ) : (
            <ul className="reasons">
              {data.reasons.map((reason, index) => (
                <li key={index} data-severity={reason.severity}>
                  {reason.summary}
                </li>
              ))}
            </ul>
          )}
          <p className="muted">
            {data.traffic.countedUntil
              ? `Traffic counted until ${formatDate(data.traffic.countedUntil)}: ${formatNumber(data.traffic.requests)} requests since ${formatDate(data.traffic.from)}.`
              : 'No traffic counted in the last hours yet.'}
          </p>
        </>
      )}
    </div>
  );
}

/** The tenant's requests of the last 24 hours by route: outcome and latency. */
function RouteTraffic({ refreshed }: { refreshed: number }) {
  const { api } = useSession();
  const { tenantId } = useTenant();
  const report = useLoad(
    () => must(api.GET('/v1/tenants/{tenantId}/usage/routes', { params: { path: { tenantId } } })),
    [api, tenantId, refreshed],
  );
  const routes = report.data?.routes ?? [];
  return (
    <section aria-labelledby="routes-heading">
      <h2 id="routes-heading">Requests by route, last 24 hours</h2>
      <ErrorBox error={report.error} />
      {report.loading && !report.data && <Loading />}
      {report.data && (
        <>
          <p className="muted">
            {report.data.countedUntil
              ? `Counted until ${formatDate(report.data.countedUntil)} from each request’s log line; newer requests appear at the next count.`
              : 'No request has been counted yet: counts appear within minutes of the first requests.'}
          </p>
          {routes.length > 0 && (
            <DataTable
              caption="Requests by route"
              columns={[
                'Operation',
                ...numberColumns(
                  'Requests',
                  'Refused (4xx)',
                  'Throttled (429)',
                  'Failed (5xx)',
                  'p99 latency',
                ),
              ]}
            >
              {routes.map((route) => (
                <tr key={route.route}>
                  <th scope="row">
                    <code>{route.route}</code>
                  </th>
                  <td className="number">{formatNumber(route.requests)}</td>
                  <td className="number">{formatNumber(route.clientErrors)}</td>
                  <td className="number">{formatNumber(route.throttled)}</td>
                  <td className="number">{formatNumber(route.serverErrors)}</td>
                  <td className="number">{formatNumber(route.p99Ms)} ms</td>
                </tr>
              ))}
            </DataTable>
          )}
        </>
      )}
    </section>
  );
}
