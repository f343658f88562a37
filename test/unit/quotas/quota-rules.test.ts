import { describe, expect, it } from 'vitest';
import {
  monthPeriod,
  hourBucket,
  minuteOf,
  previousMonthPeriod,
  startOfNextMonth,
} from '../../../shared/quotas/periods';
import { QuotaExceededError } from '../../../shared/quotas/quota-exceeded-error';
import { crossedThresholds } from '../../../shared/quotas/thresholds';
import { effectiveLimits, enforcedCeiling, nextPlan, PLANS } from '../../../shared/model/plans';

describe('plans', () => {
  it('applies tenant overrides over the plan, null meaning unlimited', () => {
    const limits = effectiveLimits('free', { agents: 5, runs: null });
    expect(limits).toMatchObject({ agents: 5, runs: null, users: PLANS.free.limits.users });
  });

  it('adds the grace overage to periodic ceilings only', () => {
    expect(enforcedCeiling('starter', 'runs', 2_000)).toBe(2_200);
    expect(enforcedCeiling('starter', 'agents', 10)).toBe(10);
    expect(enforcedCeiling('enterprise', 'runs', null)).toBeNull();
  });

  it('names the next plan up for an upgrade', () => {
    expect(nextPlan('free')).toBe('starter');
    expect(nextPlan('enterprise')).toBeNull();
  });
});

describe('periods (UTC)', () => {
  it('keys a month, an hour and a minute', () => {
    const at = new Date('2026-02-28T23:59:59.999Z');
    expect(monthPeriod(at)).toBe('2026-02');
    expect(hourBucket(at)).toBe('2026-02-28T23');
    expect(minuteOf(at)).toBe('2026-02-28T23:59');
    expect(monthPeriod(new Date('2026-03-01T00:00:00.000Z'))).toBe('2026-03');
  });

  it('finds the next and the previous month across a year', () => {
    expect(startOfNextMonth(new Date('2026-12-31T12:00:00Z')).toISOString()).toBe('2027-01-01T00:00:00.000Z');
    expect(previousMonthPeriod(new Date('2027-01-01T00:00:00Z'))).toBe('2026-12');
  });
});

describe('thresholds', () => {
  it('reports each threshold a change steps over, once', () => {
    expect(crossedThresholds(15, 16, 20, [80, 90, 95])).toEqual([80]);
    expect(crossedThresholds(16, 17, 20, [80, 90, 95])).toEqual([]);
    expect(crossedThresholds(10, 20, 20, [80, 90, 95])).toEqual([80, 90, 95]);
    expect(crossedThresholds(18.9, 19, 20, [80, 90, 95])).toEqual([95]);
  });

  it('reports nothing without a positive limit', () => {
    expect(crossedThresholds(0, 5, 0, [80])).toEqual([]);
  });
});

describe('QuotaExceededError', () => {
  it('is a 429 with Retry-After for a periodic resource, naming the upgrade', () => {
    const error = new QuotaExceededError({
      resource: 'runs',
      limit: 100,
      used: 100,
      period: '2026-11',
      plan: 'free',
      retryAfterSeconds: 3600,
    });
    expect(error.statusCode).toBe(429);
    expect(error.headers).toEqual({ 'Retry-After': '3600' });
    expect(error.extensions).toMatchObject({
      resource: 'runs',
      limit: 100,
      used: 100,
      upgrade: { plan: 'starter', limit: 2_000 },
    });
  });

  it('is a 403 for a counted resource', () => {
    const error = new QuotaExceededError({
      resource: 'agents',
      limit: 2,
      used: 2,
      period: 'ALL',
      plan: 'free',
    });
    expect(error.statusCode).toBe(403);
    expect(error.code).toBe('quota_exceeded');
  });
});
