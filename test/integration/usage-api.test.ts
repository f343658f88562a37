import { describe, expect, it } from 'vitest';
import {
  addUser,
  call,
  countItems,
  createApiKey,
  createTenant,
  partitionItems,
  unique,
  type TestTenant,
} from '../helpers/twin-api';

/**
 * The usage API for the platform's services: checks that take nothing, records admitted or refused
 * atomically and counted once per Idempotency-Key, and the usage log. Each test runs in a month of
 * its own (`at`), so its counters start at zero whatever else ran.
 */

interface Standing {
  resource: string;
  period: string;
  used: number;
  limit: number | null;
  enforcedLimit: number | null;
  remaining: number | null;
  overage: number;
}
interface Check extends Standing {
  amount: number;
  outcome: 'within_limit' | 'overage' | 'refused';
  wouldBeOverage: number;
}
interface UsageEvent {
  id: string;
  resource: string;
  amount: number;
  description: string;
  overage: number;
  recordedBy: { type: string; id: string };
  idempotencyKey: string;
  recordedAt: string;
}
interface Recorded {
  code?: string;
  event: UsageEvent;
  quota: Standing;
}

function record(
  tenant: { id: string },
  token: string,
  body: Record<string, unknown>,
  options: { at?: Date; key?: string; withoutIdempotencyKey?: boolean } = {},
) {
  return call<Recorded>('POST', `/v1/tenants/${tenant.id}/usage`, {
    token,
    body,
    ...(options.at ? { at: options.at } : {}),
    ...(options.key ? { headers: { 'idempotency-key': options.key } } : {}),
    ...(options.withoutIdempotencyKey ? { withoutIdempotencyKey: true } : {}),
  });
}

function check(tenant: { id: string }, token: string, body: Record<string, unknown>, at?: Date) {
  return call<Check>('POST', `/v1/tenants/${tenant.id}/quotas/check`, { token, body, ...(at ? { at } : {}) });
}

function events(tenant: { id: string }, token: string, query = '') {
  return call<{ items: UsageEvent[]; nextCursor: string | null; code?: string }>(
    'GET',
    `/v1/tenants/${tenant.id}/usage/events${query}`,
    { token },
  );
}

/** The month's counter of a resource, read from the table. */
async function counted(tenant: TestTenant, resource: string, period: string): Promise<number> {
  const items = await partitionItems(tenant.id);
  const counter = items.find((item) => item.sk === `QUOTA#${resource}#${period}`);
  return (counter?.used as number | undefined) ?? 0;
}

/** What the tenant's usage records of a resource add up to, and how many there are. */
async function recorded(tenant: TestTenant, resource: string, period: string) {
  const items = (await partitionItems(tenant.id)).filter(
    (item) => String(item.sk).startsWith('USEVT#') && item.resource === resource && item.period === period,
  );
  return { count: items.length, total: items.reduce((sum, item) => sum + (item.amount as number), 0) };
}

