import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

/**
 * `npm run tenant:import -- <file> --tenant <tenantId>` or
 * `npm run tenant:import -- <file> --new <name> <slug> <owner email>`: loads an export of this platform
 * (`.ndjson.gz` as downloaded, or unzipped) or a `tenantry-import/1` file into an empty tenant, or into
 * a new one made for it, with the same code as `POST /v1/tenants/{tenantId}/import`. Against the
 * running twin (its `.data/endpoints.json`), or, where that is absent, the deployment the environment
 * names (TABLE_NAME, AWS credentials…). Prints what was imported.
 */
const usage = `usage:
  npm run tenant:import -- <file> --tenant <tenantId>
  npm run tenant:import -- <file> --new <name> <slug> <owner email>`;
const [file, mode, ...rest] = process.argv.slice(2);
if (
  !file ||
  (mode !== '--tenant' && mode !== '--new') ||
  (mode === '--tenant' ? rest.length !== 1 : rest.length !== 3)
) {
  console.error(usage);
  process.exit(2);
}
const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const endpointsFile = join(process.env.TENANTRY_DATA_DIR ?? join(root, '.data'), 'endpoints.json');
if (existsSync(endpointsFile)) {
  const endpoints = JSON.parse(readFileSync(endpointsFile, 'utf8')) as { runtimeEnv: Record<string, string> };
  Object.assign(process.env, endpoints.runtimeEnv, { LOG_LEVEL: 'WARN' });
}

const raw = readFileSync(file);
const text = (file.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
const now = new Date();
const { importIntoTenant } = await import('../../shared/jobs/tenant-import');
const { systemContextFor } = await import('../../shared/tenancy/system-context');
const { runAt, runWithTenantContext } = await import('../../shared/context/tenant-context');
let tenantId = rest[0] ?? '';
try {
  if (mode === '--new') {
    const [name = '', slug = '', email = ''] = rest;
    const { provisionTenant } = await import('../../shared/tenants/tenant-provisioning');
    const made = await provisionTenant({ name, slug, owner: { email } }, () => ({
      actor: { type: 'system', id: 'system:import', tenantId: undefined, isPlatformAdmin: false },
      meta: { requestId: 'tenant-import', sourceIp: '127.0.0.1', userAgent: 'tenantry-import' },
    }));
    tenantId = made.tenant.id;
    console.error(`Made the tenant ${tenantId} (${slug}); its owner ${email} gets the invitation email.`);
  }
  const ctx = await systemContextFor(tenantId, `import:${now.toISOString()}`, 'system:import');
  if (!ctx) throw new Error(`No tenant ${tenantId}.`);
  // As a job works on a tenant: in its context (the tenant-guarded client), at the run's time.
  const report = await runAt(now, () => runWithTenantContext(ctx, () => importIntoTenant(ctx, text, now)));
  console.log(JSON.stringify({ tenantId, ...report }, null, 2));
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
