import { describe, expect, it } from 'vitest';
import type { Datapoint } from '../../../infra/local/metric-store';
import {
  evaluateAlarm,
  evaluateExpression,
  type AlarmProperties,
} from '../../../infra/tools/alarm-evaluation';

const now = Date.parse('2026-12-02T12:00:00.000Z');
const minute = 60_000;

function point(
  name: string,
  value: number,
  minutesAgo: number,
  dimensions: Record<string, string> = { service: 'tenantry' },
): Datapoint {
  return {
    namespace: 'Tenantry',
    name,
    dimensions,
    dimensionSets: [Object.keys(dimensions)],
    at: now - minutesAgo * minute,
    value,
  };
}

const single = (overrides: Partial<AlarmProperties>): AlarmProperties => ({
  Namespace: 'Tenantry',
  MetricName: 'ProblemResponses',
  Dimensions: [
    { Name: 'service', Value: 'tenantry' },
    { Name: 'code', Value: 'tenant_mismatch' },
  ],
  Statistic: 'Sum',
  Period: 300,
  Threshold: 20,
  ComparisonOperator: 'GreaterThanThreshold',
  EvaluationPeriods: 1,
  TreatMissingData: 'notBreaching',
  ...overrides,
});

describe('metric math as the twin evaluates it', () => {
  it('adds, divides, takes MAX of a list, and leaves a period missing where an operand is, unless FILLed', () => {
    expect(evaluateExpression('100 * errors / MAX([requests, 1])', { errors: 3, requests: 200 })).toBe(1.5);
    expect(evaluateExpression('100 * errors / MAX([requests, 1])', { errors: 0, requests: 0 })).toBe(0);
    expect(evaluateExpression('a + b', { a: 4, b: null })).toBeNull();
    expect(evaluateExpression('FILL(a, 0) + FILL(b, 0)', { a: 4, b: null })).toBe(4);
    expect(evaluateExpression('IF(total > 1000, 100 * top / total, 0)', { total: 2000, top: 1500 })).toBe(75);
    expect(evaluateExpression('IF(total > 1000, 100 * top / total, 0)', { total: 10, top: 10 })).toBe(0);
    expect(() => evaluateExpression('a + ', { a: 1 })).toThrow();
  });
});

describe('an alarm evaluated on the twin’s datapoints', () => {
  it('fires when the period’s sum passes the threshold, on the exact dimension set only', () => {
    const burst = Array.from({ length: 21 }, (_, i) =>
      point('ProblemResponses', 1, 1 + (i % 3), { service: 'tenantry', code: 'tenant_mismatch' }),
    );
    expect(evaluateAlarm('TenantMismatchBurst', single({}), burst, now).state).toBe('ALARM');
    // Positive control beside it: 20 is not more than 20.
    expect(evaluateAlarm('TenantMismatchBurst', single({}), burst.slice(1), now).state).toBe('OK');
    // Another code, or the same metric under another dimension set, is another metric.
    const otherCode = burst.map((p) => ({
      ...p,
      dimensions: { ...p.dimensions, code: 'permission_denied' },
    }));
    expect(evaluateAlarm('TenantMismatchBurst', single({}), otherCode, now).state).toBe('OK');
    const otherSet = burst.map((p) => ({ ...p, dimensionSets: [['service', 'code', 'route']] }));
    expect(evaluateAlarm('TenantMismatchBurst', single({}), otherSet, now).state).toBe('OK');
    // Older than the period: not counted.
    const old = burst.map((p) => ({ ...p, at: p.at - 10 * minute }));
    expect(evaluateAlarm('TenantMismatchBurst', single({}), old, now).state).toBe('OK');
  });

  it('treats a missing heartbeat as breaching where the alarm says so, and needs every period', () => {
    const late = single({
      MetricName: 'JobRuns',
      Dimensions: [
        { Name: 'service', Value: 'tenantry' },
        { Name: 'job', Value: 'billing-outbox' },
      ],
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      EvaluationPeriods: 2,
      TreatMissingData: 'breaching',
    });
    expect(evaluateAlarm('BillingOutboxLate', late, [], now).state).toBe('ALARM');
    const beat = point('JobRuns', 1, 2, { service: 'tenantry', job: 'billing-outbox' });
    expect(evaluateAlarm('BillingOutboxLate', late, [beat], now).state).toBe('OK');
    // Missing data not breaching, and no data at all: insufficient, not OK.
    expect(evaluateAlarm('X', single({ TreatMissingData: 'missing' }), [], now).state).toBe(
      'INSUFFICIENT_DATA',
    );
  });

  it('takes a percentile, and matches a dimension the template gives as a reference to any value', () => {
    const latency: AlarmProperties = {
      Namespace: 'AWS/ApiGateway',
      MetricName: 'Latency',
      Dimensions: [{ Name: 'ApiId', Value: { Ref: 'HttpApi' } }],
      ExtendedStatistic: 'p99',
      Period: 300,
      Threshold: 3000,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 1,
    };
    const points = Array.from({ length: 100 }, (_, i) => ({
      ...point('Latency', i < 98 ? 100 : 5000, 1, { ApiId: 'local' }),
      namespace: 'AWS/ApiGateway',
    }));
    expect(evaluateAlarm('ApiLatencyP99', latency, points, now).values).toEqual([5000]);
    expect(evaluateAlarm('ApiLatencyP99', latency, points, now).state).toBe('ALARM');
    expect(evaluateAlarm('ApiLatencyP99', latency, points.slice(0, 98), now).state).toBe('OK');
  });

  it('says which alarms read metrics the twin has no stand-in for', () => {
    const lambda = single({ Namespace: 'AWS/Lambda', MetricName: 'Errors', Dimensions: [] });
    expect(evaluateAlarm('WorkerErrors', lambda, [], now)).toMatchObject({
      state: 'NOT_ON_TWIN',
      why: expect.stringContaining('AWS/Lambda'),
    });
  });
});
