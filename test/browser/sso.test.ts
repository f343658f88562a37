import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_IDP_PASSWORD } from '../../infra/local/northwind';
import { accessibilityViolations, launchBrowser, openConsole, screenshot } from '../helpers/browser';
import { addRecord } from '../../infra/local/dns-local';
import { addPerson, ssoTenant, verifiedSsoDomain } from '../helpers/sso-sign-in';
import { call, createTenant, twin, unique, type TestTenant } from '../helpers/twin-api';

/**
 * Single sign-on in a real browser: the console asks where the address signs in, goes to the
 * tenant's identity provider (the twin's stand-in OpenID or SAML provider) through the federation, and
 * comes back signed in to the tenant.
 */
describe('single sign-on in the console', () => {
  let browser: Browser;
  let tenant: TestTenant;
  let domain: string;

  beforeAll(async () => {
    browser = await launchBrowser();
    ({ tenant, domain } = await ssoTenant());
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('signs a person of the captured domain in through the provider, into the tenant', async () => {
    const email = `ada@${domain}`;
    await addPerson(email, ['tenantry-admins']);
    const { page, errors } = await openConsole(browser);
    await page.getByLabel('Email').fill(email);
    await page.getByRole('button', { name: 'Use single sign-on' }).click();
    // The provider's own sign-in page.
    await page.getByRole('heading', { name: 'Northwind Traders' }).waitFor();
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(LOCAL_IDP_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    // Back in the console, signed in, in the tenant.
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    await expect.poll(() => page.url()).toContain(`/t/${tenant.id}`);
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
    await screenshot(page, 'sso-signed-in');
    expect(errors).toEqual([]);
  });

  it('sets the provider, verifies a domain and makes a directory token on the Single sign-on page', async () => {
    const own = await createTenant({ plan: 'enterprise' });
    const { page, errors } = await openConsole(browser, { signInAs: own.owner.email, bypassCsp: true });
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.getByRole('link', { name: 'Single sign-on' }).click();
    await page.getByRole('heading', { name: 'Set your identity provider' }).waitFor();
    await page.getByLabel('Issuer').fill(twin.oidcIdp.issuer);
    await page.getByLabel('Client id').fill(twin.oidcIdp.clientId);
    await page.getByLabel('Client secret').fill(twin.oidcIdp.clientSecret);
    await page.getByLabel('New people join as').selectOption('viewer');
    await page.getByRole('button', { name: 'Save the provider' }).click();
    // Saved: what it is, and what to register at the provider.
    await page.getByRole('heading', { name: /OpenID Connect/ }).waitFor();
    expect(await page.locator('dl.facts').first().textContent()).toContain('viewer');
    expect(await page.getByRole('main').textContent()).toMatch(/Redirect URI.*\/oauth2\/idpresponse/);

    const domain = `${unique('console').toLowerCase()}.example`;
    await page.getByLabel('Email domain', { exact: true }).fill(domain);
    await page.getByRole('button', { name: 'Add domain' }).click();
    const row = page.getByRole('row', { name: new RegExp(domain) });
    await row.waitFor();
    expect(await row.textContent()).toContain('Pending');
    const listed = await call<{ items: Array<{ verification: { name: string; value: string } }> }>(
      'GET',
      `/v1/tenants/${own.id}/sso/domains`,
      { token: own.owner.token },
    );
    const record = listed.body.items[0]?.verification;
    // The record the page shows is the one to add.
    expect(await row.textContent()).toContain(record?.value ?? '(none)');
    addRecord(twin.dnsRecordsFile, { type: 'TXT', name: record?.name ?? '', value: record?.value ?? '' });
    await row.getByRole('button', { name: /^Check now/ }).click();
    await expect.poll(() => row.textContent()).toContain('Verified');

    await page.getByRole('button', { name: 'Create a directory token' }).click();
    expect(await page.getByRole('main').textContent()).toContain(
      `${twin.apiUrl}/v1/tenants/${own.id}/scim/v2`,
    );
    const token = (await page.getByTestId('scim-token').textContent()) ?? '';
    expect(token).toMatch(/^tntry_/);
    const users = await call('GET', `/v1/tenants/${own.id}/scim/v2/Users`, { token });
    expect(users.status, users.text).toBe(200);
    await screenshot(page, 'sso-settings');
    expect(await accessibilityViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('sets a SAML provider from its metadata URL, and a person signs in through it into the tenant', async () => {
    const own = await createTenant({ plan: 'enterprise' });
    const owner = await openConsole(browser, { signInAs: own.owner.email, bypassCsp: true });
    await owner.page.getByRole('heading', { name: 'Overview' }).waitFor();
    await owner.page.getByRole('link', { name: 'Single sign-on' }).click();
    await owner.page.getByRole('heading', { name: 'Set your identity provider' }).waitFor();
    await owner.page.getByLabel('SAML 2.0').check();
    await owner.page.getByLabel('Metadata URL').fill(twin.samlIdp.metadataUrl);
    await owner.page.getByRole('button', { name: 'Save the provider' }).click();
    // Saved: the provider's entity id and signing certificate, and what to register there.
    await owner.page.getByRole('heading', { name: /SAML 2\.0/ }).waitFor();
    const main = (await owner.page.getByRole('main').textContent()) ?? '';
    expect(main).toContain(twin.samlIdp.entityId);
    expect(main).toMatch(/ACS URL.*\/saml2\/idpresponse/);
    expect(main).toContain('Northwind SAML');
    expect(await accessibilityViolations(owner.page)).toEqual([]);
    expect(owner.errors).toEqual([]);

    const domain = await verifiedSsoDomain(own, `${unique('samlconsole').toLowerCase()}.example`);
    const email = `grace@${domain}`;
    await addPerson(email, ['staff']);
    const { page, errors } = await openConsole(browser);
    await page.getByLabel('Email').fill(email);
    await page.getByRole('button', { name: 'Use single sign-on' }).click();
    await page.getByRole('heading', { name: 'Northwind Traders' }).waitFor();
    expect(page.url()).toContain(new URL('/sso', twin.samlIdp.metadataUrl).href);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(LOCAL_IDP_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    // The provider's form posts itself to the federation; back in the console, in the tenant.
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    await expect.poll(() => page.url()).toContain(`/t/${own.id}`);
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
    await screenshot(page, 'sso-saml-signed-in');
    expect(errors).toEqual([]);
  });

  it('says an address outside any captured domain signs in with its password (the form stays)', async () => {
    const { page, errors } = await openConsole(browser);
    await page.getByLabel('Email').fill(`someone@not-captured-${domain}`);
    await page.getByRole('button', { name: 'Use single sign-on' }).click();
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toContain('does not sign in with single sign-on');
    await expect(page.getByLabel('Password').isVisible()).resolves.toBe(true);
    expect(errors).toEqual([]);
  });
});