describe('usage API: a service records what it spent', () => {
  it('records with a usage:write key, lists with a usage:read key, and counts on the month’s quota', async () => {
    const tenant = await createTenant({ plan: 'starter' });
    const writer = await createApiKey(tenant, ['usage:write']);
    const reader = await createApiKey(tenant, ['usage:read']);
    const at = new Date('2034-01-10T12:00:00.000Z');

    const before = await check(tenant, writer.secret, { resource: 'tokens', amount: 12_000 }, at);
    expect(before.status, before.text).toBe(200);
    expect(before.body).toMatchObject({
      resource: 'tokens',
      period: '2034-01',
      used: 0,
      limit: 2_000_000,
      enforcedLimit: 2_200_000,
      remaining: 2_200_000,
      amount: 12_000,
      outcome: 'within_limit',
      wouldBeOverage: 0,
    });

    const made = await record(
      tenant,
      writer.secret,
      { resource: 'tokens', amount: 12_000, description: 'completion for run 42' },
      { at, key: 'gateway-req-1' },
    );
    expect(made.status, made.text).toBe(201);
    expect(made.body.event).toMatchObject({
      resource: 'tokens',
      amount: 12_000,
      description: 'completion for run 42',
      overage: 0,
      recordedBy: { type: 'apiKey', id: writer.id },
      idempotencyKey: 'gateway-req-1',
      recordedAt: at.toISOString(),
    });
    expect(made.body.quota).toMatchObject({ used: 12_000, remaining: 2_188_000, overage: 0 });

    // The check took nothing; the record took exactly its amount.
    expect(await counted(tenant, 'tokens', '2034-01')).toBe(12_000);
    const after = await check(tenant, writer.secret, { resource: 'tokens', amount: 1 }, at);
    expect(after.body.used).toBe(12_000);

    const log = await events(tenant, reader.secret);
    expect(log.status, log.text).toBe(200);
    expect(log.body.items.map((event) => event.id)).toEqual([made.body.event.id]);

    // Each key holds one side only: the reader cannot record, the writer cannot read the log.
    const readerRecords = await record(tenant, reader.secret, {
      resource: 'tokens',
      amount: 1,
      description: 'not mine to record',
    });
    expect(readerRecords.status, readerRecords.text).toBe(403);
    expect(readerRecords.body.code).toBe('permission_denied');
    const writerReads = await events(tenant, writer.secret);
    expect(writerReads.status).toBe(403);
    expect(await counted(tenant, 'tokens', '2034-01')).toBe(12_000);
  });

  it('lets owners and admins use it, and refuses members (who hold no usage permission)', async () => {
    const tenant = await createTenant({ plan: 'starter' });
    const admin = await addUser(tenant, 'admin');
    const member = await addUser(tenant, 'member');
    const body = { resource: 'toolCalls', amount: 2, description: 'manual correction' };

    const byMember = await record(tenant, member.token, body);
    expect(byMember.status, byMember.text).toBe(403);
    const memberChecks = await check(tenant, member.token, { resource: 'toolCalls', amount: 1 });
    expect(memberChecks.status).toBe(403);
    const memberReads = await events(tenant, member.token);
    expect(memberReads.status).toBe(403);

    const byAdmin = await record(tenant, admin.token, body);
    expect(byAdmin.status, byAdmin.text).toBe(201);
    expect(byAdmin.body.event.recordedBy).toEqual({ type: 'user', id: admin.id });
    const byOwner = await record(tenant, tenant.owner.token, body);
    expect(byOwner.status, byOwner.text).toBe(201);
    const log = await events(tenant, admin.token, '?resource=toolCalls');
    expect(log.body.items.map((event) => event.id)).toEqual([byOwner.body.event.id, byAdmin.body.event.id]);
  });

  it('counts a retried record once, refuses a reused key with another body, and needs a key', async () => {
    const tenant = await createTenant({ plan: 'starter' });
    const writer = await createApiKey(tenant, ['usage:write']);
    const at = new Date('2034-02-03T09:00:00.000Z');
    const body = { resource: 'toolCalls', amount: 7, description: 'web search ×7' };

    const first = await record(tenant, writer.secret, body, { at, key: 'runner-1' });
    expect(first.status, first.text).toBe(201);
    const retry = await record(tenant, writer.secret, body, { at, key: 'runner-1' });
    expect(retry.status, retry.text).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.body.event.id).toBe(first.body.event.id);

    const reused = await record(tenant, writer.secret, { ...body, amount: 8 }, { at, key: 'runner-1' });
    expect(reused.status, reused.text).toBe(422);
    expect(reused.body.code).toBe('idempotency_key_reused');

    const keyless = await record(tenant, writer.secret, body, { at, withoutIdempotencyKey: true });
    expect(keyless.status, keyless.text).toBe(400);
    expect(keyless.body.code).toBe('idempotency_key_required');

    expect(await counted(tenant, 'toolCalls', '2034-02')).toBe(7);
    expect(await recorded(tenant, 'toolCalls', '2034-02')).toEqual({ count: 1, total: 7 });
  });
});

