import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { LOCAL_PASSWORD } from '../../infra/local/seed';
import { twin } from './twin-api';

/** Where each browser test leaves its screenshot (kept by CI as the console's picture). */
export const SCREENSHOT_DIR = join(import.meta.dirname, '..', '..', '.data', 'screenshots');

/**
 * Debian's Chromium (`.ci/run` installs it with apt-get), or `CHROMIUM_PATH`. Playwright's own
 * browser download is not used: playwright-core drives the system's browser.
 */
export function chromiumPath(): string {
  const candidates = [
    process.env.CHROMIUM_PATH,
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    '/usr/bin/google-chrome',
  ];
  const found = candidates.find((path): path is string => Boolean(path && existsSync(path)));
  if (!found)
    throw new Error(
      'No Chromium: install Debian’s `chromium` (apt-get install chromium) or set CHROMIUM_PATH.',
    );
  return found;
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
}

/**
 * A fresh browser profile on the console (the twin serves it at `/` of the API's port), signed in
 * as `signInAs` if given. Its page errors (exceptions in the app) are collected for the test.
 */
export async function openConsole(
  browser: Browser,
  options: {
    bypassCsp?: boolean;
    signInAs?: string;
    password?: string;
    /** The window's size; a desktop's unless told (a phone is 390 × 844). */
    viewport?: { width: number; height: number };
    /** The scheme the browser asks for (`prefers-color-scheme`); light unless told. */
    colorScheme?: 'light' | 'dark';
    /** Where the console is opened: the twin's own address unless told (a tenant's host). */
    origin?: string;
  } = {},
): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({
    baseURL: options.origin ?? twin.apiUrl,
    viewport: options.viewport ?? { width: 1280, height: 900 },
    colorScheme: options.colorScheme ?? 'light',
    acceptDownloads: true,
    // Only for injecting axe-core, which the console's content security policy (rightly) refuses.
    ...(options.bypassCsp ? { bypassCSP: true } : {}),
  });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], {
    origin: options.origin ?? twin.apiUrl,
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto('/');
  if (options.signInAs) await signInThroughConsole(page, options.signInAs, options.password);
  return { context, page, errors };
}

/** Signs in through the console's form (no challenge expected), and waits for the first page. */
export async function signInThroughConsole(
  page: Page,
  email: string,
  password = LOCAL_PASSWORD,
): Promise<void> {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[] }>;
}

/**
 * The page's WCAG 2 A and AA violations as axe-core finds them (labels, names, contrast, roles,
 * landmarks). axe-core is injected into the page; the context must bypass the page's CSP for it.
 */
export async function accessibilityViolations(page: Page): Promise<AxeViolation[]> {
  await page.addScriptTag({ path: createRequire(import.meta.url).resolve('axe-core/axe.min.js') });
  const result = (await page.evaluate(
    "axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })",
  )) as { violations: AxeViolation[] };
  return result.violations.map(({ id, impact, help, nodes }) => ({
    id,
    impact,
    help,
    nodes: nodes.map((node) => ({ target: node.target })),
  }));
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
