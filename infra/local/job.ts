import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * `npm run job -- <job> [ISO date]` (`monthly-reset`, `billing-close`, `billing-daily`, `quota-reconcile`, `tenant-purge`, `data-retention`, `domain-check`, `operator-figures`, `sso-reconcile`): runs a scheduled job against the running
 * local twin with the same code the EventBridge schedule runs, its per-tenant work done in-process.
 */
const [job, at] = process.argv.slice(2);
const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const dataDir = process.env.TENANTRY_DATA_DIR ?? join(root, '.data');
const endpoints = JSON.parse(readFileSync(join(dataDir, 'endpoints.json'), 'utf8')) as {
  runtimeEnv: Record<string, string>;
};
Object.assign(process.env, endpoints.runtimeEnv);

const { isJobName, JOB_NAMES } = await import('../../shared/jobs/job-definitions');
const { runJob, inProcessDispatcher } = await import('../../shared/jobs/job-runner');
const { OPERATOR_FIGURES_JOB, runOperatorFigures } = await import('../../shared/operations/operator-figures');
const { reconcileFederatedProviders } = await import('../../shared/sso/provider-reconcile');
const SSO_RECONCILE = 'sso-reconcile';
if (!isJobName(job) && job !== OPERATOR_FIGURES_JOB && job !== SSO_RECONCILE) {
  console.error(
    `usage: npm run job -- <${[...JOB_NAMES, OPERATOR_FIGURES_JOB, SSO_RECONCILE].join('|')}> [ISO date, default now]`,
  );
  process.exit(2);
}
const now = at ? new Date(at) : new Date();
if (Number.isNaN(now.getTime())) {
  console.error(`Not a date: ${at}`);
  process.exit(2);
}
const result = isJobName(job)
  ? await runJob(job, now, inProcessDispatcher)
  : job === SSO_RECONCILE
    ? await reconcileFederatedProviders(now)
    : await runOperatorFigures(now);
console.log(JSON.stringify(result));