describe('usage API: at the limit, under concurrency', () => {
  it('admits to the limit, then as overage within the grace, then refuses until the next month', async () => {
    // Starter's grace is 10 %: 100 tool calls a month are admitted to 110.
    const tenant = await createTenant({ plan: 'starter', limitOverrides: { toolCalls: 100 } });
    const writer = await createApiKey(tenant, ['usage:write']);
    const at = new Date('2034-03-31T23:00:00.000Z');
    const spend = (amount: number, when = at) =>
      record(
        tenant,
        writer.secret,
        { resource: 'toolCalls', amount, description: `spend ${amount}` },
        { at: when },
      );

    const full = await spend(100);
    expect(full.status, full.text).toBe(201);
    expect(full.body.event.overage).toBe(0);
    expect(full.body.quota).toMatchObject({ used: 100, limit: 100, enforcedLimit: 110, remaining: 10 });

    const asOverage = await check(tenant, writer.secret, { resource: 'toolCalls', amount: 10 }, at);
    expect(asOverage.body).toMatchObject({ outcome: 'overage', wouldBeOverage: 10, remaining: 10 });
    const tooMuch = await check(tenant, writer.secret, { resource: 'toolCalls', amount: 11 }, at);
    expect(tooMuch.body).toMatchObject({ outcome: 'refused', wouldBeOverage: 0 });

    const over = await spend(10);
    expect(over.status, over.text).toBe(201);
    expect(over.body.event.overage).toBe(10);
    expect(over.body.quota).toMatchObject({ used: 110, remaining: 0, overage: 10 });

    const refused = await spend(1);
    expect(refused.status, refused.text).toBe(429);
    expect(refused.body).toMatchObject({
      code: 'quota_exceeded',
      resource: 'toolCalls',
      limit: 110,
      used: 110,
    });
    // An hour before April: Retry-After is the hour.
    expect(refused.headers.get('retry-after')).toBe('3600');
    expect(await recorded(tenant, 'toolCalls', '2034-03')).toEqual({ count: 2, total: 110 });
    expect(await counted(tenant, 'toolCalls', '2034-03')).toBe(110);

    const april = await spend(1, new Date('2034-04-01T00:00:00.000Z'));
    expect(april.status, april.text).toBe(201);
    expect(april.body.quota).toMatchObject({ period: '2034-04', used: 1 });
  });

  it('never admits past the ceiling under concurrency, and counts each admitted record once with its retries', async () => {
    const tenant = await createTenant({ plan: 'starter', limitOverrides: { toolCalls: 50 } });
    const writer = await createApiKey(tenant, ['usage:write']);
    const at = new Date('2034-05-15T10:00:00.000Z');
    const keys = Array.from({ length: 40 }, () => unique('rec'));
    // Each record sent twice at once (a client retrying on a timeout): 80 requests, 40 records of 3.
    const answers = await Promise.all(
      [...keys, ...keys].map((key) =>
        record(
          tenant,
          writer.secret,
          { resource: 'toolCalls', amount: 3, description: `call ${key}` },
          { at, key },
        ),
      ),
    );
    for (const answer of answers) {
      expect([201, 409, 429], answer.text).toContain(answer.status);
    }
    const admittedKeys = new Set(
      answers.filter((answer) => answer.status === 201).map((answer) => answer.body.event.idempotencyKey),
    );
    // The ceiling is 55 (50 and Starter's 10 %): 18 records of 3 fit, and no more.
    expect(admittedKeys.size).toBe(18);
    expect(await recorded(tenant, 'toolCalls', '2034-05')).toEqual({ count: 18, total: 54 });
    expect(await counted(tenant, 'toolCalls', '2034-05')).toBe(54);
    const standing = await check(tenant, writer.secret, { resource: 'toolCalls', amount: 1 }, at);
    expect(standing.body).toMatchObject({ used: 54, remaining: 1 });
  });

  it('keeps a hot tenant’s counter equal to its records', async () => {
    const tenant = await createTenant({ plan: 'enterprise' });
    const writer = await createApiKey(tenant, ['usage:write']);
    const at = new Date('2034-06-02T10:00:00.000Z');
    const amounts = Array.from({ length: 120 }, (_, index) => 1 + (index % 17) * 250);
    const answers: number[] = [];
    for (let start = 0; start < amounts.length; start += 40) {
      const batch = await Promise.all(
        amounts
          .slice(start, start + 40)
          .map((amount) =>
            record(
              tenant,
              writer.secret,
              { resource: 'tokens', amount, description: `chunk ${amount}` },
              { at },
            ),
          ),
      );
      answers.push(...batch.map((answer) => answer.status));
    }
    expect(
      answers.every((status) => status === 201),
      JSON.stringify(answers),
    ).toBe(true);
    const total = amounts.reduce((sum, amount) => sum + amount, 0);
    expect(await recorded(tenant, 'tokens', '2034-06')).toEqual({ count: 120, total });
    expect(await counted(tenant, 'tokens', '2034-06')).toBe(total);
  });
});

