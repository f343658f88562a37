import { describe, expect, it } from 'vitest';
import { EVENT_CATALOGUE, EVENT_TYPES, inWords, type EventData } from '../../../shared/events/catalogue';
import { EVENT_TYPE_NAMES } from '../../../shared/model/event-types';

describe('the event catalogue', () => {
  it('describes exactly the event types webhooks may subscribe to', () => {
    expect([...EVENT_TYPES].sort()).toEqual([...EVENT_TYPE_NAMES].sort());
  });

  it('words every event for its audience, branded by the tenant', () => {
    const tenant = { name: 'Acme', slug: 'acme' };
    // Typed by event: a new event does not compile here until it has a sample.
    const samples: { [T in keyof EventData]: EventData[T] } = {
      'quota.threshold_crossed': {
        resource: 'runs',
        period: '2026-11',
        threshold: 80,
        used: 8,
        limit: 10,
        plan: 'starter',
      },
      'quota.overage_started': {
        resource: 'toolCalls',
        period: '2026-11',
        used: 101,
        limit: 100,
        plan: 'professional',
        policy: 'suspend',
        endsAt: '2026-11-20T14:03:00.000Z',
      },
      'tenant.suspended': { reason: 'Abuse', runsCancelled: 2 },
      'tenant.reactivated': {},
      'tenant.deleted': { purgeAfter: '2026-12-23T00:00:00.000Z' },
      'tenant.restored': { status: 'active' },
      'billing.payment_failed': { subscriptionId: 'sub_1', graceDays: 7 },
      'billing.trial_ending': { trialEndsAt: '2026-12-01T00:00:00.000Z', plan: 'starter', thenPlan: 'free' },
      'export.completed': { exportId: 'exp_1', itemCount: 3, bytes: 100 },
      'user.invited': { email: 'a@b.test', role: 'admin', invitedBy: 'o@b.test', newAccount: false },
      'webhook.endpoint_disabled': { endpointId: 'whk_1', url: 'https://x.test', failures: 15 },
      'domain.activated': { domain: 'app.acme.test' },
      'domain.at_risk': {
        domain: 'app.acme.test',
        recordName: '_c.app.acme.test',
        suspendAt: '2026-12-05T00:00:00Z',
      },
      'domain.suspended': {
        domain: 'app.acme.test',
        recordName: '_c.app.acme.test',
        releaseAt: '2026-12-16T00:00:00Z',
      },
      'delegation.requested': {
        delegationId: 'dlg_1',
        partnerName: 'Acme MSP',
        role: 'admin',
        durationDays: 30,
        requestedBy: 'x@msp.test',
      },
      'delegation.approved': {
        delegationId: 'dlg_1',
        childId: 'ten_1',
        childName: 'Initech',
        role: 'viewer',
        expiresAt: '2027-01-01T00:00:00Z',
      },
      'delegation.ended': {
        delegationId: 'dlg_1',
        partnerName: 'Acme MSP',
        childName: 'Initech',
        status: 'declined',
        endedBy: 'owner@initech.test',
      },
    };
    for (const type of EVENT_TYPES) {
      const notice = (
        EVENT_CATALOGUE[type].notice as (
          data: unknown,
          t: typeof tenant,
        ) => { subject: string; paragraphs: string[] }
      )(samples[type], tenant);
      expect(notice.subject.length, type).toBeGreaterThan(5);
      expect(notice.paragraphs.join(' '), type).not.toContain('undefined');
    }
  });

  it('writes numbers in emails as people read them: separators, units, months and plan names', () => {
    const tenant = { name: 'Acme', slug: 'acme' };
    const tokens = EVENT_CATALOGUE['quota.threshold_crossed'].notice(
      {
        resource: 'tokens',
        period: '2026-12',
        threshold: 90,
        used: 18_000_000,
        limit: 20_000_000,
        plan: 'professional',
      },
      tenant,
    );
    expect(tokens?.subject).toBe('90 % of your tokens used');
    expect(tokens?.paragraphs[0]).toBe(
      'Your tenant has used 18,000,000 of its 20,000,000 tokens (90 %) in December 2026, on the Professional plan.',
    );
    const storage = EVENT_CATALOGUE['quota.threshold_crossed'].notice(
      {
        resource: 'storageBytes',
        period: 'ALL',
        threshold: 80,
        used: 8 * 1024 ** 3,
        limit: 10 * 1024 ** 3,
        plan: 'starter',
      },
      tenant,
    );
    expect(storage?.paragraphs[0]).toBe(
      'Your tenant has used 8 GB of its 10 GB of storage (80 %), on the Starter plan.',
    );
    const exported = EVENT_CATALOGUE['export.completed'].notice(
      { exportId: 'exp_1', itemCount: 12_345, bytes: 1_572_864 },
      tenant,
    );
    expect(exported?.paragraphs[0]).toContain('12,345 items, 1.5 MB of gzipped NDJSON');
    expect(inWords.date('2026-12-15T00:00:00.000Z')).toBe('December 15, 2026');
  });

  it('sends a new account no second invitation: its password email is the invitation', () => {
    const tenant = { name: 'Acme', slug: 'acme' };
    const invited = { email: 'a@b.test', role: 'member', invitedBy: 'o@b.test' };
    expect(EVENT_CATALOGUE['user.invited'].notice({ ...invited, newAccount: true }, tenant)).toBeNull();
    // The positive control: a person with an account is told by this email.
    expect(EVENT_CATALOGUE['user.invited'].notice({ ...invited, newAccount: false }, tenant)?.subject).toBe(
      'You are invited to Acme',
    );
  });
});
