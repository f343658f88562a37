import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openConsole, screenshot } from '../helpers/browser';
import { createResources, createTenant, twin } from '../helpers/twin-api';

const PHONE = { width: 390, height: 844 };

/** What sticks out past the window's right edge: the page's width, and the widest elements. */
async function overflow(page: Page): Promise<{ width: number; culprits: string[] }> {
  // A string, run in the page (the tests are type-checked without the DOM's types).
  return page.evaluate(`(() => {
    const limit = window.innerWidth;
    const culprits = [...document.querySelectorAll('body *')]
      .filter((element) => {
        const box = element.getBoundingClientRect();
        // Inside a box that scrolls on its own (a wide table), sticking out is that box's business.
        return box.right > limit + 1 && !element.closest('.table-scroll, pre, code.clip');
      })
      .slice(0, 5)
      .map((element) => element.tagName.toLowerCase() + '.' + [...element.classList].join('.'));
    return { width: document.documentElement.scrollWidth, culprits };
  })()`);
}

/** Every page of the console at 390 × 844: nothing scrolls sideways, the navigation still works. */
describe('the console on a phone', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it.each(['light', 'dark'] as const)(
    'shows every page without horizontal scrolling at 390 × 844 in the %s scheme, for tenant people and platform admins',
    async (colorScheme) => {
      const tenant = await createTenant({ plan: 'professional' });
      const ids = await createResources(tenant);
      const found: Record<string, unknown> = {};
      const walk = async (page: Page, pages: Array<[string, string]>) => {
        for (const [name, path] of pages) {
          await page.goto(path);
          await page.getByRole('heading', { level: 1 }).first().waitFor();
          await page
            .locator('.loading')
            .first()
            .waitFor({ state: 'detached' })
            .catch(() => undefined);
          const measured = await overflow(page);
          if (measured.width > PHONE.width) found[name] = measured;
          await screenshot(page, `phone-${colorScheme}-${name}`);
        }
      };
      const { page: signIn } = await openConsole(browser, { viewport: PHONE, colorScheme });
      expect((await overflow(signIn)).width).toBeLessThanOrEqual(PHONE.width);

      const { page, errors } = await openConsole(browser, {
        viewport: PHONE,
        colorScheme,
        signInAs: tenant.owner.email,
      });
      const base = `/t/${tenant.id}`;
      await walk(page, [
        ['overview', base],
        ['agents', `${base}/agents`],
        ['agent', `${base}/agents/${ids.agentId}`],
        ['runs', `${base}/runs`],
        ['run', `${base}/runs/${ids.runId}`],
        ['users', `${base}/users`],
        ['api-keys', `${base}/api-keys`],
        ['webhooks', `${base}/webhooks`],
        ['webhook', `${base}/webhooks/${ids.endpointId ?? ''}`],
        ['domains', `${base}/domains`],
        ['settings', `${base}/settings`],
        ['audit', `${base}/audit`],
        ['billing', `${base}/billing`],
        ['data', `${base}/data`],
        ['account', '/account'],
      ]);
      const { page: admin } = await openConsole(browser, {
        viewport: PHONE,
        colorScheme,
        signInAs: twin.platformAdmin.email,
        password: twin.platformAdmin.password,
      });
      await walk(admin, [
        ['platform-tenants', '/platform/tenants'],
        ['platform-tenant', `/platform/tenants/${tenant.id}`],
        ['platform-figures', '/platform/figures'],
        ['platform-admins', '/platform/admins'],
        ['platform-audit', '/platform/audit'],
      ]);
      expect(found).toEqual({});
      expect(errors).toEqual([]);
      // The navigation collapses behind a button, and opens to every page.
      await page.goto(base);
      await page.getByRole('heading', { name: 'Overview' }).waitFor();
      expect(
        await page
          .getByRole('navigation', { name: 'Tenant pages' })
          .getByRole('link', { name: 'Agents' })
          .isVisible(),
      ).toBe(false);
      const menu = page.getByRole('button', { name: 'Menu' });
      await menu.click();
      await page
        .getByRole('navigation', { name: 'Tenant pages' })
        .getByRole('link', { name: 'Agents' })
        .click();
      await page.getByRole('heading', { name: 'Agents', level: 1 }).waitFor();

      // The positive control of the measure: a page made wider than the window is caught.
      await page.evaluate(
        `(() => { const wide = document.createElement('div'); wide.style.width = '800px'; wide.textContent = 'wide'; document.querySelector('main').append(wide); })()`,
      );
      expect((await overflow(page)).width).toBeGreaterThan(PHONE.width);
    },
    // Every page twice (a person's, a platform admin's): half a minute on idle cores, more on busy ones.
    180_000,
  );
});
