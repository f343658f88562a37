import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../infra/local/free-port';
import { addressAllowed } from '../../shared/webhooks/webhook-url';
import { adminToken, call, createTenant, inbox, type TestTenant } from '../helpers/twin-api';

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A tenant's webhook receiver on this machine: records every delivery, answers as told per path. */
class Receiver {
  readonly received: Received[] = [];
  private readonly answers = new Map<string, number[]>();
  private server?: Server;
  url = '';

  async start(): Promise<void> {
    const port = await freePort();
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        const path = req.url ?? '/';
        this.received.push({ path, headers: req.headers, body });
        const queue = this.answers.get(path) ?? [];
        res.writeHead(queue.length > 1 ? (queue.shift() ?? 200) : (queue[0] ?? 200));
        res.end();
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(port, '127.0.0.1', () => resolve()));
    this.url = `http://127.0.0.1:${port}`;
  }

  /** The statuses `path` answers with, in turn; the last one for ever after. */
  answer(path: string, statuses: number[]): void {
    this.answers.set(path, [...statuses]);
  }

  at(path: string): Received[] {
    return this.received.filter((entry) => entry.path === path);
  }

  async until(path: string, count: number, waitMs = 5_000): Promise<Received[]> {
    const deadline = Date.now() + waitMs;
    while (this.at(path).length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    return this.at(path);
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server?.close(() => resolve()));
  }
}

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
