import { describe, expect, it } from 'vitest';
import { platformDocumentClient } from '../../shared/data/clients';
import { RouteStatsEntity } from '../../shared/data/entities/route-stats';
import { TenantEntity } from '../../shared/data/entities/tenant';
import { WebhookEndpointEntity } from '../../shared/data/entities/webhook-endpoint';
import { forgetTenant } from '../../shared/data/cached-records';
import { runOperatorFigures } from '../../shared/operations/operator-figures';
import { writeRouteStats } from '../../shared/operations/route-stats';
import { addUser, adminToken, call, createTenant, type TestTenant } from '../helpers/twin-api';

interface RouteLine {
  route: string;
  requests: number;
  clientErrors: number;
  throttled: number;
  serverErrors: number;
  meanMs: number;
  p99Ms: number;
  maxMs: number;
  series: Array<{ start: string; requests: number }>;
}
interface RouteReport {
  countedUntil: string | null;
  total: { requests: number; clientErrors: number; throttled: number };
  routes: RouteLine[];
}
interface Health {
  status: 'healthy' | 'warning' | 'critical';
  reasons: Array<{ code: string; severity: string; summary: string; detail: Record<string, unknown> }>;
  traffic: { requests: number; throttled: number; countedUntil: string | null };
}

const routesOf = (tenant: TestTenant, token = tenant.owner.token, query = '') =>
  call<RouteReport>('GET', `/v1/tenants/${tenant.id}/usage/routes${query}`, { token });
const healthOf = async (tenant: TestTenant, token?: string) =>
  call<Health>('GET', `/v1/tenants/${tenant.id}/health`, { token: token ?? (await adminToken()) });
const line = (report: RouteReport, route: string) => report.routes.find((entry) => entry.route === route);

describe('per-tenant traffic by route, counted by the operator figures job from the cost lines', () => {
  it('counts each request of the tenant once, by route and outcome, and nothing of another tenant', async () => {
    const [tenant, other] = await Promise.all([createTenant(), createTenant()]);
    for (let i = 0; i < 7; i += 1) {
      const listed = await call('GET', `/v1/tenants/${tenant.id}/agents`, { token: tenant.owner.token });
      expect(listed.status).toBe(200);
    }
    for (let i = 0; i < 3; i += 1) {
      const refused = await call('POST', `/v1/tenants/${tenant.id}/agents`, {
        token: tenant.owner.token,
        body: { name: '' },
      });
      expect(refused.status).toBe(400);
    }
    await call('GET', `/v1/tenants/${other.id}/agents`, { token: other.owner.token });
    // The tenant's owner knocking on the other tenant's door: refused, and the other's figures never
    // count it (a request is a tenant's once admission granted access to it).
    for (let i = 0; i < 4; i += 1) {
      const refused = await call('GET', `/v1/tenants/${other.id}/agents`, { token: tenant.owner.token });
      expect(refused.status).toBe(403);
    }

    // Before the job has counted, the report says so: nothing counted for the tenant yet.
    const before = await routesOf(tenant);
    expect(before.status, before.text).toBe(200);
    expect(line(before.body, 'agents.list')).toBeUndefined();

    const run = await runOperatorFigures(new Date());
    expect(run.hours.length).toBe(2);
    const after = await routesOf(tenant);
    expect(after.status, after.text).toBe(200);
    expect(line(after.body, 'agents.list')).toMatchObject({ requests: 7, clientErrors: 0, serverErrors: 0 });
    expect(line(after.body, 'agents.create')).toMatchObject({ requests: 3, clientErrors: 3, throttled: 0 });
    const listed = line(after.body, 'agents.list') as RouteLine;
    expect(listed.maxMs).toBeGreaterThanOrEqual(listed.p99Ms);
    expect(listed.series.reduce((sum, point) => sum + point.requests, 0)).toBe(7);
    expect(after.body.countedUntil).not.toBeNull();
    // The report's total is its routes' sum.
    expect(after.body.total.requests).toBe(after.body.routes.reduce((sum, entry) => sum + entry.requests, 0));
    // The other tenant's request is in its own report only.
    const others = await routesOf(other);
    expect(line(others.body, 'agents.list')?.requests).toBe(1);

    // Counting again changes nothing: the hour is replaced, not added to.
    await runOperatorFigures(new Date());
    const again = await routesOf(tenant);
    expect(line(again.body, 'agents.list')?.requests).toBe(7);
    expect(line(again.body, 'agents.create')?.requests).toBe(3);
  });

  it('keeps the picture counted furthest when runs finish out of order', async () => {
    const tenant = await createTenant();
    const hour = new Date();
    hour.setUTCMinutes(0, 0, 0);
    const figures = (requests: number) => ({
      tenantId: tenant.id,
      route: 'agents.list',
      requests,
      clientErrors: 0,
      throttled: 0,
      serverErrors: 0,
      meanMs: 10,
      p99Ms: 20,
      maxMs: 30,
      readUnits: 1,
      writeUnits: 0,
    });
    await writeRouteStats(hour, new Date(hour.getTime() + 20 * 60_000), [figures(12)]);
    // An earlier run's picture (counted to minute 10) lands last: it does not replace the later one.
    await writeRouteStats(hour, new Date(hour.getTime() + 10 * 60_000), [figures(5)]);
    const stored = await RouteStatsEntity.get({
      tenantId: tenant.id,
      hour: hour.toISOString().slice(0, 13),
    }).go({
      client: platformDocumentClient,
    });
    expect(stored.data?.routes[0]?.requests).toBe(12);
  });

  it('refuses a bad range with a problem and reads nothing', async () => {
    const tenant = await createTenant();
    const reversed = await routesOf(tenant, tenant.owner.token, '?from=2026-02-02&to=2026-02-01');
    expect(reversed.status).toBe(400);
    expect(reversed.headers.get('content-type')).toContain('application/problem+json');
    const long = await routesOf(tenant, tenant.owner.token, '?from=2026-01-01&to=2026-03-01');
    expect(long.status).toBe(400);
    expect((long.body as unknown as { code: string }).code).toBe('range_too_long');
    const granularity = await routesOf(tenant, tenant.owner.token, '?granularity=month');
    expect(granularity.status).toBe(400);
    // The rightful request beside them.
    expect((await routesOf(tenant, tenant.owner.token, '?granularity=day')).status).toBe(200);
  });
});

