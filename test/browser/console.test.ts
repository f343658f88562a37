import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openConsole, screenshot, signInThroughConsole } from '../helpers/browser';
import { pngOf } from '../helpers/images';
import { totpCode } from '../helpers/totp';
import { addRecord } from '../../infra/local/dns-local';
import {
  tokenFor,
  call,
  createTenant,
  inbox,
  temporaryPasswordIn,
  twin,
  unique,
  type TestTenant,
} from '../helpers/twin-api';

/**
 * The console in a real browser (Chromium driven by playwright-core) against the twin, which serves
 * it at `/` of the API's port. Each test leaves a screenshot in `.data/screenshots/`.
 */
describe('the console in a browser', () => {
  let browser: Browser;
  const pageErrors: string[][] = [];

  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });
  afterEach(() => {
    // An exception in the app fails the test that caused it.
    for (const errors of pageErrors.splice(0)) expect(errors).toEqual([]);
  });

  async function consoleFor(email?: string, password?: string): Promise<Page> {
    const { page, errors } = await openConsole(browser, {
      ...(email ? { signInAs: email } : {}),
      ...(password ? { password } : {}),
    });
    pageErrors.push(errors);
    return page;
  }

  const meter = (page: Page, name: string) => page.getByRole('meter', { name });
  const readLog = (name: string) => {
    const path = join(twin.logsDir, name);
    return existsSync(path) ? readFileSync(path, 'utf8').split('\n') : [`(no ${name})`];
  };

  it('signs in (a wrong password is refused in words), shows the overview, and signs out', async () => {
    const tenant = await createTenant({ plan: 'starter' });
    const page = await consoleFor();
    await page.getByLabel('Email').fill(tenant.owner.email);
    await page.getByLabel('Password').fill('Not-The-Password-1!');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('Incorrect email or password');

    await page.getByLabel('Password').fill('Tenantry-Local-1!');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/t/${tenant.id}`);
    await meter(page, 'Runs this month').waitFor();
    expect(await page.getByTestId('tenant-status').textContent()).toBe('active');
    expect(await page.getByRole('navigation', { name: 'Tenant pages' }).textContent()).toContain(tenant.name);
    await screenshot(page, 'sign-in-overview');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  });

  it('invites a person, who signs in with the emailed temporary password and chooses their own', async () => {
    const tenant = await createTenant({ plan: 'starter' });
    const owner = await consoleFor(tenant.owner.email);
    await owner.getByRole('link', { name: 'Users', exact: true }).click();
    const email = `${unique('invitee')}@example.test`;
    const invite = owner.getByRole('form', { name: 'Invite someone' });
    await invite.getByLabel('Email').fill(email);
    await invite.getByLabel('Role').selectOption('member');
    await invite.getByRole('button', { name: 'Invite' }).click();
    await owner
      .getByRole('status')
      .filter({ hasText: `Invitation sent to ${email}` })
      .waitFor();
    const row = owner.locator(`tr[data-email="${email}"]`);
    await expect.poll(() => row.textContent()).toContain('invited');
    await screenshot(owner, 'invite-sent');

    // One email (Cognito's, made by the user pool's custom message trigger, relayed by the twin
    // through SES to the inbox) brings the invitation, its link and the temporary password.
    const [mail] = await inbox(email, { subject: 'You are invited', waitMs: 20_000 });
    const text = (mail?.text ?? '').replace(/\s+/g, ' ');
    const temporary = temporaryPasswordIn(text);
    const link = /(http:\/\/\S+\/t\/\S+?email=\S+?)(?:\]|\s|$)/.exec(text)?.[1];
    if (!temporary || !link) {
      const received = (await inbox(email, { waitMs: 0 })).map((sent) => sent.subject);
      const relayed = readLog('cognito-mail.log').filter((line) => line.includes(email));
      const printed = readLog('cognito-local.log').filter((line) => line.includes(email));
      const ses = readLog('ses-local.log').slice(-20);
      throw new Error(
        `No temporary password or link for ${email}. Inbox: ${JSON.stringify(received)}. cognito-local printed: ${JSON.stringify(printed)}. Relay: ${JSON.stringify(relayed)}. SES log: ${ses.join('\n')}`,
      );
    }
    expect(await inbox(email, { atLeast: 2, waitMs: 500 })).toHaveLength(1);

    // The link opens the console with the address filled in; the temporary password is next.
    const invitee = await consoleFor();
    await invitee.goto(link);
    expect(await invitee.getByLabel('Email').inputValue()).toBe(email);
    await expect
      .poll(() => invitee.evaluate('document.activeElement?.getAttribute("name")'))
      .toBe('password');
    await invitee.getByLabel('Password').fill(temporary);
    await invitee.getByRole('button', { name: 'Sign in' }).click();
    await invitee.getByRole('heading', { name: 'Choose your password' }).waitFor();
    await invitee.getByLabel('New password', { exact: true }).fill('Chosen-Password-9!');
    await invitee.getByLabel('Repeat the new password').fill('Chosen-Password-9!');
    await screenshot(invitee, 'invite-new-password');
    await invitee.getByRole('button', { name: 'Continue' }).click();
    await invitee.getByRole('heading', { name: 'Overview' }).waitFor();
    expect(new URL(invitee.url()).pathname).toBe(`/t/${tenant.id}`);
    // A member's navigation has no owner pages; the owner's has them (the positive control).
    const inviteeNav = invitee.getByRole('navigation', { name: 'Tenant pages' });
    expect(await inviteeNav.getByRole('link', { name: 'API keys' }).count()).toBe(0);
    expect(await inviteeNav.getByRole('link', { name: 'Billing' }).count()).toBe(0);
    const ownerNav = owner.getByRole('navigation', { name: 'Tenant pages' });
    expect(await ownerNav.getByRole('link', { name: 'API keys' }).count()).toBe(1);
    await screenshot(invitee, 'invite-accepted');

    await owner.reload();
    await expect.poll(() => row.textContent(), { timeout: 10_000 }).toContain('active');
    // The chosen password is the one that works from now on.
    const again = await call('GET', '/v1/tenants/current', {
      token: await tokenFor(email, 'Chosen-Password-9!'),
    });
    expect(again.status).toBe(200);
  });

  it('creates an API key whose secret is shown once and works, then revokes it', async () => {
    const tenant = await createTenant({ plan: 'starter' });
    const page = await consoleFor(tenant.owner.email);
    await page.getByRole('link', { name: 'API keys', exact: true }).click();
    const form = page.getByRole('form', { name: 'Create a key' });
    await form.getByLabel('Name').fill('CI deploys');
    await form.getByRole('button', { name: 'Create key' }).click();
    const secret = (await page.getByTestId('api-key-secret').textContent()) ?? '';
    expect(secret).toMatch(/^tntry_/);
    await page.getByRole('button', { name: 'Copy the key' }).click();
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(secret);
    await screenshot(page, 'api-key-created');

    const withKey = await call('GET', '/v1/tenants/current', { token: secret });
    expect(withKey.status).toBe(200);

    await page.getByRole('button', { name: 'I have stored it' }).click();
    expect(await page.getByTestId('api-key-secret').count()).toBe(0);
    await page.getByRole('button', { name: 'Revoke CI deploys' }).click();
    await page.getByRole('button', { name: 'Yes' }).click();
    await page.getByRole('cell', { name: 'CI deploys', exact: true }).waitFor({ state: 'detached' });
    const revoked = await call('GET', '/v1/tenants/current', { token: secret });
    expect(revoked.status).toBe(401);
    await screenshot(page, 'api-key-revoked');
  });

  it('adds a custom domain, shows the records to add and what each check found, until it is active', async () => {
    const tenant = await createTenant({ plan: 'professional' });
    const page = await consoleFor(tenant.owner.email);
    await page.getByRole('link', { name: 'Domains', exact: true }).click();
    const domain = `app-${unique('web').toLowerCase()}.example`;
    await page.getByLabel('Domain', { exact: true }).fill(domain);
    await page.getByRole('button', { name: 'Add domain' }).click();
    const card = page.getByRole('region', { name: new RegExp(domain) });
    await card.getByText('Added').waitFor();
    await card.getByRole('button', { name: 'Copy the TXT record’s value' }).click();
    const value = String(await page.evaluate('navigator.clipboard.readText()'));
    expect(value).toMatch(/^tenantry-domain-verification=/);
    addRecord(twin.dnsRecordsFile, { type: 'TXT', name: `_tenantry-challenge.${domain}`, value });

    // The first check proves control; the card says the CNAME is what is left to add.
    await card.getByRole('button', { name: 'Check now' }).click();
    await card.getByText('Verified', { exact: true }).waitFor();
    await expect
      .poll(() => card.getByTestId('domain-actions').textContent())
      .toContain(`Add a CNAME record at ${domain} pointing to localhost`);
    addRecord(twin.dnsRecordsFile, { type: 'CNAME', name: domain, value: 'localhost' });
    await card.getByRole('button', { name: 'Check now' }).click();
    await card.getByText('Active', { exact: true }).waitFor();
    await expect.poll(() => card.getByTestId('domain-actions').textContent()).toContain('Nothing to change');
    await screenshot(page, 'domain-active');
    const atHost = await call<{ id: string }>('GET', '/v1/tenants/current', {
      token: tenant.owner.token,
      from: '127.0.0.1',
      headers: { host: `${domain}:${new URL(twin.apiUrl).port}` },
    });
    expect(atHost.body.id).toBe(tenant.id);

    await card.getByRole('button', { name: 'Remove' }).click();
    await page.getByRole('button', { name: 'Yes' }).click();
    await page.getByText('No domain yet.').waitFor();
  });

  it('opened at a tenant’s host, shows its branding at sign-in and stays in that tenant', async () => {
    const tenant = await createTenant({ plan: 'professional' });
    const other = await createTenant({ plan: 'starter' });
    // The owner of the branded tenant is also a member of another: at the host, only this one counts.
    const invited = await call('POST', `/v1/tenants/${other.id}/users`, {
      token: other.owner.token,
      body: { email: tenant.owner.email, role: 'member' },
    });
    expect(invited.status, invited.text).toBe(201);
    await call('PATCH', `/v1/tenants/${tenant.id}/profile`, {
      token: tenant.owner.token,
      body: { displayName: 'Initech Portal', primaryColor: '#7c2d12' },
    });
    const logo = await call('PUT', `/v1/tenants/${tenant.id}/profile/logo`, {
      token: tenant.owner.token,
      body: { contentType: 'image/png', data: pngOf(64, 32).toString('base64') },
    });
    expect(logo.status, logo.text).toBe(200);
    const origin = `http://${tenant.slug}.localhost:${new URL(twin.apiUrl).port}`;
    const { page, errors } = await openConsole(browser, { origin });
    pageErrors.push(errors);
    await page.getByRole('heading', { name: 'Sign in to Initech Portal' }).waitFor();
    const band = page.getByTestId('brand-band');
    expect(await band.textContent()).toContain('Initech Portal');
    expect(
      await page.evaluate(
        "getComputedStyle(document.querySelector('[data-testid=brand-band]')).backgroundColor",
      ),
    ).toBe('rgb(124, 45, 18)');
    expect(await page.evaluate("document.querySelector('[data-testid=brand-band] img').naturalWidth")).toBe(
      64,
    );
    await screenshot(page, 'branded-sign-in');
    await signInThroughConsole(page, tenant.owner.email);
    await page.waitForURL(new RegExp(`/t/${tenant.id}`));
    // No switcher at a tenant's host; the positive control: at the twin's own address there is one.
    expect(await page.getByLabel('Tenant', { exact: true }).count()).toBe(0);
    const plain = await consoleFor(tenant.owner.email);
    expect(await plain.getByLabel('Tenant', { exact: true }).count()).toBe(1);
    expect(await plain.getByRole('heading', { name: 'Tenantry console' }).count()).toBe(0);
  });

  it('shows a quota bar move after runs, with the threshold marks and the health it implies', async () => {
    const tenant = await createTenant({ plan: 'professional', limitOverrides: { runs: 10 } });
    const page = await consoleFor(tenant.owner.email);
    const runs = meter(page, 'Runs this month');
    await runs.waitFor();
    expect(await runs.getAttribute('aria-valuenow')).toBe('0');
    expect(await runs.getAttribute('aria-valuemax')).toBe('10');
    expect(await page.locator('[data-resource="runs"] .quota-mark').count()).toBe(3);
    // Before any run the chart says it has nothing, rather than drawing an empty frame.
    expect(await page.getByRole('img', { name: /Runs by hour/ }).getAttribute('aria-label')).toContain(
      'no use in this period',
    );
    // Far from its limit, a bar offers no upgrade.
    expect(await page.locator('[data-resource="runs"] .quota-upgrade').count()).toBe(0);

    const agent = await call<{ id: string }>('POST', `/v1/tenants/${tenant.id}/agents`, {
      token: tenant.owner.token,
      body: { name: 'Quota agent', model: 'claude-sonnet' },
    });
    for (let i = 0; i < 9; i += 1) {
      const started = await call('POST', `/v1/tenants/${tenant.id}/agents/${agent.body.id}/runs`, {
        token: tenant.owner.token,
        body: { input: { prompt: `run ${i}` } },
      });
      expect(started.status).toBe(201);
    }
    await page.getByRole('button', { name: 'Refresh' }).click();
    await expect.poll(() => runs.getAttribute('aria-valuenow')).toBe('9');
    expect(await runs.getAttribute('aria-valuetext')).toBe('9 of 10 (90 %)');
    expect(await page.locator('[data-resource="runs"]').getAttribute('data-level')).toBe('warn');
    // Near it, the bar leads to the billing page; an owner follows it there.
    const upgrade = page
      .locator('[data-resource="runs"]')
      .getByRole('link', { name: /larger plan for more runs/ });
    expect(await upgrade.getAttribute('href')).toBe(`/t/${tenant.id}/billing`);
    await expect.poll(() => page.locator('[data-health]').textContent()).toContain('Attention');
    // Each reason in words, not the API's resource ids.
    expect(await page.locator('[data-health]').textContent()).toContain(
      'Runs: 90 % of the limit used (9 of 10)',
    );
    await expect
      .poll(() => page.getByRole('img', { name: /Runs by hour/ }).getAttribute('aria-label'))
      .toContain('9 in all');
    // By keyboard: the chart takes the focus, and End reads the last hour's figure out.
    const chart = page.getByRole('img', { name: /Runs by hour/ });
    // The value axis reads whole numbers, each once, at their own heights: 0, 5 and 10 for a peak of 9.
    expect(await chart.locator('.tick.value').allTextContents()).toEqual(['0', '5', '10']);
    expect(await chart.getAttribute('aria-label')).toContain('peak 9');
    await chart.focus();
    await page.keyboard.press('End');
    await expect
      .poll(() => chart.locator('xpath=ancestor::figure').locator('.chart-readout').textContent())
      .toMatch(/: 9$/);
    await screenshot(page, 'quota-bar-moved');
  });

  it('lets a platform admin find and suspend a tenant, whose people then see the banner', async () => {
    const tenant = await createTenant({ plan: 'starter' });
    const owner = await consoleFor(tenant.owner.email);
    await owner.getByRole('heading', { name: 'Overview' }).waitFor();
    // The positive control: no banner while the tenant is active.
    expect(await owner.locator('.banner').count()).toBe(0);

    const admin = await consoleFor(twin.platformAdmin.email, twin.platformAdmin.password);
    await admin.getByRole('link', { name: 'Platform', exact: true }).click();
    await admin.getByRole('heading', { name: 'Tenants' }).waitFor();
    await admin.getByLabel('Search', { exact: true }).fill(tenant.slug);
    await admin.getByRole('button', { name: 'Search' }).click();
    await admin.getByRole('link', { name: tenant.name }).click();
    await admin.getByLabel('Reason (shown to the tenant)').fill('Unpaid invoices');
    await admin.getByLabel('Internal note (platform admins only)').fill('Ticket 4711');
    // Asked first, with what it does; No leaves the tenant as it was.
    await admin.getByRole('button', { name: 'Suspend this tenant' }).click();
    const question = admin.getByRole('group', { name: /^Suspend / });
    expect(await question.textContent()).toContain(`Suspend ${tenant.name}?`);
    await question.getByRole('button', { name: 'No' }).click();
    expect(await admin.getByTestId('platform-tenant-status').textContent()).toBe('active');
    await admin.getByRole('button', { name: 'Suspend this tenant' }).click();
    await admin
      .getByRole('group', { name: /^Suspend / })
      .getByRole('button', { name: 'Yes' })
      .click();
    await expect.poll(() => admin.getByTestId('platform-tenant-status').textContent()).toBe('suspended');
    expect(await admin.getByRole('status').first().textContent()).toContain('Ticket 4711');
    await screenshot(admin, 'platform-suspended');

    await owner.reload();
    const banner = owner.getByRole('status').filter({ hasText: 'This tenant is suspended.' });
    await banner.waitFor();
    expect(await banner.textContent()).toContain('Unpaid invoices');
    // The tenant's people never see the platform's internal note.
    expect(await owner.content()).not.toContain('Ticket 4711');
    await screenshot(owner, 'suspended-banner');

    await admin.getByRole('button', { name: 'Reactivate this tenant' }).click();
    await expect.poll(() => admin.getByTestId('platform-tenant-status').textContent()).toBe('active');
    await owner.reload();
    await owner.getByRole('heading', { name: 'Overview' }).waitFor();
    expect(await owner.locator('.banner').count()).toBe(0);
  });

  it('keeps the platform pages from tenant people (the API refuses them) while admins use them', async () => {
    const tenant = await createTenant({ plan: 'starter' });
    const page = await consoleFor(tenant.owner.email);
    expect(await page.getByRole('link', { name: 'Platform', exact: true }).count()).toBe(0);
    await page.goto('/platform/tenants');
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('platform');
    await screenshot(page, 'platform-refused');
  });

  it('enrols an authenticator app, then asks for its code at the next sign-in', async () => {
    const tenant = await createTenant({ plan: 'starter' });
    const page = await consoleFor(tenant.owner.email);
    await page.getByRole('link', { name: tenant.owner.email }).click();
    await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
    const secret = (await page.getByTestId('mfa-secret').textContent()) ?? '';
    expect(secret).toMatch(/^[A-Z2-7]+=*$/);
    await page.getByLabel('Code from the app').fill(totpCode(secret));
    await screenshot(page, 'mfa-enrol');
    await page.getByRole('button', { name: 'Turn on' }).click();
    await page.getByText('An authenticator app is set up').waitFor();

    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.getByLabel('Email').fill(tenant.owner.email);
    await page.getByLabel('Password').fill('Tenantry-Local-1!');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Authenticator code' }).waitFor();
    await page.getByLabel('Code from your authenticator app').fill(totpCode(secret));
    await screenshot(page, 'mfa-challenge');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
  });

  it('lists where the person is signed in, ends another browser’s session, then signs out everywhere', async () => {
    const tenant = await createTenant({ plan: 'starter' });
    const other = await consoleFor(tenant.owner.email);
    await other.getByRole('heading', { name: 'Overview' }).waitFor();
    // Sign-ins are told apart by their time, in whole seconds.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const page = await consoleFor(tenant.owner.email);
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.getByRole('link', { name: tenant.owner.email }).click();
    const sessions = page.getByRole('table', { name: 'Your sessions' });
    // This browser's (newest), the other browser's, and the test's own sign-in through the API.
    await expect.poll(() => sessions.getByRole('row').count()).toBe(4);
    const rows = sessions.getByRole('row');
    expect(await rows.nth(1).textContent()).toContain('(this browser)');
    expect(await rows.nth(1).getByRole('button').count()).toBe(0);
    await screenshot(page, 'sessions');

    await rows.nth(2).getByRole('button', { name: /^End/ }).click();
    await rows.nth(2).getByRole('button', { name: 'Yes' }).click();
    await expect.poll(() => sessions.getByRole('row').count()).toBe(3);
    // The other browser's next request is refused, and it is back at the sign-in.
    await other.reload();
    await other.getByLabel('Email').waitFor();
    // Positive control: this browser goes on.
    await page.reload();
    await page.getByRole('heading', { name: 'Your account' }).waitFor();
    expect(await page.getByLabel('Email').count()).toBe(0);

    await page.getByRole('button', { name: 'Sign out everywhere' }).click();
    await page.getByRole('button', { name: 'Yes' }).click();
    await page.getByLabel('Email').waitFor();
    const refused = await call('GET', `/v1/tenants/${tenant.id}`, { token: tenant.owner.token });
    expect(refused.status).toBe(401);
  });

  it('switches between the tenants of a person who belongs to two', async () => {
    const [first, second] = await Promise.all([
      createTenant({ plan: 'starter' }),
      createTenant({ plan: 'starter' }),
    ]);
    if (!first || !second) throw new Error('no tenants');
    const invited = await call('POST', `/v1/tenants/${second.id}/users`, {
      token: second.owner.token,
      body: { email: first.owner.email, role: 'viewer' },
    });
    expect(invited.status).toBe(201);
    const page = await consoleFor(first.owner.email);
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    const side = page.getByRole('navigation', { name: 'Tenant pages' });
    expect(await side.textContent()).toContain(first.name);
    await page.getByLabel('Tenant', { exact: true }).selectOption(second.id);
    await expect.poll(() => new URL(page.url()).pathname).toBe(`/t/${second.id}`);
    await expect.poll(() => side.textContent()).toContain(second.name);
    // A viewer there: no users to invite, no settings.
    expect(await side.getByRole('link', { name: 'Settings' }).count()).toBe(0);
    await screenshot(page, 'tenant-switcher');
  });

  it('shows an API refusal in words and changes nothing (an allowlist that would lock the owner out)', async () => {
    const tenant: TestTenant = await createTenant({ plan: 'starter' });
    const page = await consoleFor(tenant.owner.email);
    await page.getByRole('link', { name: 'Settings', exact: true }).click();
    await page.getByLabel('IP allowlist').fill('203.0.113.0/24');
    await page.getByRole('button', { name: 'Save settings' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/lock/i);
    // In the page's words: what to do here, never which field to send.
    expect(await alert.textContent()).toContain('Add your address to the list, or save anyway');
    expect(await alert.textContent()).not.toContain('force');
    await screenshot(page, 'settings-refused');
    // A malformed entry is named by the field's label and its line, not the API's path.
    await page.getByLabel('IP allowlist').fill('not-an-address');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await expect.poll(() => alert.textContent()).toContain('IP allowlist, line 1');
    expect(await alert.textContent()).not.toContain('settings.ipAllowlist');
    const unchanged = await call<{ settings: { ipAllowlist?: string[] } }>(
      'GET',
      `/v1/tenants/${tenant.id}`,
      {
        token: tenant.owner.token,
      },
    );
    expect(unchanged.body.settings.ipAllowlist ?? []).toEqual([]);

    // The rightful change goes through: a new name.
    await page.getByLabel('IP allowlist').fill('');
    await page.getByLabel('Tenant name').fill('Renamed in the console');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByRole('status').filter({ hasText: 'Settings saved.' }).waitFor();
    const renamed = await call<{ name: string }>('GET', `/v1/tenants/${tenant.id}`, {
      token: tenant.owner.token,
    });
    expect(renamed.body.name).toBe('Renamed in the console');
  });

  it('serves the console with its security headers and its run-time configuration', async () => {
    const page = await fetch(`${twin.apiUrl}/t/anything/users`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    // A production build: React's development build (jsxDEV) is three times the size and slower.
    const script = /<script[^>]+src="([^"]+)"/.exec(await page.text())?.[1];
    expect(script).toMatch(/^\/assets\/index-[\w-]+\.js$/);
    const bundle = await fetch(`${twin.apiUrl}${script}`);
    expect(bundle.headers.get('cache-control')).toContain('immutable');
    expect(await bundle.text()).not.toContain('jsxDEV');
    const config = (await (await fetch(`${twin.apiUrl}/config.json`)).json()) as Record<string, unknown>;
    expect(config).toMatchObject({
      apiUrl: '',
      cognito: { userPoolId: twin.userPoolId, clientId: twin.clientId },
    });
    // The API's own paths stay the API's.
    const api = await fetch(`${twin.apiUrl}/v1/nothing-here`);
    expect(api.status).toBe(404);
    expect(api.headers.get('content-type')).toBe('application/problem+json');
    const missingAsset = await fetch(`${twin.apiUrl}/assets/nothing.js`);
    expect(missingAsset.status).toBe(404);
    const outside = await fetch(`${twin.apiUrl}/..%2f..%2fpackage.json`);
    expect(await outside.text()).not.toContain('"name": "tenantry"');
  });
});
