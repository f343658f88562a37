import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { call, createTenant } from '../helpers/twin-api';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..');

/**
 * Single-tenant mode: the same functions, configured with SINGLE_TENANT=true and the one tenant's id,
 * in a process of their own (configuration is read once per process, as in Lambda), on the twin's data.
 */
describe('single-tenant mode', () => {
  it('acts on the one tenant whatever the credential’s default, refuses another, and closes signup', async () => {
    const [only, other] = await Promise.all([createTenant(), createTenant()]);
    // The person belongs to both; their default is the other tenant.
    const invited = await call('POST', `/v1/tenants/${only.id}/users`, {
      token: only.owner.token,
      body: { email: other.owner.email, role: 'member' },
    });
    expect(invited.status, invited.text).toBe(201);
    const { stdout } = await run(
      join(ROOT, 'node_modules', '.bin', 'tsx'),
      [join(ROOT, 'test', 'helpers', 'single-tenant-worker.ts'), other.owner.id, other.id],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          SINGLE_TENANT: 'true',
          DEFAULT_TENANT_ID: only.id,
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        },
      },
    );
    const results = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Record<
      string,
      { status: number; code: string | null; tenantId: string | null; resolvedBy: string | null }
    >;
    expect(results.signup).toMatchObject({ status: 403, code: 'single_tenant_mode' });
    // `current` is the one tenant, not the person's default (the other one).
    expect(results.current).toMatchObject({ status: 200, resolvedBy: 'default' });
    expect(results.other).toMatchObject({ status: 403, code: 'tenant_mismatch' });
    // The console's branding is the one tenant's, at any address.
    expect(results.branding).toMatchObject({ status: 200, tenantId: only.id });
    // The positive control: the same requests in the shared (multi-tenant) twin.
    const multi = await call<{ id: string }>('GET', '/v1/tenants/current', { token: other.owner.token });
    expect(multi.body.id).toBe(other.id);
  });
});
