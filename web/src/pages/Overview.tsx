import { Link } from 'react-router';
import { must } from '../api/client';
import { useSession } from '../auth/session';
import { useTenant } from '../context';
import { fillSeries, QuotaBar, UsageChart } from '../ui/charts';
import { useLoad } from '../ui/load';
import { ErrorBox, formatDate, Loading } from '../ui/parts';

const USAGE_RESOURCES = [
  ['runs', 'Runs'],
  ['tokens', 'Tokens'],
  ['apiCalls', 'API calls'],
] as const;

function hoursAgo(hours: number): string {
  const at = new Date(Date.now() - hours * 3_600_000);
  at.setUTCMinutes(0, 0, 0);
  return at.toISOString();
}

/**
 * Plan, status, health, quota bars and usage by hour (last 24 hours) and by day (last 30 days). A
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
  const { tenant, tenantId } = useTenant();
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
  const over = lines.filter((line) => line.percent !== null && line.percent >= 100);
  const near = lines.filter(
    (line) => line.percent !== null && line.percent < 100 && line.percent >= (thresholds[0] ?? 80),
  );
  const health =
    tenant.status !== 'active'
      ? { level: 'bad', text: `The tenant is ${tenant.status}.` }
      : over.length
        ? { level: 'bad', text: `At or over the limit: ${over.map((line) => line.resource).join(', ')}.` }
        : near.length
          ? { level: 'warn', text: `Nearing the limit: ${near.map((line) => line.resource).join(', ')}.` }
          : { level: 'good', text: 'All quotas are within their limits.' };

  return (
    <>
      <h1>Overview</h1>
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
        <div className="card" data-health={health.level}>
          <h2>Health</h2>
          <p className="big">
            {health.level === 'good' ? 'Healthy' : health.level === 'warn' ? 'Attention' : 'Action needed'}
          </p>
          <p className="muted">{health.text}</p>
        </div>
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
                onClick={() => (quotas.reload(), hourly.reload(), daily.reload())}
              >
                Refresh
              </button>
            </p>
            <div className="quotas">
              {lines.map((line) => (
                <QuotaBar key={line.resource} line={line} thresholds={thresholds} />
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
    </>
  );
}
