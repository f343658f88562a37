import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_IDP_PASSWORD } from '../../infra/local/oidc-idp';
import { launchBrowser, openConsole, screenshot } from '../helpers/browser';
import { addPerson, ssoTenant } from '../helpers/sso-sign-in';
import type { TestTenant } from '../helpers/twin-api';

/**
 * Single sign-on in a real browser: the console asks where the address signs in, goes to the
 * tenant's identity provider (the twin's stand-in OpenID provider) through the federation, and comes
 * back signed in to the tenant.
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
