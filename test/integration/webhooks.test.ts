import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addressAllowed } from '../../shared/webhooks/webhook-url';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  adminToken,
  call,
  createTenant,
  inbox,
  storedAuditEvents,
  table,
  twin,
  type TestTenant,
} from '../helpers/twin-api';
import { Receiver } from '../helpers/webhook-receiver';

const receiver = new Receiver();

async function endpoint(tenant: TestTenant, path: string, events: string[] = ['tenant.reactivated']) {
  const created = await call<{ id: string; secret: string; status: string }>(
    'POST',
    `/v1/tenants/${tenant.id}/webhooks`,
    {
      token: tenant.owner.token,
      body: { url: `${receiver.url}${path}`, events },
    },
  );
  expect(created.status, created.text).toBe(201);
  return created.body;
}

/** Suspends and reactivates the tenant: `tenant.suspended`, then `tenant.reactivated`. */
async function suspendAndReactivate(tenant: TestTenant): Promise<void> {
  const admin = await adminToken();
  expect(
    (await call('POST', `/v1/tenants/${tenant.id}/suspend`, { token: admin, body: { reason: 'Hook test' } }))
      .status,
  ).toBe(200);
  expect((await call('POST', `/v1/tenants/${tenant.id}/reactivate`, { token: admin })).status).toBe(200);
}

interface LoggedDelivery {
  id: string;
  eventId: string;
  eventType: string;
  attempt: number;
  ok: boolean;
  statusCode: number | null;
  trigger: string;
  retryable: boolean;
  response: string | null;
}