describe('tenant health, computed by the API', () => {
  it('is healthy for a quiet tenant; owners and admins read it, members and other tenants do not', async () => {
    const [tenant, other] = await Promise.all([createTenant(), createTenant()]);
    const [admin, member] = await Promise.all([addUser(tenant, 'admin'), addUser(tenant, 'member')]);
    const owner = await healthOf(tenant, tenant.owner.token);
    expect(owner.status, owner.text).toBe(200);
    expect(owner.body).toMatchObject({ status: 'healthy', reasons: [] });
    expect((await healthOf(tenant, admin.token)).status).toBe(200);
    const refused = await healthOf(tenant, member.token);
    expect(refused.status).toBe(403);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    const stranger = await healthOf(tenant, other.owner.token);
    expect(stranger.status).toBe(403);
    expect((await healthOf(other, other.owner.token)).status).toBe(200);
  });

  it('names each reason: throttling seen in the traffic, a disabled webhook endpoint, a quota used up', async () => {
    const tenant = await createTenant({
      plan: 'professional',
      limitOverrides: { requestsPerMinute: 5, agents: 1 },
    });
    const created = await call('POST', `/v1/tenants/${tenant.id}/agents`, {
      token: tenant.owner.token,
      body: { name: 'The only one', model: 'gpt-4o' },
    });
    expect(created.status, created.text).toBe(201);
    const answers: number[] = [];
    for (let i = 0; i < 25; i += 1)
      answers.push(
        (await call('GET', `/v1/tenants/${tenant.id}/agents`, { token: tenant.owner.token })).status,
      );
    const throttled = answers.filter((status) => status === 429).length;
    expect(throttled).toBeGreaterThan(15);
    const endpoint = await call<{ id: string }>('POST', `/v1/tenants/${tenant.id}/webhooks`, {
      token: await adminToken(),
      body: { url: 'http://127.0.0.1:9/hooks', events: ['tenant.reactivated'] },
    });
    expect(endpoint.status, endpoint.text).toBe(201);
    await WebhookEndpointEntity.patch({ tenantId: tenant.id, endpointId: endpoint.body.id })
      .set({ status: 'disabled', disabledReason: '15 failed deliveries in a row' })
      .go({ client: platformDocumentClient, response: 'none' });

    // Before the traffic is counted, only what is stored speaks.
    const early = await healthOf(tenant);
    expect(early.status, early.text).toBe(200);
    expect(early.body.reasons.map((reason) => reason.code).sort()).toEqual([
      'quota_exhausted',
      'webhook_endpoint_disabled',
    ]);
    expect(early.body.status).toBe('critical');

    await runOperatorFigures(new Date());
    const health = await healthOf(tenant);
    expect(health.body.status).toBe('critical');
    const throttling = health.body.reasons.find((reason) => reason.code === 'throttling');
    expect(throttling?.severity).toBe('critical');
    expect(health.body.traffic.throttled).toBe(throttled);
    expect(health.body.traffic.requests).toBeGreaterThanOrEqual(answers.length + 1);
    expect(health.body.reasons.find((reason) => reason.code === 'quota_exhausted')?.detail).toMatchObject({
      resource: 'agents',
      used: 1,
      limit: 1,
    });
  });

  it('says a suspended tenant and a failed payment are critical', async () => {
    const tenant = await createTenant();
    const suspended = await call('POST', `/v1/tenants/${tenant.id}/suspend`, {
      token: await adminToken(),
      body: { reason: 'Unpaid invoices' },
    });
    expect(suspended.status, suspended.text).toBe(200);
    await TenantEntity.patch({ tenantId: tenant.id })
      .set({
        subscriptionStatus: 'unpaid',
        pastDueSince: new Date(Date.now() - 9 * 86_400_000).toISOString(),
      })
      .go({ client: platformDocumentClient, response: 'none' });
    forgetTenant(tenant.id);
    const health = await healthOf(tenant);
    expect(health.status, health.text).toBe(200);
    expect(health.body.status).toBe('critical');
    expect(health.body.reasons.map((reason) => [reason.code, reason.severity])).toEqual(
      expect.arrayContaining([
        ['suspended', 'critical'],
        ['payment_failed', 'critical'],
      ]),
    );
  });
});