describe('usage API: bad input is a 4xx and counts nothing', () => {
  const BAD: Array<[string, Record<string, unknown>]> = [
    ['a zero amount', { resource: 'tokens', amount: 0, description: 'x' }],
    ['a negative amount', { resource: 'tokens', amount: -5, description: 'x' }],
    ['a fractional amount', { resource: 'tokens', amount: 1.5, description: 'x' }],
    ['an enormous amount', { resource: 'tokens', amount: 1e12, description: 'x' }],
    ['an amount past the safe integers', { resource: 'tokens', amount: 2 ** 60, description: 'x' }],
    ['an amount as a string', { resource: 'tokens', amount: '10', description: 'x' }],
    ['an unknown resource', { resource: 'gpuSeconds', amount: 1, description: 'x' }],
    ['a resource metered by Tenantry’s own routes', { resource: 'runs', amount: 1, description: 'x' }],
    ['a description with a NUL', { resource: 'tokens', amount: 1, description: 'bad\u0000byte' }],
    [
      'a description with an escape sequence',
      { resource: 'tokens', amount: 1, description: '\u001b[31mred' },
    ],
    ['a description with a bidi override', { resource: 'tokens', amount: 1, description: 'abc\u202edef' }],
    ['an empty description', { resource: 'tokens', amount: 1, description: '   ' }],
    ['a description too long', { resource: 'tokens', amount: 1, description: 'x'.repeat(501) }],
    ['no description', { resource: 'tokens', amount: 1 }],
    ['a field of no meaning', { resource: 'tokens', amount: 1, description: 'x', tenantId: 'ten_x' }],
  ];

  it('refuses each bad record and check with a problem, and nothing is counted or logged', async () => {
    const tenant = await createTenant({ plan: 'starter' });
    const writer = await createApiKey(tenant, ['usage:write']);
    for (const [what, body] of BAD) {
      const answer = await record(tenant, writer.secret, body);
      expect(answer.status, `${what}: ${answer.text}`).toBe(400);
      expect(answer.headers.get('content-type'), what).toContain('application/problem+json');
    }
    const BAD_CHECKS: Array<Record<string, unknown>> = [
      { resource: 'tokens', amount: 0 },
      { resource: 'tokens', amount: -1 },
      { resource: 'tokens', amount: 0.5 },
      { resource: 'tokens', amount: 1e12 },
      { resource: 'gpuSeconds', amount: 1 },
      { resource: 'tokens' },
    ];
    for (const body of BAD_CHECKS) {
      const checked = await check(tenant, writer.secret, body);
      expect(checked.status, `check ${JSON.stringify(body)}: ${checked.text}`).toBe(400);
    }
    // The positive control: the same key records a good one.
    const good = await record(tenant, writer.secret, { resource: 'tokens', amount: 1, description: 'fine' });
    expect(good.status, good.text).toBe(201);
    expect(await countItems(tenant.id, 'USEVT#')).toBe(1);
    expect(await counted(tenant, 'tokens', good.body.event.recordedAt.slice(0, 7))).toBe(1);

    const backwards = await events(
      tenant,
      tenant.owner.token,
      '?from=2034-02-01T00:00:00Z&to=2034-01-01T00:00:00Z',
    );
    expect(backwards.status).toBe(400);
    expect(backwards.body.code).toBe('invalid_range');
    const badCursor = await events(tenant, tenant.owner.token, '?cursor=not-a-cursor');
    expect(badCursor.status).toBe(400);
  });
});

describe('usage API: the log', () => {
  it('pages newest first, filtered by resource and time', async () => {
    const tenant = await createTenant({ plan: 'starter' });
    const writer = await createApiKey(tenant, ['usage:write']);
    const times = ['2034-07-01T10:00:00.000Z', '2034-07-02T10:00:00.000Z', '2034-07-03T10:00:00.000Z'];
    const ids: string[] = [];
    for (const [index, time] of times.entries()) {
      for (const resource of ['tokens', 'toolCalls']) {
        const made = await record(
          tenant,
          writer.secret,
          { resource, amount: index + 1, description: `${resource} on day ${index + 1}` },
          { at: new Date(time) },
        );
        expect(made.status, made.text).toBe(201);
        if (resource === 'tokens') ids.push(made.body.event.id);
      }
    }
    const first = await events(tenant, tenant.owner.token, '?resource=tokens&limit=2');
    expect(first.body.items.map((event) => event.id)).toEqual([ids[2], ids[1]]);
    expect(first.body.nextCursor).not.toBeNull();
    const second = await events(
      tenant,
      tenant.owner.token,
      `?resource=tokens&limit=2&cursor=${encodeURIComponent(first.body.nextCursor as string)}`,
    );
    expect(second.body.items.map((event) => event.id)).toEqual([ids[0]]);
    expect(second.body.nextCursor).toBeNull();

    const window = await events(
      tenant,
      tenant.owner.token,
      '?from=2034-07-02T00:00:00Z&to=2034-07-02T23:59:59Z',
    );
    expect(window.body.items.map((event) => event.description).sort()).toEqual([
      'tokens on day 2',
      'toolCalls on day 2',
    ]);
  });
});
