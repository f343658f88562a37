import { createServer } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { freePort } from '../../infra/local/free-port';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessibilityViolations, launchBrowser, openConsole, screenshot } from '../helpers/browser';
import { runOperatorFigures } from '../../shared/operations/operator-figures';
import {
  activate,
  addUser,
  adminToken,
  call,
  createApiKey,
  createResources,
  createTenant,
  inbox,
  twin,
  unique,
} from '../helpers/twin-api';

/** The console's other pages in a real browser: keyboard and accessibility, billing, data, audit. */
describe('the console’s pages in a browser', () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  const consoleFor = (
    signInAs?: string,
    password?: string,
    options: { bypassCsp?: boolean; colorScheme?: 'light' | 'dark' } = {},
  ) =>
    openConsole(browser, {
      ...options,
      ...(signInAs ? { signInAs } : {}),
      ...(password ? { password } : {}),
    });

  it('signs in by keyboard alone', async () => {
    const tenant = await createTenant({ plan: 'starter' });
    const { page, errors } = await consoleFor();
    // The email field has the focus on arrival; Tab moves to the password; Enter submits.
    await expect.poll(() => page.evaluate('document.activeElement?.getAttribute("name")')).toBe('email');
    await page.keyboard.type(tenant.owner.email);
    await page.keyboard.press('Tab');
    await page.keyboard.type('Tenantry-Local-1!');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    // The skip link is the first stop and moves to the page's content.
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement.textContent')).toBe('Skip to content');
    await page.keyboard.press('Enter');
    expect(new URL(page.url()).hash).toBe('#main');
    expect(errors).toEqual([]);
  });

  it('lets a person who forgot their password choose a new one with a code from their inbox', async () => {
    const tenant = await createTenant({ plan: 'starter' });
    const { page, errors } = await consoleFor();
    // An address with no account reads the same: the page never says which addresses have one.
    const unknown = `${unique('nobody')}@example.test`;
    await page.getByRole('button', { name: 'Forgot your password?' }).click();
    await page.getByLabel('Email').fill(unknown);
    await page.getByRole('button', { name: 'Email me a code' }).click();
    await page.getByText(`If an account has the address ${unknown}, a code is on its way there.`).waitFor();
    await page.getByRole('button', { name: 'Back to sign-in' }).click();

    await page.getByRole('button', { name: 'Forgot your password?' }).click();
    await page.getByLabel('Email').fill(tenant.owner.email);
    await page.getByRole('button', { name: 'Email me a code' }).click();
    await page.getByLabel('Code from the email').waitFor();
    const [mail] = await inbox(tenant.owner.email, { subject: 'verification code', waitMs: 10_000 });
    const code = /(\d{6})/.exec(mail?.text ?? '')?.[1] ?? '';
    expect(code).toMatch(/^\d{6}$/);
    const newPassword = 'Chosen-Again-2026!';
    // A wrong code is refused in words, and the password stays as it was.
    await page.getByLabel('Code from the email').fill(code === '000000' ? '111111' : '000000');
    await page.getByLabel('New password', { exact: true }).fill(newPassword);
    await page.getByLabel('Repeat the new password').fill(newPassword);
    await page.getByRole('button', { name: 'Change my password' }).click();
    await page.getByRole('alert').filter({ hasText: 'code is not right' }).waitFor();
    await page.getByLabel('Code from the email').fill(code);
    await page.getByRole('button', { name: 'Change my password' }).click();
    await page.getByRole('status').filter({ hasText: 'Your password is changed' }).waitFor();
    await page.getByLabel('Email').fill(tenant.owner.email);
    await page.getByLabel('Password', { exact: true }).fill(newPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    expect(errors).toEqual([]);
  });

  /** The page's own ground (the root's background), to prove which scheme it is painted in. */
  const ground = (page: Page) =>
    page.evaluate('getComputedStyle(document.documentElement).backgroundColor') as Promise<string>;

  it.each(['light', 'dark'] as const)(
    'has no WCAG 2.1 A or AA violations on any page (axe-core) in the %s scheme, for tenant people and platform admins',
    async (colorScheme) => {
      const tenant = await createTenant({ plan: 'professional' });
      // With a project, so that the projects table and the agents' project fields are on their pages.
      const ids = await createResources(tenant, { project: true });
      const { page: signIn } = await consoleFor(undefined, undefined, { bypassCsp: true, colorScheme });
      const found: Record<string, unknown[]> = {};
      const check = async (page: Page, name: string) => {
        await page
          .locator('.loading')
          .first()
          .waitFor({ state: 'detached' })
          .catch(() => undefined);
        const violations = await accessibilityViolations(page);
        if (violations.length) found[name] = violations;
        await screenshot(page, `desktop-${colorScheme}-${name}`);
      };
      // The scheme asked for is the one painted: a dark ground in dark, a light one in light.
      const [red, green, blue] = ((await ground(signIn)).match(/\d+/g) ?? []).map(Number);
      const lightness = ((red ?? 0) + (green ?? 0) + (blue ?? 0)) / 3;
      if (colorScheme === 'dark') expect(lightness).toBeLessThan(64);
      else expect(lightness).toBeGreaterThan(192);
      await check(signIn, 'sign-in');

      const { page } = await consoleFor(tenant.owner.email, undefined, { bypassCsp: true, colorScheme });
      const pages: Array<[string, string]> = [
        ['overview', ''],
        ['projects', '/projects'],
        ['agents', '/agents'],
        ['agent', `/agents/${ids.agentId}`],
        ['runs', '/runs'],
        ['run', `/runs/${ids.runId}`],
        ['users', '/users'],
        ['api-keys', '/api-keys'],
        ['webhooks', '/webhooks'],
        ['webhook', `/webhooks/${ids.endpointId ?? ''}`],
        ['domains', '/domains'],
        // Professional: the page's plan gate (sso.test.ts walks it set up, on Enterprise).
        ['sso', '/sso'],
        ['settings', '/settings'],
        // Professional: the Customers page's plan gate; no partner above: the empty Partner access.
        ['customers', '/customers'],
        ['partner-access', '/partner-access'],
        ['audit', '/audit'],
        ['billing', '/billing'],
        ['data', '/data'],
      ];
      for (const [name, path] of pages) {
        await page.goto(`/t/${tenant.id}${path}`);
        await page.getByRole('heading', { level: 1 }).first().waitFor();
        await check(page, name);
      }
      await page.goto('/account');
      await page.getByRole('heading', { name: 'Your account' }).waitFor();
      await check(page, 'account');

      const { page: admin } = await consoleFor(twin.platformAdmin.email, twin.platformAdmin.password, {
        bypassCsp: true,
        colorScheme,
      });
      await admin.goto('/platform/tenants');
      await admin.getByRole('heading', { name: 'Tenants' }).waitFor();
      await check(admin, 'platform-tenants');
      await admin.goto(`/platform/tenants/${tenant.id}`);
      await admin.getByRole('heading', { name: tenant.name }).waitFor();
      await check(admin, 'platform-tenant');
      await admin.goto('/platform/figures');
      await admin.getByRole('heading', { name: 'Platform figures' }).waitFor();
      await check(admin, 'platform-figures');
      await admin.goto('/platform/admins');
      await admin.getByRole('heading', { name: 'Platform admins', level: 1 }).waitFor();
      await check(admin, 'platform-admins');
      await admin.goto('/platform/audit');
      await admin.getByRole('heading', { name: 'Platform audit log' }).waitFor();
      await check(admin, 'platform-audit');

      expect(found).toEqual({});
      // The positive control: text of the other scheme's ink on this scheme's ground is caught.
      await page.evaluate(
        `(() => { const faint = document.createElement('p'); faint.textContent = 'Faint words'; faint.style.color = ${JSON.stringify(colorScheme === 'dark' ? '#1c2430' : '#e6edf3')}; document.querySelector('main').append(faint); })()`,
      );
      expect((await accessibilityViolations(page)).map((violation) => violation.id)).toContain(
        'color-contrast',
      );
    },
    // Twenty-odd pages, each analysed by axe: about a minute on idle cores, more than two on busy ones.
    300_000,
  );

  it('creates an agent, edits it, starts a run and shows it finished, keeps and deletes memory, and deletes the agent', async () => {
    const tenant = await createTenant({ plan: 'professional' });
    const { page, errors } = await consoleFor(tenant.owner.email);
    await page.getByRole('link', { name: 'Agents', exact: true }).click();
    await page.getByRole('heading', { name: 'Agents', level: 1 }).waitFor();
    await page.getByText('No agent yet.').waitFor();
    await page.getByLabel('Name').fill('Support triage');
    await page.getByLabel('Model', { exact: true }).fill('claude-sonnet');
    await page.getByLabel('Instructions (optional)').fill('Sort tickets by urgency.');
    await page.getByRole('button', { name: 'Create agent' }).click();
    await page.getByRole('heading', { name: 'Support triage', level: 1 }).waitFor();
    const agentId = new URL(page.url()).pathname.split('/').pop() ?? '';
    expect(agentId).toMatch(/^agt_/);

    await page.getByRole('button', { name: 'Edit' }).click();
    await page.getByLabel('Description (optional)').fill('Triage for the support queue');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Triage for the support queue').waitFor();
    const stored = await call<{ description: string }>('GET', `/v1/tenants/${tenant.id}/agents/${agentId}`, {
      token: tenant.owner.token,
    });
    expect(stored.body.description).toBe('Triage for the support queue');

    await page.getByLabel('Prompt').fill('Three tickets waiting');
    await page.getByRole('button', { name: 'Start a run' }).click();
    const row = page.locator('tr[data-run]');
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.textContent()).toContain('Running');
    const runId = (await row.getAttribute('data-run')) ?? '';
    const completed = await call('POST', `/v1/tenants/${tenant.id}/runs/${runId}/complete`, {
      token: tenant.owner.token,
      body: { status: 'succeeded', tokensUsed: 1234, output: { summary: '3 urgent' } },
    });
    expect(completed.status, completed.text).toBe(200);
    await page.reload();
    await expect.poll(() => page.locator('tr[data-run]').textContent()).toContain('Succeeded');
    expect(await page.locator('tr[data-run]').textContent()).toContain('1,234');

    // The tenant's runs, across agents: filtered by status, the starter by email, the run's page.
    await page.getByRole('link', { name: 'Runs', exact: true }).click();
    await page.getByRole('heading', { name: 'Runs', level: 1 }).waitFor();
    await page.getByLabel('Status').selectOption('failed');
    await page.getByText('No run matches.').waitFor();
    await page.getByLabel('Status').selectOption('succeeded');
    const listed = page.locator(`tr[data-run="${runId}"]`);
    await listed.waitFor();
    expect(await listed.textContent()).toContain(tenant.owner.email);
    expect(await listed.textContent()).toContain('Support triage');
    await listed.getByRole('link').click();
    await expect.poll(() => page.getByTestId('run-status').textContent()).toBe('Succeeded');
    expect(await page.locator('pre.json').nth(1).textContent()).toContain('"summary": "3 urgent"');
    await screenshot(page, 'run');
    await page.getByRole('link', { name: 'Its agent' }).click();
    await page.getByRole('heading', { name: 'Support triage', level: 1 }).waitFor();

    await page.getByLabel('Kind').selectOption('json');
    await page.getByLabel('Content').fill('{"customer": "Globex", "prefers": "email"}');
    await page.getByRole('button', { name: 'Add to memory' }).click();
    await page.locator('.memory pre').first().waitFor();
    expect(await page.locator('.memory pre').textContent()).toContain('"customer": "Globex"');
    // Bad input is refused in words and nothing is stored.
    await page.getByLabel('Content').fill('{not json');
    await page.getByRole('button', { name: 'Add to memory' }).click();
    await page.getByRole('alert').filter({ hasText: 'not valid JSON' }).waitFor();
    expect(await page.locator('.memory li').count()).toBe(1);
    await page.locator('.memory').getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('button', { name: 'Yes' }).click();
    await page.getByText('Nothing in memory.').waitFor();
    await screenshot(page, 'agent');

    // The list finds it by part of its name, in any case.
    await page.getByRole('link', { name: 'Agents', exact: true }).click();
    await page.getByLabel('Search', { exact: true }).fill('TRIAGE');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByRole('link', { name: 'Support triage' }).waitFor();
    await page.getByLabel('Search', { exact: true }).fill('nothing like it');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByText('No agent’s name contains').waitFor();
    await page.goto(`/t/${tenant.id}/agents/${agentId}`);
    await page.getByRole('button', { name: 'Delete agent' }).click();
    await page.getByRole('button', { name: 'Yes' }).click();
    await page.getByRole('heading', { name: 'Agents', level: 1 }).waitFor();
    const gone = await call('GET', `/v1/tenants/${tenant.id}/agents/${agentId}`, {
      token: tenant.owner.token,
    });
    expect(gone.status).toBe(404);
    expect(errors).toEqual([]);
  });

  it('groups agents in projects: creates one, an agent in it, filters by it, refuses to delete it until empty', async () => {
    const tenant = await createTenant({ plan: 'professional' });
    const { page, errors } = await consoleFor(tenant.owner.email);
    await page.getByRole('link', { name: 'Projects', exact: true }).click();
    await page.getByRole('heading', { name: 'Projects', level: 1 }).waitFor();
    await page.getByText('No project yet.').waitFor();
    await page.getByLabel('Project name').fill('Help desk');
    await page.getByRole('button', { name: 'Create project' }).click();
    const row = page.locator('tr[data-project]');
    await row.waitFor();
    const projectId = (await row.getAttribute('data-project')) ?? '';
    expect(projectId).toMatch(/^prj_/);

    // The project's link opens its agents; an agent made there goes into it.
    await row.getByRole('link', { name: 'Help desk' }).click();
    await page.getByText('No agent in this project yet.').waitFor();
    expect(await page.getByLabel('Project', { exact: true }).first().inputValue()).toBe(projectId);
    await page.getByLabel('Name').fill('Ticket sorter');
    await page.getByLabel('Model', { exact: true }).fill('claude-sonnet');
    await page.getByRole('button', { name: 'Create agent' }).click();
    await page.getByRole('heading', { name: 'Ticket sorter', level: 1 }).waitFor();
    await page.locator('dl.facts').getByText('Help desk').waitFor();
    const agentId = new URL(page.url()).pathname.split('/').pop() ?? '';
    const stored = await call<{ projectId: string }>('GET', `/v1/tenants/${tenant.id}/agents/${agentId}`, {
      token: tenant.owner.token,
    });
    expect(stored.body.projectId).toBe(projectId);

    // A key limited to the project: only the project's scopes offered; it reaches the agent, not the rest.
    await page.getByRole('link', { name: 'API keys', exact: true }).click();
    const form = page.getByRole('form', { name: 'Create a key' });
    await form.getByLabel('Name').fill('Help desk bot');
    await form.getByLabel('Project', { exact: true }).selectOption(projectId);
    expect(await form.getByRole('checkbox', { name: 'users:read' }).count()).toBe(0);
    await form.getByRole('checkbox', { name: 'agents:read' }).waitFor();
    await form.getByRole('button', { name: 'Create key' }).click();
    const secret = (await page.getByTestId('api-key-secret').textContent()) ?? '';
    expect(secret).toMatch(/^tntry_/);
    expect((await call('GET', `/v1/tenants/${tenant.id}/agents/${agentId}`, { token: secret })).status).toBe(
      200,
    );
    expect((await call('GET', `/v1/tenants/${tenant.id}/users`, { token: secret })).status).toBe(403);
    await page.getByRole('button', { name: 'I have stored it' }).click();
    await page.getByRole('cell', { name: 'Help desk', exact: true }).waitFor();

    // The filter: the project's agents, and all of them.
    await call('POST', `/v1/tenants/${tenant.id}/agents`, {
      token: tenant.owner.token,
      body: { name: 'Loose one', model: 'claude-sonnet' },
    });
    await page.getByRole('link', { name: 'Agents', exact: true }).click();
    await page.getByRole('link', { name: 'Loose one' }).waitFor();
    await page.locator('form[role="search"]').getByLabel('Project').selectOption(projectId);
    await expect.poll(() => page.getByRole('link', { name: 'Loose one' }).count()).toBe(0);
    await page.getByRole('link', { name: 'Ticket sorter' }).waitFor();

    // A project with an agent is not deleted: the API's reason is shown, and it stays.
    await page.getByRole('link', { name: 'Projects', exact: true }).click();
    await page.locator(`tr[data-project="${projectId}"]`).getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('button', { name: 'Yes' }).click();
    await page.getByRole('alert').filter({ hasText: 'still has 1 agent' }).waitFor();
    // Moved out of it (the agent's edit), the project goes.
    await page.goto(`/t/${tenant.id}/agents/${agentId}`);
    await page.getByRole('button', { name: 'Edit' }).click();
    await page.getByLabel('Project', { exact: true }).selectOption('');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('button', { name: 'Edit' }).waitFor();
    await page.getByRole('link', { name: 'Projects', exact: true }).click();
    await page.locator(`tr[data-project="${projectId}"]`).getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('button', { name: 'Yes' }).click();
    await page.getByText('No project yet.').waitFor();
    const gone = await call('GET', `/v1/tenants/${tenant.id}/projects/${projectId}`, {
      token: tenant.owner.token,
    });
    expect(gone.status).toBe(404);
    expect(errors).toEqual([]);
  });

  it('lets a partner make a customer’s tenant, ask for access, act in it under a banner once its owner approves, until the owner revokes it', async () => {
    const partner = await createTenant({ plan: 'partner' });
    const { page, errors } = await consoleFor(partner.owner.email);
    await page.getByRole('link', { name: 'Customers', exact: true }).click();
    await page.getByRole('heading', { name: 'Customers', level: 1 }).waitFor();
    await page.getByText('No customer’s tenant yet.').waitFor();
    const ownerEmail = `${unique('owner')}@customer.test`;
    await page.getByLabel('Name', { exact: true }).fill('Initech');
    await page.getByLabel('Slug').fill(unique('initech').toLowerCase());
    await page.getByLabel('Owner’s email').fill(ownerEmail);
    await page.getByRole('button', { name: 'Create tenant' }).click();
    const row = page.locator('tr[data-child]');
    await row.waitFor();
    const childId = (await row.getAttribute('data-child')) ?? '';
    expect(childId).toMatch(/^ten_/);
    await row.locator('[data-health="healthy"]').waitFor();
    // A slice of the partner's agents for it: its limit now, whatever its plan.
    await row.getByRole('button', { name: 'Give limits' }).click();
    await page.getByLabel('agents', { exact: true }).fill('2');
    // And its tokens drawn from the partner's own pool.
    await page.getByLabel('tokens from your pool').check();
    await page.getByRole('button', { name: 'Save limits' }).click();
    await row.getByRole('cell', { name: 'agents 2 · tokens from your pool' }).waitFor();
    // The partner pays for it, on Starter: a line of its own invoice each month.
    await row.getByRole('button', { name: 'Who pays' }).click();
    await page.getByLabel('Paid by').selectOption({ label: 'you, on Starter' });
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await row.locator('[data-paid-by="partner"]').waitFor();
    await row.getByRole('cell', { name: 'Starter', exact: true }).waitFor();
    // Without access, the partner has nothing to open.
    expect(await row.getByRole('button', { name: 'Open' }).count()).toBe(0);
    await row.getByRole('button', { name: 'Ask for access' }).click();
    await page.getByLabel('Role at most').selectOption('member');
    await page.getByLabel('Reason (shown to its owners)').fill('Set up the launch agents');
    await page.getByRole('button', { name: 'Ask', exact: true }).click();
    await row.locator('[data-access="pending"]').waitFor();

    // The customer's owner approves it in their own console.
    await activate(ownerEmail);
    const owner = await consoleFor(ownerEmail);
    await owner.page.getByRole('link', { name: 'Partner access', exact: true }).click();
    const request = owner.page.locator('tr[data-delegation]');
    await request.getByText('Set up the launch agents').waitFor();
    await request.getByRole('button', { name: 'Approve' }).click();
    await owner.page.getByRole('button', { name: 'Yes' }).click();
    await owner.page.locator('tr[data-status="active"]').waitFor();

    // The partner opens it: a banner says whose it is and as what; a member's pages, not an admin's.
    await page.reload();
    await row.locator('[data-access="active"]').waitFor();
    await row.getByRole('button', { name: 'Open' }).click();
    const banner = page.getByTestId('delegated-visit');
    await banner.waitFor();
    expect(await banner.textContent()).toContain(`for ${partner.name}, as member`);
    expect(await page.getByRole('link', { name: 'Users', exact: true }).count()).toBe(1);
    expect(await page.getByRole('link', { name: 'API keys', exact: true }).count()).toBe(0);
    await page.getByRole('link', { name: 'Agents', exact: true }).click();
    await page.getByLabel('Name').fill('Launch agent');
    await page.getByLabel('Model', { exact: true }).fill('claude-sonnet');
    await page.getByRole('button', { name: 'Create agent' }).click();
    await page.getByRole('heading', { name: 'Launch agent', level: 1 }).waitFor();
    const log = await call<{
      items: Array<{ actor: { id: string; actingFor: { tenantId: string } | null } }>;
    }>('GET', `/v1/tenants/${childId}/audit-logs?action=agent.created`, {
      token: await activate(ownerEmail),
    });
    expect(log.body.items[0]?.actor).toMatchObject({
      id: partner.owner.id,
      actingFor: { tenantId: partner.id },
    });

    // The owner revokes it: the partner's next page is refused, in words.
    await owner.page.locator('tr[data-delegation]').getByRole('button', { name: 'Revoke' }).click();
    await owner.page.getByRole('button', { name: 'Yes' }).click();
    await owner.page.locator('tr[data-status="revoked"]').waitFor();
    await expect
      .poll(
        async () => {
          await page.reload();
          await page
            .locator('.loading')
            .first()
            .waitFor({ state: 'detached' })
            .catch(() => undefined);
          return page.getByRole('alert').filter({ hasText: 'not in force' }).count();
        },
        { timeout: 20_000 },
      )
      .toBeGreaterThan(0);
    expect(errors).toEqual([]);
    expect(owner.errors).toEqual([]);
  });

  it('adds a webhook endpoint (its secret once), sends a test event, sends a failed one again, disables and enables it', async () => {
    // The tenant's receiver: answers with the status it is told, and says so in its body.
    let status = 200;
    const received: string[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        received.push(body);
        res.writeHead(status, { 'content-type': 'text/plain' });
        res.end(status === 200 ? 'received, thanks' : 'down for maintenance');
      });
    });
    const port = await freePort();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
    try {
      const tenant = await createTenant({ plan: 'professional' });
      const { page, errors } = await consoleFor(tenant.owner.email);
      await page.getByRole('link', { name: 'Webhooks', exact: true }).click();
      await page.getByRole('heading', { name: 'Webhooks', level: 1 }).waitFor();
      await page.getByText('No endpoint yet.').waitFor();
      // No event chosen: refused in words before anything is sent.
      await page.getByLabel('URL').fill(`http://127.0.0.1:${port}/hooks`);
      await page.getByRole('button', { name: 'Add endpoint' }).click();
      await page.getByRole('alert').filter({ hasText: 'Choose at least one event' }).waitFor();
      await page.getByRole('checkbox', { name: /quota\.threshold_crossed/ }).check();
      await page.getByRole('checkbox', { name: /export\.completed/ }).check();
      await page.getByRole('button', { name: 'Add endpoint' }).click();
      const secret = (await page.getByTestId('webhook-secret').textContent()) ?? '';
      expect(secret).toMatch(/^whsec_/);
      await page.getByRole('button', { name: 'I have stored it' }).click();
      await page.getByRole('link', { name: `http://127.0.0.1:${port}/hooks` }).click();
      await page.getByRole('heading', { name: `http://127.0.0.1:${port}/hooks`, level: 1 }).waitFor();
      expect(await page.locator('body').textContent()).not.toContain(secret);

      // A test event of the first type asked for: delivered, with the endpoint's answer in the log.
      await page.getByRole('button', { name: 'Send test event' }).click();
      await page.getByRole('status').filter({ hasText: 'test “quota.threshold_crossed” event' }).waitFor();
      const rows = page.locator('tr[data-delivery]');
      await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(1);
      expect(await rows.first().textContent()).toContain('Delivered (200)');
      expect(await rows.first().textContent()).toContain('received, thanks');
      expect(JSON.parse(received[0] ?? '{}')).toMatchObject({ type: 'quota.threshold_crossed', test: true });

      // The endpoint fails one; it is sent again by hand once it is back.
      status = 503;
      await page.getByLabel('Event type').selectOption('export.completed');
      await page.getByRole('button', { name: 'Send test event' }).click();
      await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(2);
      const failed = rows.first();
      expect(await failed.textContent()).toContain('Failed: answered 503');
      expect(await failed.textContent()).toContain('down for maintenance');
      status = 200;
      await failed.getByRole('button', { name: 'Send again' }).click();
      // The console reads the log again for 30 s after a resend (a busy system delivers late).
      await expect.poll(() => rows.count(), { timeout: 32_000 }).toBe(3);
      expect(await rows.first().textContent()).toContain('sent again');
      expect(await rows.first().textContent()).toContain('Delivered (200)');
      expect(received).toHaveLength(3);
      expect(received[2]).toBe(received[1]);
      await screenshot(page, 'webhook');

      // Disabled after a confirmation, and said so; enabled again.
      await page.getByRole('button', { name: 'Disable' }).click();
      await page.getByRole('button', { name: 'Yes' }).click();
      await page.getByText('No events are sent to it until it is enabled again.').waitFor();
      expect(await page.getByRole('button', { name: 'Send again' }).count()).toBe(0);
      await page.getByRole('button', { name: 'Enable again' }).click();
      await page.getByRole('button', { name: 'Disable' }).waitFor();
      const stored = await call('GET', `/v1/tenants/${tenant.id}/webhooks`, { token: tenant.owner.token });
      expect(stored.body).toMatchObject({
        items: [{ status: 'active', events: ['quota.threshold_crossed', 'export.completed'] }],
      });

      // A plan without webhooks: the page says which plans have them and where to change the plan.
      const free = await createTenant({ plan: 'free' });
      const { page: freePage } = await consoleFor(free.owner.email);
      await freePage.goto(`/t/${free.id}/webhooks`);
      await freePage.getByRole('heading', { name: 'Webhooks are not in your plan' }).waitFor();
      expect(await freePage.locator('main').textContent()).toContain(
        'Professional, Business, Enterprise, and Partner',
      );
      await freePage.getByRole('link', { name: 'Change the plan in Billing' }).click();
      await freePage.getByRole('heading', { name: 'Billing', level: 1 }).waitFor();
      expect(errors).toEqual([]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('shows a viewer the agents without the controls that change them', async () => {
    const tenant = await createTenant({ plan: 'professional' });
    const made = await call<{ id: string }>('POST', `/v1/tenants/${tenant.id}/agents`, {
      token: tenant.owner.token,
      body: { name: 'Read only', model: 'claude-sonnet' },
    });
    const viewer = await addUser(tenant, 'viewer');
    const { page } = await consoleFor(viewer.email);
    await page.goto(`/t/${tenant.id}/agents`);
    await page.getByRole('link', { name: 'Read only' }).click();
    await page.getByRole('heading', { name: 'Read only', level: 1 }).waitFor();
    expect(await page.getByRole('button', { name: 'Edit' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Delete agent' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Start a run' }).count()).toBe(0);
    // Positive control: the owner sees them on the same page.
    const { page: owner } = await consoleFor(tenant.owner.email);
    await owner.goto(`/t/${tenant.id}/agents/${made.body.id}`);
    await owner.getByRole('button', { name: 'Edit' }).waitFor();
    expect(await owner.getByRole('button', { name: 'Start a run' }).count()).toBe(1);
  });

  it('shows the API’s health with its reasons, the requests by route, and the platform’s figures after the job counted', async () => {
    const tenant = await createTenant({ plan: 'professional', limitOverrides: { agents: 1 } });
    const { page } = await consoleFor(tenant.owner.email);
    const health = page.getByTestId('health');
    await expect.poll(() => health.textContent()).toContain('Healthy');
    const agent = await call('POST', `/v1/tenants/${tenant.id}/agents`, {
      token: tenant.owner.token,
      body: { name: 'The only one', model: 'claude-sonnet' },
    });
    expect(agent.status).toBe(201);
    for (let i = 0; i < 3; i += 1)
      await call('GET', `/v1/tenants/${tenant.id}/agents`, { token: tenant.owner.token });
    await runOperatorFigures(new Date());
    await page.getByRole('button', { name: 'Refresh' }).click();
    await expect.poll(() => health.textContent()).toContain('Action needed');
    expect(await health.textContent()).toContain('Agents: 1 of 1 used; more is refused.');
    const listed = page.getByRole('row').filter({ has: page.getByText('agents.list', { exact: true }) });
    // A request's log line is written as its answer goes out: on a busy machine the job may run before
    // the last one is; it counts it at its next run, as the schedule's next run would.
    await expect
      .poll(async () => {
        const text = (await listed.textContent().catch(() => '')) ?? '';
        if (/agents\.list\s*3/.test(text)) return text;
        await runOperatorFigures(new Date());
        await page.getByRole('button', { name: 'Refresh' }).click();
        return text;
      })
      .toMatch(/agents\.list\s*3/);
    await screenshot(page, 'overview-health');
    // A member sees the overview without the health card (owners and admins only).
    const member = await addUser(tenant, 'member');
    const { page: memberPage } = await consoleFor(member.email);
    await memberPage.getByRole('heading', { name: 'Overview' }).waitFor();
    await memberPage.getByRole('heading', { name: /Requests by route/ }).waitFor();
    expect(await memberPage.getByTestId('health').count()).toBe(0);

    const { page: admin } = await consoleFor(twin.platformAdmin.email, twin.platformAdmin.password);
    await admin.getByRole('link', { name: 'Platform', exact: true }).click();
    await admin.getByRole('link', { name: 'Figures' }).click();
    const shown = await admin.getByTestId('figures-tenants').textContent();
    const api = await call<{ computedAt: string; tenants: { total: number } }>(
      'GET',
      '/v1/platform/metrics',
      {
        token: await adminToken(),
      },
    );
    // The page shows the figures the API answers (the same run's, unless a later run landed between).
    expect(Number(shown?.replace(/,/g, ''))).toBeLessThanOrEqual(api.body.tenants.total);
    expect(Number(shown?.replace(/,/g, ''))).toBeGreaterThan(1);
    expect(await admin.getByTestId('figures-computed').textContent()).toContain('operator figures job');
    await screenshot(admin, 'platform-figures');
  });

  it('upgrades through Stripe Checkout and comes back to the billing page on the new plan', async () => {
    const tenant = await createTenant({ plan: 'starter' });
    const { page, errors } = await consoleFor(tenant.owner.email);
    await page.getByRole('link', { name: 'Billing', exact: true }).click();
    await expect.poll(() => page.getByTestId('billing-plan').textContent()).toBe('starter');
    // What a plan sells, in words (not the API's feature keys).
    const professional = page
      .locator('.plan')
      .filter({ has: page.getByRole('heading', { name: 'Professional' }) });
    expect(await professional.getByRole('listitem').allTextContents()).toEqual(
      expect.arrayContaining(['Webhooks', 'Audit log export (NDJSON, CSV)']),
    );
    expect(await professional.textContent()).not.toContain('auditExport');
    await screenshot(page, 'billing');
    await page.getByRole('button', { name: 'Upgrade to Professional' }).click();
    // The Stripe stand-in's Checkout page, then back to the console as Stripe sends people back.
    await page.getByRole('button', { name: 'Pay' }).click();
    await page.getByText('Payment received').waitFor();
    expect(new URL(page.url()).pathname).toBe(`/t/${tenant.id}/billing`);
    await expect
      .poll(
        async () => {
          await page.getByRole('button', { name: 'Refresh' }).click();
          return page.getByTestId('billing-plan').textContent();
        },
        { timeout: 20_000, interval: 500 },
      )
      .toBe('professional');
    await screenshot(page, 'billing-upgraded');
    expect(errors).toEqual([]);
  });

  it('exports the data with its progress, refuses a wrong confirmation, deletes and restores the tenant', async () => {
    const tenant = await createTenant({ plan: 'starter' });
    const { page, errors } = await consoleFor(tenant.owner.email);
    await page.getByRole('link', { name: 'Data', exact: true }).click();
    await page.getByRole('button', { name: 'Export all data' }).click();
    const download = page.getByRole('button', { name: /^Download/ });
    await download.waitFor({ timeout: 30_000 });
    expect(await page.locator('.exports li').first().getAttribute('data-status')).toBe('completed');
    const [file] = await Promise.all([page.waitForEvent('download'), download.click()]);
    expect(await file.failure()).toBeNull();
    await screenshot(page, 'data-exported');

    await page.getByLabel(/Type the tenant’s slug/).fill('not-the-slug');
    await page.getByRole('button', { name: 'Delete this tenant' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/slug|confirm/i);
    const still = await call<{ status: string }>('GET', `/v1/tenants/${tenant.id}`, {
      token: tenant.owner.token,
    });
    expect(still.body.status).toBe('active');

    await page.getByLabel(/Type the tenant’s slug/).fill(tenant.slug);
    await page.getByRole('button', { name: 'Delete this tenant' }).click();
    await page.getByRole('status').filter({ hasText: 'This tenant is deleted.' }).waitFor();
    await screenshot(page, 'data-deleted');
    await page.getByRole('button', { name: 'Restore this tenant' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await expect.poll(() => page.locator('.banner').count()).toBe(0);
    const restored = await call<{ status: string }>('GET', `/v1/tenants/${tenant.id}`, {
      token: tenant.owner.token,
    });
    expect(restored.body.status).toBe('active');
    expect(errors).toEqual([]);
  });

  it('shows the audit log with filters and each change’s before and after', async () => {
    const tenant = await createTenant({ plan: 'professional' });
    const renamed = await call('PATCH', `/v1/tenants/${tenant.id}`, {
      token: tenant.owner.token,
      body: { name: 'After the rename' },
    });
    expect(renamed.status).toBe(200);
    await call('POST', `/v1/tenants/${tenant.id}/agents`, {
      token: tenant.owner.token,
      body: { name: 'Audited agent', model: 'claude-sonnet' },
    });
    const { page, errors } = await consoleFor(tenant.owner.email);
    await page.getByRole('link', { name: 'Audit log', exact: true }).click();
    await page.getByLabel('Action').fill('tenant.updated');
    await page.getByRole('button', { name: 'Filter' }).click();
    const events = page.locator('.audit > li');
    await expect.poll(() => events.count()).toBe(1);
    await events.first().getByText('Before and after').click();
    const diff = await events.first().locator('table.diff').textContent();
    expect(diff).toContain(tenant.name);
    expect(diff).toContain('After the rename');
    // Who did it, by email, not by id.
    expect(await events.first().textContent()).toContain(`by ${tenant.owner.email}`);
    expect(await events.first().textContent()).not.toContain(tenant.owner.id);
    await screenshot(page, 'audit');
    // By person: the owner's email finds the events, another address none.
    await page.getByLabel('Action').fill('');
    await page.getByLabel('Person').fill('someone.else@example.test');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.getByText('No events match.').waitFor();
    await page.getByLabel('Person').fill(tenant.owner.email);
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect.poll(() => events.count()).toBeGreaterThanOrEqual(2);
    // By days: today has them, a day long past none.
    const today = new Date().toISOString().slice(0, 10);
    await page.getByLabel('From (day, UTC)').fill('2020-01-01');
    await page.getByLabel('To (day, UTC)').fill('2020-01-02');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.getByText('No events match.').waitFor();
    await page.getByLabel('From (day, UTC)').fill(today);
    await page.getByLabel('To (day, UTC)').fill(today);
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect.poll(() => events.count()).toBeGreaterThanOrEqual(2);

    for (const format of ['csv', 'ndjson']) {
      const [file] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('button', { name: `Export as ${format.toUpperCase()}` }).click(),
      ]);
      expect(file.suggestedFilename()).toMatch(new RegExp(`^audit-.*\\.${format}$`));
    }
    expect(errors).toEqual([]);
  });

  it('changes a role, resends and revokes an invitation, and removes a member', async () => {
    const tenant = await createTenant({ plan: 'starter' });
    const member = await addUser(tenant, 'member');
    const invitedEmail = `${unique('pending')}@example.test`;
    const invited = await call('POST', `/v1/tenants/${tenant.id}/users`, {
      token: tenant.owner.token,
      body: { email: invitedEmail, role: 'viewer' },
    });
    expect(invited.status).toBe(201);
    const { page, errors } = await consoleFor(tenant.owner.email);
    await page.getByRole('link', { name: 'Users', exact: true }).click();

    await page.getByLabel(`Role of ${member.email}`).selectOption('admin');
    await page
      .getByRole('status')
      .filter({ hasText: `${member.email} is now admin.` })
      .waitFor();
    const changed = await call<{ role: string }>('GET', `/v1/tenants/${tenant.id}/users/${member.id}`, {
      token: tenant.owner.token,
    });
    expect(changed.body.role).toBe('admin');

    await page.getByRole('button', { name: `Resend the invitation to ${invitedEmail}` }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `Invitation sent again to ${invitedEmail}.` })
      .waitFor();

    await page.getByRole('button', { name: `Revoke ${invitedEmail}` }).click();
    await page.getByRole('button', { name: 'Yes' }).click();
    await page.locator(`tr[data-email="${invitedEmail}"]`).waitFor({ state: 'detached' });

    await page.getByRole('button', { name: `Remove ${member.email}` }).click();
    await page.getByRole('button', { name: 'Yes' }).click();
    await page.locator(`tr[data-email="${member.email}"]`).waitFor({ state: 'detached' });
    const removed = await call('GET', '/v1/tenants/current', { token: member.token });
    expect(removed.status).toBe(403);
    // The owner cannot act on their own row (the API would refuse the last owner's removal anyway).
    expect(await page.getByRole('button', { name: `Remove ${tenant.owner.email}` }).count()).toBe(0);
    await screenshot(page, 'users-managed');
    expect(errors).toEqual([]);
  });

  it('lets a platform admin change the plan and an override, confirmed first, which the tenant’s quotas then show', async () => {
    const tenant = await createTenant({ plan: 'starter' });
    const { page: admin, errors } = await consoleFor(twin.platformAdmin.email, twin.platformAdmin.password);
    await admin.goto(`/platform/tenants/${tenant.id}`);
    await admin.getByLabel('Plan', { exact: true }).selectOption('professional');
    await admin.getByLabel('Runs this month').fill('unlimited');
    await admin.getByRole('button', { name: 'Save plan' }).click();
    // The question names every change in words; No changes nothing.
    const question = admin.getByRole('group', { name: /^Change / });
    expect(await question.textContent()).toContain('plan Starter → Professional');
    expect(await question.textContent()).toContain('Runs this month: the plan’s own → unlimited');
    await question.getByRole('button', { name: 'No' }).click();
    const unchanged = await call<{ plan: string }>('GET', `/v1/tenants/${tenant.id}/quotas`, {
      token: tenant.owner.token,
    });
    expect(unchanged.body.plan).toBe('starter');
    await admin.getByRole('button', { name: 'Save plan' }).click();
    await admin
      .getByRole('group', { name: /^Change / })
      .getByRole('button', { name: 'Yes' })
      .click();
    await admin.getByRole('status').filter({ hasText: 'Plan saved.' }).waitFor();
    const quotas = await call<{ plan: string; quotas: Array<{ resource: string; limit: number | null }> }>(
      'GET',
      `/v1/tenants/${tenant.id}/quotas`,
      { token: tenant.owner.token },
    );
    expect(quotas.body.plan).toBe('professional');
    expect(quotas.body.quotas.find((line) => line.resource === 'runs')?.limit).toBeNull();

    // An override below the plan's own limit is refused in words unless said explicitly.
    await admin.getByLabel('Agents').fill('1');
    await admin.getByRole('button', { name: 'Save plan' }).click();
    await admin
      .getByRole('group', { name: /^Change / })
      .getByRole('button', { name: 'Yes' })
      .click();
    await expect.poll(() => admin.getByRole('alert').textContent()).toMatch(/below/i);
    expect(await admin.getByRole('alert').textContent()).not.toContain('allowBelowPlan');
    await admin.getByLabel('Allow overrides below the plan’s own limits').check();
    await admin.getByRole('button', { name: 'Save plan' }).click();
    await admin
      .getByRole('group', { name: /^Change / })
      .getByRole('button', { name: 'Yes' })
      .click();
    await admin.getByRole('status').filter({ hasText: 'Plan saved.' }).waitFor();
    await screenshot(admin, 'platform-plan');
    expect(errors).toEqual([]);
  });

  it('lets a platform admin create a tenant, see its members and billing, and open its pages under a banner', async () => {
    const { page: admin, errors } = await consoleFor(twin.platformAdmin.email, twin.platformAdmin.password);
    await admin.goto('/platform/tenants');
    await admin.getByText('Create a tenant').click();
    const slug = unique('made')
      .toLowerCase()
      .replace(/[^a-z0-9-]/g, '-')
      .slice(0, 40);
    const ownerEmail = `${unique('made-owner')}@example.test`;
    await admin.getByLabel('Name').fill('Made by the platform');
    await admin.getByLabel('Slug').fill(slug);
    await admin.getByLabel('Owner’s email').fill(ownerEmail);
    await admin.getByLabel('Plan', { exact: true }).first().selectOption('professional');
    await admin.getByRole('button', { name: 'Create tenant' }).click();
    await admin.getByRole('heading', { name: 'Made by the platform', level: 1 }).waitFor();
    const tenantId = new URL(admin.url()).pathname.split('/').pop() ?? '';
    expect(tenantId).toMatch(/^ten_/);
    // Its invited owner is listed; it has no subscription yet.
    const members = admin.getByRole('table', { name: 'Members' });
    await expect.poll(() => members.textContent()).toContain(ownerEmail);
    expect(await members.textContent()).toContain('owner');
    await expect
      .poll(() => admin.locator('section[aria-labelledby="billing-heading"]').textContent())
      .toContain('None');
    // Its own pages, as its owners see them, under a banner that says whose they are.
    await admin
      .getByRole('navigation', { name: 'The tenant’s pages' })
      .getByRole('link', { name: 'Audit log' })
      .click();
    await admin.getByRole('heading', { name: 'Audit log', level: 1 }).waitFor();
    expect(await admin.getByTestId('platform-visit').textContent()).toContain('as a platform admin');
    await expect.poll(() => admin.locator('main').textContent()).toContain('tenant.created');
    await admin.getByRole('link', { name: 'Back to the platform’s page of this tenant' }).click();
    await admin.getByRole('heading', { name: 'Made by the platform', level: 1 }).waitFor();
    // A duplicate slug is refused in words, and nothing is made.
    await admin.goto('/platform/tenants');
    await admin.getByText('Create a tenant').click();
    await admin.getByLabel('Name').fill('Same slug');
    await admin.getByLabel('Slug').fill(slug);
    await admin.getByLabel('Owner’s email').fill(`${unique('other')}@example.test`);
    await admin.getByRole('button', { name: 'Create tenant' }).click();
    await admin.getByRole('alert').waitFor();
    expect(await admin.getByRole('alert').textContent()).toMatch(/slug/i);
    // The positive control of the banner: the tenant's own owner sees none.
    const owner = await createTenant({ plan: 'starter' });
    const { page } = await consoleFor(owner.owner.email);
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    expect(await page.getByTestId('platform-visit').count()).toBe(0);
    expect(errors).toEqual([]);
  });

  it('lets a platform admin grant the power by email and take it back, each in the platform audit log by email', async () => {
    const tenant = await createTenant({ plan: 'starter' });
    const { page: admin, errors } = await consoleFor(twin.platformAdmin.email, twin.platformAdmin.password);
    await admin.goto('/platform/tenants');
    await admin.getByRole('link', { name: 'Platform admins' }).click();
    await admin.getByRole('heading', { name: 'Platform admins', level: 1 }).waitFor();
    // Someone without a sign-in: refused in words.
    await admin.getByLabel('Email').fill(`${unique('nobody')}@example.test`);
    await admin.getByRole('button', { name: 'Grant' }).click();
    await admin.getByRole('alert').filter({ hasText: 'Person not found' }).waitFor();
    await admin.getByLabel('Email').fill(tenant.owner.email);
    await admin.getByRole('button', { name: 'Grant' }).click();
    const row = admin.locator(`tr[data-admin="${tenant.owner.id}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain(tenant.owner.email);
    expect(await row.textContent()).toContain(twin.platformAdmin.email);
    await screenshot(admin, 'platform-admins');
    // Revoked after a confirmation; No keeps it.
    await row.getByRole('button', { name: 'Revoke' }).click();
    await row.getByRole('button', { name: 'No' }).click();
    expect(await row.count()).toBe(1);
    await row.getByRole('button', { name: 'Revoke' }).click();
    await row.getByRole('button', { name: 'Yes' }).click();
    await expect.poll(() => row.count()).toBe(0);
    await admin.getByRole('link', { name: 'Platform audit log' }).click();
    await admin.getByRole('heading', { name: 'Platform audit log' }).waitFor();
    const events = admin.locator('tr[data-event]').filter({ hasText: tenant.owner.email });
    await expect.poll(() => events.count()).toBe(2);
    expect(await events.first().textContent()).toContain('Platform-admin power taken away');
    expect(await events.nth(1).textContent()).toContain('Made a platform admin');
    expect(await events.first().textContent()).toContain(twin.platformAdmin.email);
    expect(errors).toEqual([]);
  });

  it('says on the overview when the tenant is above its plan’s limits, and leads to billing', async () => {
    const tenant = await createTenant({ plan: 'professional' });
    for (const name of ['One', 'Two', 'Three']) {
      const made = await call('POST', `/v1/tenants/${tenant.id}/agents`, {
        token: tenant.owner.token,
        body: { name, model: 'claude-sonnet' },
      });
      expect(made.status).toBe(201);
    }
    const { page, errors } = await consoleFor(tenant.owner.email);
    await page.locator('[data-resource="agents"]').waitFor();
    // Within its limits: no banner.
    expect(await page.getByTestId('above-limits').count()).toBe(0);
    const lowered = await call('PUT', `/v1/tenants/${tenant.id}/plan`, {
      token: await adminToken(),
      body: { plan: 'professional', limitOverrides: { agents: 1 }, allowBelowPlan: true },
    });
    expect(lowered.status, lowered.text).toBe(200);
    await page.reload();
    const banner = page.getByTestId('above-limits');
    await banner.waitFor();
    expect(await banner.textContent()).toContain('Above the Professional plan’s limits: 3 of 1 agents');
    await banner.getByRole('link', { name: 'Billing' }).click();
    await page.getByRole('heading', { name: 'Billing', level: 1 }).waitFor();
    expect(errors).toEqual([]);
  });

  it('pages a list with the API’s cursors, forward and back', async () => {
    const tenant = await createTenant({ plan: 'professional' });
    const names: string[] = [];
    for (let i = 0; i < 27; i += 1) {
      const name = `Key ${String(i).padStart(2, '0')}`;
      names.push(name);
      await createApiKey(tenant, ['tenant:read'], { name });
    }
    const { page, errors } = await consoleFor(tenant.owner.email);
    await page.getByRole('link', { name: 'API keys', exact: true }).click();
    const pager = page.getByRole('navigation', { name: 'API keys pages' });
    const rows = page.locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(25);
    const firstPage = await rows.allTextContents();
    expect(await pager.getByRole('button', { name: 'Previous' }).isDisabled()).toBe(true);
    await pager.getByRole('button', { name: 'Next' }).click();
    await expect.poll(() => rows.count()).toBe(2);
    expect(await pager.textContent()).toContain('Page 2');
    expect(await pager.getByRole('button', { name: 'Next' }).isDisabled()).toBe(true);
    const secondPage = await rows.allTextContents();
    // Every key once, on one page or the other.
    const seen = [...firstPage, ...secondPage].map((row) => names.find((name) => row.startsWith(name)));
    expect(new Set(seen).size).toBe(27);
    await screenshot(page, 'api-keys-page-2');
    await pager.getByRole('button', { name: 'Previous' }).click();
    await expect.poll(() => rows.count()).toBe(25);
    expect(await rows.allTextContents()).toEqual(firstPage);
    expect(errors).toEqual([]);
  });

  it('refreshes the session before the ID token expires, and signs out when Cognito refuses to', async () => {
    const tenant = await createTenant({ plan: 'starter' });
    const { page, errors } = await consoleFor(tenant.owner.email);
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    const session = () => page.evaluate("JSON.parse(sessionStorage.getItem('tenantry.session') ?? 'null')");
    // The token is about to expire: the next request refreshes it first.
    await page.evaluate(
      "const s = JSON.parse(sessionStorage.getItem('tenantry.session')); s.expiresAt = Date.now() + 30000; sessionStorage.setItem('tenantry.session', JSON.stringify(s));",
    );
    await page.reload();
    await page.getByRole('link', { name: 'Users', exact: true }).click();
    await page.getByRole('heading', { name: 'Users' }).waitFor();
    await expect
      .poll(async () => ((await session()) as { expiresAt: number }).expiresAt - Date.now())
      .toBeGreaterThan(10 * 60_000);
    expect(await page.getByRole('alert').count()).toBe(0);

    // A refresh token Cognito does not know ends the session: back to the sign-in form.
    await page.evaluate(
      "const s = JSON.parse(sessionStorage.getItem('tenantry.session')); s.expiresAt = Date.now(); s.refreshToken = 'not-a-refresh-token'; sessionStorage.setItem('tenantry.session', JSON.stringify(s));",
    );
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(await session()).toBeNull();
    expect(errors).toEqual([]);
  });
});
