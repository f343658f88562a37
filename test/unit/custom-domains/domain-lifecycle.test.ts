import { describe, expect, it } from 'vitest';
import { nextStep } from '../../../shared/custom-domains/domain-lifecycle';

const policy = { suspendAfterDays: 3, releaseAfterDays: 14 };
const since = '2026-03-01T00:00:00.000Z';
const at = (days: number) => new Date(Date.parse(since) + days * 86_400_000);
const proven = { proven: true, routable: true };
const missing = { proven: false, routable: true };
const failed = { proven: undefined, routable: false };

describe('custom domain lifecycle', () => {
  it('verifies on the record, provisions once routable, activates once served', () => {
    expect(nextStep({ state: 'claimed' }, missing, at(0), policy)).toEqual({
      kind: 'wait',
      state: 'verifying',
    });
    expect(nextStep({ state: 'claimed' }, proven, at(0), policy)).toEqual({ kind: 'verify' });
    expect(nextStep({ state: 'verifying' }, proven, at(0), policy)).toEqual({ kind: 'verify' });
    expect(nextStep({ state: 'verified' }, { proven: true, routable: false }, at(0), policy)).toEqual({
      kind: 'wait',
      state: 'verified',
    });
    expect(nextStep({ state: 'verified' }, proven, at(0), policy)).toEqual({ kind: 'provision' });
    expect(nextStep({ state: 'verified' }, missing, at(0), policy)).toEqual({ kind: 'unverify' });
    expect(nextStep({ state: 'provisioning' }, { ...proven, servingReady: false }, at(0), policy)).toEqual({
      kind: 'wait',
      state: 'provisioning',
    });
    expect(nextStep({ state: 'provisioning' }, { ...proven, servingReady: true }, at(0), policy)).toEqual({
      kind: 'activate',
    });
  });

  it('puts a domain at risk, suspends it and releases it at the grace boundaries, not a second before', () => {
    expect(nextStep({ state: 'active' }, missing, at(0), policy)).toEqual({ kind: 'at_risk' });
    const atRisk = { state: 'at_risk' as const, missingSince: since };
    expect(nextStep(atRisk, missing, new Date(at(3).getTime() - 1), policy)).toEqual({
      kind: 'wait',
      state: 'at_risk',
    });
    expect(nextStep(atRisk, missing, at(3), policy)).toEqual({ kind: 'suspend' });
    const suspended = { state: 'suspended' as const, missingSince: since };
    expect(nextStep(suspended, missing, new Date(at(14).getTime() - 1), policy)).toEqual({
      kind: 'wait',
      state: 'suspended',
    });
    expect(nextStep(suspended, missing, at(14), policy)).toEqual({ kind: 'release' });
    expect(nextStep({ state: 'releasing' }, missing, at(15), policy)).toEqual({ kind: 'finish_release' });
  });

  it('restores a domain whose record came back, and moves nothing on a failed lookup', () => {
    expect(nextStep({ state: 'at_risk', missingSince: since }, proven, at(2), policy)).toEqual({
      kind: 'restore',
    });
    expect(nextStep({ state: 'suspended', missingSince: since }, proven, at(10), policy)).toEqual({
      kind: 'restore',
    });
    // A DNS outage is not a missing record: an active domain stays active, an at-risk one is not suspended.
    expect(nextStep({ state: 'active' }, failed, at(0), policy)).toEqual({ kind: 'wait', state: 'active' });
    expect(nextStep({ state: 'at_risk', missingSince: since }, failed, at(30), policy)).toEqual({
      kind: 'wait',
      state: 'at_risk',
    });
    expect(nextStep({ state: 'verified' }, failed, at(0), policy)).toEqual({
      kind: 'wait',
      state: 'verified',
    });
  });
});
