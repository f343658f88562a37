import { beforeAll, describe, expect, it } from 'vitest';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { addRecord } from '../../infra/local/dns-local';
import { processBillingOutbox } from '../../shared/billing/billing-outbox';
import { stripeBilling } from '../../shared/billing/stripe-billing';
import { pngOf } from '../helpers/images';
import { giveStripeCustomerNow } from '../helpers/stripe-customer';
import {
  addUser,
  call,
  createTenant,
  storedAuditEvents,
  table,
  twin,
  unique,
  type TestTenant,
} from '../helpers/twin-api';

interface Profile {
  displayName: string;
  billingEmail: string | null;
  company: string | null;
  primaryColor: string | null;
  locale: string | null;
  logo: { contentType: string; width: number; height: number; dataUrl: string } | null;
}

/**
 * A tenant's profile and branding: what it says of itself, its Stripe customer kept in step, a logo
 * checked byte by byte, and the branding anyone sees at its host before signing in.
 */
describe('tenant profile and branding', () => {
  let tenant: TestTenant;
  const profile = (t: TestTenant = tenant) => `/v1/tenants/${t.id}/profile`;
  const port = () => new URL(twin.apiUrl).port;
  const brandingAt = (host: string) =>
    call<{ displayName: string; primaryColor: string | null; logo: string | null }>('GET', '/v1/branding', {
      from: '127.0.0.1',
      headers: { host: `${host}:${port()}` },
    });

  beforeAll(async () => {
    tenant = await createTenant();
  });

  it('changes the profile, audited, and clears a field given as null', async () => {
    const changed = await call<Profile>('PATCH', profile(), {
      token: tenant.owner.token,
      body: { displayName: 'Acme Robotics', company: 'Acme Robotics GmbH', primaryColor: '#1d4ed8' },
    });
    expect(changed.status, changed.text).toBe(200);
    expect(changed.body).toMatchObject({
      displayName: 'Acme Robotics',
      company: 'Acme Robotics GmbH',
      primaryColor: '#1d4ed8',
      logo: null,
    });
    const cleared = await call<Profile>('PATCH', profile(), {
      token: tenant.owner.token,
      body: { company: null },
    });
    expect(cleared.body.company).toBeNull();
    expect(cleared.body.displayName).toBe('Acme Robotics');
    const events = (await storedAuditEvents(tenant.id)).filter(
      (event) => event.action === 'tenant.profile_updated',
    );
    expect(events).toHaveLength(2);
  });

  it('refuses a colour white text cannot be read on, and bad fields, changing nothing; a member may not change it', async () => {
    const before = (await call<Profile>('GET', profile(), { token: tenant.owner.token })).body;
    for (const body of [
      { primaryColor: '#ffff00' },
      { primaryColor: 'blue' },
      { billingEmail: 'not-an-email' },
      { phone: '555-1234' },
      { displayName: 'line\nbreak' },
      {},
    ]) {
      const refused = await call('PATCH', profile(), { token: tenant.owner.token, body });
      expect(refused.status, `${JSON.stringify(body)}: ${refused.text}`).toBe(400);
      expect(refused.headers.get('content-type')).toContain('application/problem+json');
    }
    const light = await call('PATCH', profile(), {
      token: tenant.owner.token,
      body: { primaryColor: '#ffff00' },
    });
    expect(light.text).toContain('contrast of 1.07:1');
    expect((await call<Profile>('GET', profile(), { token: tenant.owner.token })).body).toEqual(before);
    const member = await addUser(tenant, 'member');
    const forbidden = await call('PATCH', profile(), { token: member.token, body: { company: 'Nope' } });
    expect(forbidden.status).toBe(403);
    // The positive control: a member may read it.
    expect((await call('GET', profile(), { token: member.token })).status).toBe(200);
  });

  it('sets the billing email and the name on the Stripe customer through the outbox', async () => {
    const t = await createTenant();
    await giveStripeCustomerNow(t.id);
    const email = `billing-${unique('b')}@acme.example`;
    const changed = await call<Profile>('PATCH', profile(t), {
      token: t.owner.token,
      body: { billingEmail: email, displayName: 'Acme Billing Name' },
    });
    expect(changed.status, changed.text).toBe(200);
    const outbox = await table.send(
      new GetCommand({
        TableName: twin.tableName,
        Key: { pk: 'PLATFORM#BILLING#OUTBOX', sk: `updateCustomer#${t.id}` },
      }),
    );
    expect(outbox.Item).toBeDefined();
    await processBillingOutbox(stripeBilling, new Date(Date.now() + 1_000));
    const stored = await table.send(
      new GetCommand({ TableName: twin.tableName, Key: { pk: `TENANT#${t.id}`, sk: 'TENANT' } }),
    );
    const customerId = String(stored.Item?.stripeCustomerId);
    const customer = (await (
      await fetch(`${twin.stripeUrl}/v1/customers/${customerId}`, {
        headers: { authorization: `Bearer ${twin.runtimeEnv.STRIPE_SECRET_KEY}` },
      })
    ).json()) as { email: string; name: string };
    expect(customer).toMatchObject({ email, name: 'Acme Billing Name' });
  });

  it('takes a real image as the logo and refuses anything else, keeping the logo it had', async () => {
    const png = pngOf(48, 24).toString('base64');
    const set = await call('PUT', `${profile()}/logo`, {
      token: tenant.owner.token,
      body: { contentType: 'image/png', data: png },
    });
    expect(set.status, set.text).toBe(200);
    expect(set.body).toMatchObject({ contentType: 'image/png', width: 48, height: 24 });
    const svg = Buffer.from(
      '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    ).toString('base64');
    const cases: Array<[string, unknown]> = [
      ['not base64', { contentType: 'image/png', data: 'not base64 at all!' }],
      ['another type than claimed', { contentType: 'image/jpeg', data: png }],
      ['SVG as PNG', { contentType: 'image/png', data: svg }],
      ['too many bytes', { contentType: 'image/png', data: Buffer.alloc(70 * 1024, 1).toString('base64') }],
      ['too wide', { contentType: 'image/png', data: pngOf(2000, 20).toString('base64') }],
      ['too small', { contentType: 'image/png', data: pngOf(8, 8).toString('base64') }],
      ['SVG type', { contentType: 'image/svg+xml', data: svg }],
    ];
    for (const [what, body] of cases) {
      const refused = await call('PUT', `${profile()}/logo`, { token: tenant.owner.token, body });
      expect([400, 413], `${what}: ${refused.text}`).toContain(refused.status);
      expect(refused.headers.get('content-type')).toContain('application/problem+json');
    }
    const kept = (await call<Profile>('GET', profile(), { token: tenant.owner.token })).body.logo;
    expect(kept).toMatchObject({ width: 48, height: 24 });
    expect(kept?.dataUrl).toBe(`data:image/png;base64,${png}`);
  });

  it('shows the branding at the tenant’s hosts to anyone, and at no other host', async () => {
    const branded = await createTenant();
    await call('PATCH', profile(branded), {
      token: branded.owner.token,
      body: { displayName: 'Globex Portal', primaryColor: '#7c2d12' },
    });
    const png = pngOf(32, 32).toString('base64');
    await call('PUT', `${profile(branded)}/logo`, {
      token: branded.owner.token,
      body: { contentType: 'image/png', data: png },
    });
    const atSlug = await brandingAt(`${branded.slug}.localhost`);
    expect(atSlug.status, atSlug.text).toBe(200);
    expect(atSlug.body).toEqual({
      tenantId: branded.id,
      displayName: 'Globex Portal',
      primaryColor: '#7c2d12',
      logo: `data:image/png;base64,${png}`,
    });
    // At its active custom domain too.
    const domain = `portal-${unique('b').toLowerCase()}.example`;
    const added = await call<{ verification: { name: string; value: string } }>(
      'POST',
      `/v1/tenants/${branded.id}/domains`,
      { token: branded.owner.token, body: { domain } },
    );
    addRecord(twin.dnsRecordsFile, { type: 'TXT', ...added.body.verification });
    addRecord(twin.dnsRecordsFile, { type: 'CNAME', name: domain, value: 'localhost' });
    await call('POST', `/v1/tenants/${branded.id}/domains/${domain}/check`, {
      token: branded.owner.token,
      body: {},
    });
    expect((await brandingAt(domain)).body.displayName).toBe('Globex Portal');
    // Nowhere else: an unknown slug, an unknown domain, the platform's own address.
    for (const host of ['no-such-tenant.localhost', 'unknown-host.example', '127.0.0.1']) {
      const refused = await brandingAt(host);
      expect(refused.status, host).toBe(404);
      expect(refused.body).toMatchObject({ code: 'tenant_host_unknown' });
    }
  });
});
