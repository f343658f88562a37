import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../../shared/events/catalogue';
import { consumeEventsInProcess } from '../../shared/events/publish';
import { newId } from '../../shared/ids';
import { processTenantJob } from '../../shared/jobs/tenant-job-worker';
import { consumeEvent } from '../../shared/jobs/event-consumer';
import { emailForEvent } from '../../shared/notifications/event-emails';
import { fanOutWebhooks } from '../../shared/webhooks/webhook-delivery';
import {
  activate,
  addUser,
  adminToken,
  call,
  createTenant,
  inbox,
  temporaryPasswordIn,
  unique,
  type TestTenant,
} from '../helpers/twin-api';

/** A `tenant.reactivated` event of the tenant, as a publisher makes it (a fresh id each time). */
function reactivated(tenantId: string): EventEnvelope {
  return {
    id: newId('event'),
    type: 'tenant.reactivated',
    tenantId,
    occurredAt: new Date().toISOString(),
    data: {},
  };
}

describe('email notifications, from the events of the catalogue', () => {
  beforeAll(() => {
    // Jobs called straight from this suite publish here: their consumer runs here, as the twin's does.
    consumeEventsInProcess(consumeEvent);
  });

  async function startRuns(tenant: TestTenant, count: number): Promise<void> {
    const agent = await call<{ id: string }>('POST', `/v1/tenants/${tenant.id}/agents`, {
      token: tenant.owner.token,
      body: { name: 'Counter', model: 'claude-sonnet' },
    });
    for (let i = 0; i < count; i += 1) {
      const run = await call('POST', `/v1/tenants/${tenant.id}/agents/${agent.body.id}/runs`, {
        token: tenant.owner.token,
        body: {},
      });
      expect(run.status, run.text).toBe(201);
    }
  }

  it('tells the owners when a quota crosses 80 %, not before, and once', async () => {
    const tenant = await createTenant({ plan: 'starter', limitOverrides: { runs: 10 } });
    const member = await addUser(tenant, 'member');
    await startRuns(tenant, 7);
    expect(await inbox(tenant.owner.email, { subject: '80 %', waitMs: 300 })).toEqual([]);
    await startRuns(tenant, 2);
    const [notice] = await inbox(tenant.owner.email, { subject: '80 %' });
    expect(notice?.subject).toBe(`[${tenant.name}] 80 % of your runs used`);
    expect(notice?.text).toContain('8 of its 10 runs');
    expect(await inbox(tenant.owner.email, { subject: '80 %', waitMs: 15_000 })).toHaveLength(1);
    expect(await inbox(member.email, { subject: '80 %', waitMs: 300 })).toEqual([]);
  });

  it('tells an invited person, new or with an account already', async () => {
    const tenant = await createTenant();
    const other = await createTenant();
    const fresh = `${unique('fresh')}@example.test`;
    const invited = await call('POST', `/v1/tenants/${tenant.id}/users`, {
      token: tenant.owner.token,
      body: { email: fresh, role: 'viewer' },
    });
    expect(invited.status).toBe(201);
    const [toNew] = await inbox(fresh, { subject: 'You are invited', waitMs: 30_000 });
    expect(toNew?.subject).toBe(`[${tenant.name}] You are invited to ${tenant.name}`);
    const words = (toNew?.text ?? '').replace(/\s+/g, ' ');
    expect(words).toContain(`${tenant.owner.email} invited you`);
    expect(temporaryPasswordIn(words)).not.toBe('');
    // A person with an account already (another tenant's owner) is told to sign in as usual.
    const again = await call('POST', `/v1/tenants/${tenant.id}/users`, {
      token: tenant.owner.token,
      body: { email: other.owner.email, role: 'admin' },
    });
    expect(again.status).toBe(201);
    const [toKnown] = await inbox(other.owner.email, { subject: 'You are invited', waitMs: 30_000 });
    expect(toKnown?.text).toContain('tenant switcher');
    expect(temporaryPasswordIn(toKnown?.text ?? '')).toBe('');
    // The new person had one email, not an invitation and a password apart (the known person's
    // arrived meanwhile through the event pipeline, so the new person's would have too).
    expect(await inbox(fresh, { atLeast: 2, waitMs: 1_000 })).toHaveLength(1);
  });

  it('sends an event’s emails once, however often it is delivered', async () => {
    const tenant = await createTenant();
    const event = reactivated(tenant.id);
    expect(await emailForEvent(event)).toBe(1);
    expect(await emailForEvent(event)).toBe(0);
    expect(await emailForEvent({ ...event })).toBe(0);
    expect(await inbox(tenant.owner.email, { subject: 'active again', waitMs: 15_000 })).toHaveLength(1);
    // Positive control: another event (another id) is sent.
    expect(await emailForEvent({ ...event, id: newId('event') })).toBe(1);
  });

  it('gives its claim back when no email could be sent, so the next delivery of the event sends it', async () => {
    const tenant = await createTenant();
    const event = reactivated(tenant.id);
    const ses = mockClient(SESv2Client);
    ses.on(SendEmailCommand).rejects(new Error('SES is down'));
    try {
      await expect(emailForEvent(event)).rejects.toThrow('SES is down');
    } finally {
      ses.restore();
    }
    // Positive control: delivered again, the event is sent, and once.
    expect(await emailForEvent(event)).toBe(1);
    expect(await emailForEvent(event)).toBe(0);
  });

  it('queues an event to each webhook endpoint once, however often the event comes', async () => {
    const tenant = await createTenant();
    const hook = await call('POST', `/v1/tenants/${tenant.id}/webhooks`, {
      token: tenant.owner.token,
      body: { url: 'http://127.0.0.1:9/once', events: ['tenant.reactivated'] },
    });
    expect(hook.status).toBe(201);
    const event = reactivated(tenant.id);
    expect(await fanOutWebhooks(event)).toBe(1);
    expect(await fanOutWebhooks(event)).toBe(0);
    expect(await fanOutWebhooks({ ...event, id: newId('event') })).toBe(1);
  });

  it('tells the owners of a suspension, a reactivation, a deletion and a restoration', async () => {
    const tenant = await createTenant();
    const admin = await adminToken();
    await call('POST', `/v1/tenants/${tenant.id}/suspend`, { token: admin, body: { reason: 'Checks' } });
    await call('POST', `/v1/tenants/${tenant.id}/reactivate`, { token: admin });
    await call('DELETE', `/v1/tenants/${tenant.id}`, {
      token: tenant.owner.token,
      body: { confirm: tenant.slug },
    });
    await call('POST', `/v1/tenants/${tenant.id}/restore`, { token: tenant.owner.token });
    // The tenant's notices (their subjects name it), after the owner's welcome with their temporary
    // password (Cognito's email, made by the custom message trigger).
    const mail = await inbox(tenant.owner.email, { atLeast: 5, subject: `[${tenant.name}]` });
    expect(mail.map((email) => email.subject.replace(`[${tenant.name}] `, '')).sort()).toEqual([
      'Your new Tenantry tenant',
      'Your tenant has been deleted',
      'Your tenant has been restored',
      'Your tenant has been suspended',
      'Your tenant is active again',
    ]);
  });

  it('tells the owners of a trial three days before it ends, once', async () => {
    const email = `${unique('trial')}@example.test`;
    const created = await call<{ tenant: { id: string; trialEndsAt: string; name: string } }>(
      'POST',
      '/v1/tenants',
      {
        token: await adminToken(),
        body: { name: 'Trial notice', slug: unique('trial'), owner: { email } },
      },
    );
    expect(created.status).toBe(201);
    await activate(email);
    await call('GET', '/v1/tenants/current', { token: await activate(email) });
    const { id, trialEndsAt } = created.body.tenant;
    const daily = (at: number) =>
      processTenantJob({ job: 'billing-daily', tenantId: id, period: String(at) }, new Date(at));
    await daily(Date.parse(trialEndsAt) - 5 * 86_400_000);
    expect(await inbox(email, { subject: 'trial ends', waitMs: 300 })).toEqual([]);
    await daily(Date.parse(trialEndsAt) - 2 * 86_400_000);
    await daily(Date.parse(trialEndsAt) - 1 * 86_400_000);
    const notices = await inbox(email, { subject: 'trial ends' });
    expect(notices).toHaveLength(1);
    expect(notices[0]?.text).toContain(
      new Date(trialEndsAt).toLocaleDateString('en-US', {
        month: 'long',
        day: 'numeric',
        year: 'numeric',
        timeZone: 'UTC',
      }),
    );
  });
});
