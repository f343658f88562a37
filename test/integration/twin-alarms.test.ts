import { describe, expect, it } from 'vitest';
import { readDatapoints } from '../../infra/local/metric-store';
import { evaluateTwinAlarms } from '../../infra/tools/alarms';
import { call, createTenant, twin } from '../helpers/twin-api';

describe('the twin keeps the metrics the functions publish, and says which alarms would fire', () => {
  it('fires TenantMismatchBurst after a burst of requests naming another tenant, from the stack’s own alarm', async () => {
    const [tenant, stranger] = await Promise.all([createTenant(), createTenant()]);
    const since = Date.now();
    for (let i = 0; i < 25; i += 1) {
      const refused = await call('GET', `/v1/tenants/${tenant.id}/agents`, { token: stranger.owner.token });
      expect(refused.status).toBe(403);
    }
    const points = readDatapoints(twin.metricsDir, since);
    // The functions' EMF (Powertools, by problem code) and API Gateway's own, as CloudWatch keeps them.
    const mismatches = points.filter(
      (point) =>
        point.namespace === 'Tenantry' &&
        point.name === 'ProblemResponses' &&
        point.dimensions.code === 'tenant_mismatch',
    );
    expect(mismatches.length).toBeGreaterThanOrEqual(25);
    expect(mismatches[0]?.dimensionSets).toEqual([['service', 'code']]);
    expect(
      points.filter(
        (point) => point.namespace === 'AWS/ApiGateway' && point.name === '4xx' && point.value === 1,
      ).length,
    ).toBeGreaterThanOrEqual(25);

    const verdicts = evaluateTwinAlarms(twin.metricsDir);
    const verdict = (name: string) => verdicts.find((entry) => entry.name === name);
    expect(verdict('AlarmsTenantMismatchBurst')).toMatchObject({ state: 'ALARM' });
    // Positive control: an alarm the twin evaluates whose cause is absent here (no outbox backlog).
    expect(verdict('AlarmsBillingOutboxBacklogAge')?.state).toBe('OK');
    // What the twin cannot see is said, not guessed.
    expect(verdict('AlarmsTableThrottles')?.state).toBe('NOT_ON_TWIN');
    expect(verdicts.length).toBeGreaterThanOrEqual(20);
  });
});