describe('platform figures', () => {
  it('are computed by the job and readable by platform admins only', async () => {
    const tenant = await createTenant();
    await call('GET', `/v1/tenants/${tenant.id}/agents`, { token: tenant.owner.token });
    const run = await runOperatorFigures(new Date());
    const response = await call<{
      computedAt: string;
      tenants: { total: number; byPlan: Record<string, number>; byStatus: Record<string, number> };
      activeTenants: { days7: number; days30: number };
      revenue: { mrrUsd: number; byPlan: Record<string, { subscriptions: number; mrrUsd: number }> };
      noisiest: Array<{ tenantId: string; requests: number }>;
      lowestMargin: Array<{ marginUsd: number }>;
    }>('GET', '/v1/platform/metrics', { token: await adminToken() });
    expect(response.status, response.text).toBe(200);
    const figures = response.body;
    // This run's figures or a later run's (suites run side by side).
    expect(Date.parse(figures.computedAt)).toBeGreaterThanOrEqual(Date.parse(run.metrics.computedAt));
    const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
    expect(sum(figures.tenants.byPlan)).toBe(figures.tenants.total);
    expect(sum(figures.tenants.byStatus)).toBe(figures.tenants.total);
    expect(figures.activeTenants.days7).toBeGreaterThanOrEqual(1);
    expect(figures.activeTenants.days30).toBeGreaterThanOrEqual(figures.activeTenants.days7);
    expect(figures.revenue.mrrUsd).toBeCloseTo(
      Object.values(figures.revenue.byPlan).reduce((total, plan) => total + plan.mrrUsd, 0),
      2,
    );
    const margins = figures.lowestMargin.map((entry) => entry.marginUsd);
    expect(margins).toEqual([...margins].sort((a, b) => a - b));

    const refused = await call('GET', '/v1/platform/metrics', { token: tenant.owner.token });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
  });
});
