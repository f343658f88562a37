/**
 * `npm run stripe:setup`: makes Stripe sell what the plan data says (products, monthly prices,
 * overage meters and metered prices), idempotently by product id, lookup key and meter event name,
 * and prints each step. Needs `STRIPE_SECRET_KEY` (a test key against Stripe's test mode), or the
 * running twin's stand-in when run beside `npm start` (it reads `.data/endpoints.json`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

if (!process.env.STRIPE_SECRET_KEY) {
  const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
  const endpoints = join(process.env.TENANTRY_DATA_DIR ?? join(root, '.data'), 'endpoints.json');
  if (!existsSync(endpoints)) {
    console.error('Set STRIPE_SECRET_KEY, or start the twin (npm start) to set up its Stripe stand-in.');
    process.exit(2);
  }
  const { runtimeEnv } = JSON.parse(readFileSync(endpoints, 'utf8')) as {
    runtimeEnv: Record<string, string>;
  };
  for (const name of ['STRIPE_SECRET_KEY', 'STRIPE_API_URL'])
    if (runtimeEnv[name]) process.env[name] = runtimeEnv[name];
}
process.env.CURSOR_SECRET ??= 'stripe-setup-does-not-seal-cursors-0000';
process.env.LOG_LEVEL ??= 'SILENT';

const { ensureStripeCatalog } = await import('../../shared/billing/catalog-setup');
for (const step of await ensureStripeCatalog()) {
  console.log(`${step.action.padEnd(9)} ${step.object.padEnd(7)} ${step.name}  (${step.id})`);
}