/** The endpoint's delivery log once it holds `count` attempts (newest first). */
async function deliveryLog(tenant: TestTenant, endpointId: string, count: number): Promise<LoggedDelivery[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const log = await call<{ items: LoggedDelivery[] }>(
      'GET',
      `/v1/tenants/${tenant.id}/webhooks/${endpointId}/deliveries`,
      { token: tenant.owner.token },
    );
    expect(log.status, log.text).toBe(200);
    if (log.body.items.length >= count || Date.now() > deadline) return log.body.items;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('tenant webhooks', () => {
  beforeAll(() => receiver.start());
  afterAll(() => receiver.stop());

  it('delivers the events an endpoint asked for, signed as Standard Webhooks, and no others', async () => {
    const tenant = await createTenant();
    const hook = await endpoint(tenant, '/signed');
    expect(hook.secret).toMatch(/^whsec_/);
    await suspendAndReactivate(tenant);
    const [delivery] = await receiver.until('/signed', 1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(receiver.at('/signed')).toHaveLength(1); // tenant.suspended was not asked for
    const body = JSON.parse(delivery?.body ?? '{}') as { type: string; tenantId: string; id: string };
    expect(body).toMatchObject({ type: 'tenant.reactivated', tenantId: tenant.id });
    expect(delivery?.headers['webhook-id']).toBe(body.id);
    const headers = delivery?.headers as Record<string, string>;
    // The receiving side verifies with the reference library: the right secret passes…
    expect(new Webhook(hook.secret).verify(delivery?.body ?? '', headers)).toMatchObject({ id: body.id });
    // …another secret, or a changed body, does not.
    expect(() =>
      new Webhook(`whsec_${Buffer.alloc(24, 7).toString('base64')}`).verify(delivery?.body ?? '', headers),
    ).toThrow();
    expect(() =>
      new Webhook(hook.secret).verify((delivery?.body ?? '').replace('reactivated', 'suspended'), headers),
    ).toThrow();
    // The secret is never shown again.
    const read = await call('GET', `/v1/tenants/${tenant.id}/webhooks/${hook.id}`, {
      token: tenant.owner.token,
    });
    expect(read.text).not.toContain(hook.secret);
  });

  it('retries a failed delivery with backoff until it gets a 2xx, and logs every attempt', async () => {
    const tenant = await createTenant();
    receiver.answer('/flaky', [500, 503, 200]);
    const hook = await endpoint(tenant, '/flaky');
    await suspendAndReactivate(tenant);
    const attempts = await receiver.until('/flaky', 3);
    expect(attempts).toHaveLength(3);
    expect(new Set(attempts.map((attempt) => attempt.headers['webhook-id'])).size).toBe(1);
    const log = await call<{ items: Array<{ attempt: number; ok: boolean; statusCode: number }> }>(
      'GET',
      `/v1/tenants/${tenant.id}/webhooks/${hook.id}/deliveries`,
      { token: tenant.owner.token },
    );
    expect(log.body.items.map((item) => [item.attempt, item.ok, item.statusCode])).toEqual([
      [3, true, 200],
      [2, false, 503],
      [1, false, 500],
    ]);
    const after = await call('GET', `/v1/tenants/${tenant.id}/webhooks/${hook.id}`, {
      token: tenant.owner.token,
    });
    expect(after.body).toMatchObject({ status: 'active', consecutiveFailures: 0 });
  });

  it('disables an endpoint after repeated failures and tells the owners; enabling it starts again', async () => {
    const tenant = await createTenant();
    receiver.answer('/down', [500]);
    const hook = await endpoint(tenant, '/down');
    await suspendAndReactivate(tenant);
    await receiver.until('/down', 4);
    const [notice] = await inbox(tenant.owner.email, {
      subject: 'webhook endpoint was disabled',
      waitMs: 5_000,
    });
    expect(notice?.text).toContain(hook.id);
    const disabled = await call('GET', `/v1/tenants/${tenant.id}/webhooks/${hook.id}`, {
      token: tenant.owner.token,
    });
    expect(disabled.body).toMatchObject({ status: 'disabled', consecutiveFailures: 4 });
    // Disabled: the next event is not sent to it.
    const before = receiver.at('/down').length;
    await suspendAndReactivate(tenant);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(receiver.at('/down')).toHaveLength(before);
    // Enabled again, it receives the next one.
    receiver.answer('/down', [200]);
    const enabled = await call('PATCH', `/v1/tenants/${tenant.id}/webhooks/${hook.id}`, {
      token: tenant.owner.token,
      body: { enabled: true },
    });
    expect(enabled.body).toMatchObject({ status: 'active', consecutiveFailures: 0, disabledReason: null });
    await suspendAndReactivate(tenant);
    expect(await receiver.until('/down', before + 1)).toHaveLength(before + 1);
  });

  it('sends a test event on demand: signed, marked as a test, logged with the answer, one attempt', async () => {
    const tenant = await createTenant();
    receiver.answer('/test-ok', [200], 'thanks');
    const hook = await endpoint(tenant, '/test-ok', ['quota.threshold_crossed', 'tenant.suspended']);
    const sent = await call<{ eventId: string; type: string }>(
      'POST',
      `/v1/tenants/${tenant.id}/webhooks/${hook.id}/test`,
      { token: tenant.owner.token, body: { type: 'tenant.suspended' } },
    );
    expect(sent.status, sent.text).toBe(202);
    expect(sent.body.eventId).toMatch(/^evt_/);
    const [delivery] = await receiver.until('/test-ok', 1);
    const body = JSON.parse(delivery?.body ?? '{}') as Record<string, unknown>;
    expect(body).toMatchObject({
      id: sent.body.eventId,
      type: 'tenant.suspended',
      tenantId: tenant.id,
      test: true,
      data: { reason: expect.any(String) },
    });
    expect(
      new Webhook(hook.secret).verify(delivery?.body ?? '', delivery?.headers as Record<string, string>),
    ).toMatchObject({ id: sent.body.eventId });
    const [logged] = await deliveryLog(tenant, hook.id, 1);
    expect(logged).toMatchObject({
      eventId: sent.body.eventId,
      trigger: 'test',
      ok: true,
      statusCode: 200,
      response: 'thanks',
      retryable: true,
    });
    // Without a type: the first type the endpoint asked for.
    const byDefault = await call<{ type: string }>(
      'POST',
      `/v1/tenants/${tenant.id}/webhooks/${hook.id}/test`,
      {
        token: tenant.owner.token,
        body: {},
      },
    );
    expect(byDefault.body.type).toBe('quota.threshold_crossed');
    await receiver.until('/test-ok', 2);
    // Audited as asked for, by the owner.
    const audited = (await storedAuditEvents(tenant.id)).filter((e) => e.action === 'webhook.test_requested');
    expect(audited).toHaveLength(2);
    expect(audited[0]).toMatchObject({ actorId: tenant.owner.id, targetId: hook.id });

    // A failing test is one attempt: not retried (the twin retries after 0.1 s), not counted.
    receiver.answer('/test-down', [500], 'broken');
    const down = await endpoint(tenant, '/test-down', ['*']);
    const failed = await call('POST', `/v1/tenants/${tenant.id}/webhooks/${down.id}/test`, {
      token: tenant.owner.token,
      body: {},
    });
    expect(failed.status).toBe(202);
    await receiver.until('/test-down', 1);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(receiver.at('/test-down')).toHaveLength(1);
    expect(await deliveryLog(tenant, down.id, 1)).toEqual([
      expect.objectContaining({ trigger: 'test', ok: false, statusCode: 500, response: 'broken' }),
    ]);
    const after = await call('GET', `/v1/tenants/${tenant.id}/webhooks/${down.id}`, {
      token: tenant.owner.token,
    });
    expect(after.body).toMatchObject({ status: 'active', consecutiveFailures: 0 });
  });

  it('sends a logged delivery again as it was: the same body and webhook-id, freshly signed', async () => {
    const tenant = await createTenant();
    receiver.answer('/again', [500]);
    const hook = await endpoint(tenant, '/again', ['*']);
    expect(
      (
        await call('POST', `/v1/tenants/${tenant.id}/webhooks/${hook.id}/test`, {
          token: tenant.owner.token,
          body: {},
        })
      ).status,
    ).toBe(202);
    const [failed] = await deliveryLog(tenant, hook.id, 1);
    expect(failed).toMatchObject({ ok: false, trigger: 'test' });
    receiver.answer('/again', [200]);
    const retried = await call<{ eventId: string }>(
      'POST',
      `/v1/tenants/${tenant.id}/webhooks/${hook.id}/deliveries/${failed?.id}/retry`,
      { token: tenant.owner.token },
    );
    expect(retried.status, retried.text).toBe(202);
    expect(retried.body.eventId).toBe(failed?.eventId);
    const [first, second] = await receiver.until('/again', 2);
    expect(second?.body).toBe(first?.body);
    expect(second?.headers['webhook-id']).toBe(first?.headers['webhook-id']);
    expect(
      new Webhook(hook.secret).verify(second?.body ?? '', second?.headers as Record<string, string>),
    ).toMatchObject({ test: true });
    const log = await deliveryLog(tenant, hook.id, 2);
    expect(log.map((item) => [item.trigger, item.ok, item.eventId])).toEqual([
      ['retry', true, failed?.eventId],
      ['test', false, failed?.eventId],
    ]);
    expect((await storedAuditEvents(tenant.id)).map((e) => e.action)).toContain('webhook.delivery_retried');
  });

  it('refuses a test or a retry to a disabled endpoint, an unknown attempt, or one the log cannot send again', async () => {
    const tenant = await createTenant();
    receiver.answer('/refusals', [200]);
    const hook = await endpoint(tenant, '/refusals', ['*']);
    const other = await endpoint(tenant, '/refusals-other', ['*']);
    const base = `/v1/tenants/${tenant.id}/webhooks/${hook.id}`;
    const token = tenant.owner.token;
    expect((await call('POST', `${base}/test`, { token, body: {} })).status).toBe(202);
    const [logged] = await deliveryLog(tenant, hook.id, 1);
    const retry = () => call('POST', `${base}/deliveries/${logged?.id}/retry`, { token });

    // An unknown event type, or a field the operation does not take: 400, nothing sent.
    const sentBefore = receiver.at('/refusals').length;
    for (const body of [{ type: 'tenant.exploded' }, { type: 'tenant.suspended', data: {} }]) {
      const refused = await call('POST', `${base}/test`, { token, body });
      expect(refused.status, JSON.stringify(body)).toBe(400);
      expect(refused.body).toMatchObject({ code: 'validation_failed' });
    }
    // The attempt of another endpoint, or none: 404.
    const elsewhere = await call(
      'POST',
      `/v1/tenants/${tenant.id}/webhooks/${other.id}/deliveries/${logged?.id}/retry`,
      {
        token,
      },
    );
    expect(elsewhere.body).toMatchObject({ code: 'webhook_delivery_not_found' });
    const none = await call('POST', `${base}/deliveries/dlv_01AAAAAAAAAAAAAAAAAAAAAAAA/retry`, { token });
    expect(none.body).toMatchObject({ code: 'webhook_delivery_not_found' });
    // Disabled: both refused with what to do; enabled again, both go.
    await call('PATCH', base, { token, body: { enabled: false } });
    for (const refused of [await call('POST', `${base}/test`, { token, body: {} }), await retry()]) {
      expect(refused.status).toBe(409);
      expect(refused.body).toMatchObject({ code: 'webhook_endpoint_disabled' });
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(receiver.at('/refusals')).toHaveLength(sentBefore);
    await call('PATCH', base, { token, body: { enabled: true } });
    expect((await retry()).status).toBe(202);
    expect(await receiver.until('/refusals', sentBefore + 1)).toHaveLength(sentBefore + 1);
    // An attempt logged before the log kept bodies: 409, with why.
    await table.send(
      new UpdateCommand({
        TableName: twin.tableName,
        Key: { pk: `TENANT#${tenant.id}`, sk: `WHDELIVERY#${hook.id}#${logged?.id}` },
        UpdateExpression: 'REMOVE payload',
      }),
    );
    const legacy = await retry();
    expect(legacy.status).toBe(409);
    expect(legacy.body).toMatchObject({ code: 'webhook_delivery_not_retryable' });
  });

  it('refuses private, link-local and reserved addresses and credentials in the URL; the twin allows loopback', async () => {
    const tenant = await createTenant();
    for (const url of [
      'https://10.0.0.5/hook',
      'http://169.254.169.254/latest/meta-data',
      'https://192.168.1.20/hook',
      'https://[fd00::1]/hook',
      'https://user:pass@example.com/hook',
      'ftp://example.com/hook',
    ]) {
      const refused = await call('POST', `/v1/tenants/${tenant.id}/webhooks`, {
        token: tenant.owner.token,
        body: { url, events: ['*'] },
      });
      expect(refused.status, url).toBe(400);
    }
    // Positive control: a loopback receiver, which the twin allows by configuration.
    expect((await endpoint(tenant, '/loopback', ['*'])).status).toBe('active');
    // In AWS (no loopback), loopback is refused too; public unicast passes.
    expect(addressAllowed('127.0.0.1', false)).toBe(false);
    expect(addressAllowed('::ffff:10.1.2.3', false)).toBe(false);
    expect(addressAllowed('100.64.0.1', false)).toBe(false);
    expect(addressAllowed('93.184.216.34', false)).toBe(true);
    expect(addressAllowed('2606:4700::1111', false)).toBe(true);
  });

  it('needs the plan’s webhooks feature and the webhooks:manage permission', async () => {
    const free = await createTenant({ plan: 'free' });
    const refused = await call('POST', `/v1/tenants/${free.id}/webhooks`, {
      token: free.owner.token,
      body: { url: `${receiver.url}/free`, events: ['*'] },
    });
    expect(refused.body).toMatchObject({ code: 'feature_not_in_plan' });
    const tenant = await createTenant();
    const { addUser } = await import('../helpers/twin-api');
    const member = await addUser(tenant, 'member');
    const byMember = await call('GET', `/v1/tenants/${tenant.id}/webhooks`, { token: member.token });
    expect(byMember.body).toMatchObject({ code: 'permission_denied' });
    expect(
      (await call('GET', `/v1/tenants/${tenant.id}/webhooks`, { token: tenant.owner.token })).status,
    ).toBe(200);
  });
});
