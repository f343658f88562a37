/**
 * `npm run bench:bundles`: every Lambda bundle, built as `cdk synth` builds it, beside a bare
 * Middy + DynamoDB document client bundle built the same way in the same run. Prints each bundle's
 * size and the time Node takes to load it (a fresh process each time, bare and function taken in
 * turn so the machine's noise falls on both), and the ratios to the bare bundle. Asserts nothing.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';
import { BUNDLE_OPTIONS } from '../../infra/constructs/bundling';
import { DOCS_PACKAGE_FILES } from '../../shared/api/docs/assets';
import { functionEntry } from '../../shared/api/function-entries';
import { ROUTES } from '../../shared/api/manifest';

const ROOT = join(import.meta.dirname, '..', '..');
const LOAD_RUNS = Number(process.env.BENCH_LOAD_RUNS ?? 15);
const SIZE_TARGET = 1.2;
const LOAD_TARGET = 1.3;

/**
 * Every Lambda function: one per domain of the manifest, the authorizer, the job functions, and the
 * user pool's triggers (Cognito waits at most 5 s for each, cold start included).
 */
const FUNCTIONS = [
  ...new Set(ROUTES.map((route) => route.function)),
  'authorizer',
  'jobs/scheduler',
  'jobs/worker',
  'jobs/billing-outbox',
  'jobs/notifications',
  'jobs/webhook-deliveries',
  'jobs/sso-reconcile',
  'triggers/custom-message',
  'triggers/pre-token-generation',
] as const;

const BARE_HANDLER = `
import middy from '@middy/core';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));
export const handler = middy().handler(async (event: { id: string }) => {
  const result = await client.send(new GetCommand({ TableName: 'bare', Key: { pk: event.id, sk: 'x' } }));
  return { statusCode: 200, body: JSON.stringify(result.Item ?? null) };
});
`;

/** What a function's configuration needs at cold start (every module reads it when loaded). */
const ENV = {
  ...process.env,
  AWS_REGION: 'us-east-1',
  TABLE_NAME: 'bench',
  COGNITO_USER_POOL_ID: 'us-east-1_bench',
  COGNITO_CLIENT_ID: 'bench',
  CURSOR_SECRET: 'bench-cursor-secret-0123456789abcdef',
  LOG_LEVEL: 'SILENT',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

async function bundle(outDir: string, entry: { path: string } | { contents: string }): Promise<number> {
  mkdirSync(outDir, { recursive: true });
  const outfile = join(outDir, 'index.js');
  await build({
    ...BUNDLE_OPTIONS,
    banner: { js: BUNDLE_OPTIONS.banner },
    define: { ...BUNDLE_OPTIONS.define },
    mainFields: [...BUNDLE_OPTIONS.mainFields],
    bundle: true,
    outfile,
    logLevel: 'error',
    ...('path' in entry
      ? { entryPoints: [entry.path] }
      : { stdin: { contents: entry.contents, loader: 'ts', resolveDir: ROOT, sourcefile: 'bare.ts' } }),
  });
  return statSync(outfile).size;
}

/** Milliseconds for a fresh Node process to load the bundle (`require`), measured inside it. */
function loadTime(outDir: string): number {
  const script = `const s=process.hrtime.bigint();require(${JSON.stringify(join(outDir, 'index.js'))});process.stdout.write(String(Number(process.hrtime.bigint()-s)/1e6))`;
  return Number(execFileSync(process.execPath, ['-e', script], { env: ENV, cwd: outDir }).toString());
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'tenantry-bundles-'));
  try {
    const bareDir = join(work, 'bare');
    const bareSize = await bundle(bareDir, { contents: BARE_HANDLER });
    const rows: string[][] = [];
    const ratios: Array<{ size: number; load: number }> = [];
    for (const name of FUNCTIONS) {
      const dir = join(work, name.replace('/', '-'));
      const size = await bundle(dir, { path: join(ROOT, functionEntry(name)) });
      if (name === 'docs') {
        for (const file of DOCS_PACKAGE_FILES) {
          const target = join(dir, 'node_modules', file);
          mkdirSync(dirname(target), { recursive: true });
          copyFileSync(join(ROOT, 'node_modules', file), target);
        }
      }
      const bareLoads: number[] = [];
      const loads: number[] = [];
      for (let run = 0; run < LOAD_RUNS; run += 1) {
        bareLoads.push(loadTime(bareDir));
        loads.push(loadTime(dir));
      }
      const [bareLoad, load] = [median(bareLoads), median(loads)];
      const ratio = { size: size / bareSize, load: load / bareLoad };
      ratios.push(ratio);
      rows.push([
        name,
        (size / 1024).toFixed(0),
        ratio.size.toFixed(2),
        load.toFixed(1),
        bareLoad.toFixed(1),
        ratio.load.toFixed(2),
        ratio.size <= SIZE_TARGET && ratio.load <= LOAD_TARGET ? 'yes' : 'no',
      ]);
    }
    const header = [
      'function',
      'size KB',
      'size ×bare',
      'load ms',
      'bare load ms',
      'load ×bare',
      'on target',
    ];
    const widths = header.map((title, column) =>
      Math.max(title.length, ...rows.map((row) => row[column]?.length ?? 0)),
    );
    const line = (cells: string[]) =>
      cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ');
    console.log(
      `\nBundles as cdk synth builds them; bare Middy + DynamoDB document client: ${(bareSize / 1024).toFixed(0)} KB.`,
    );
    console.log(`Load: median of ${LOAD_RUNS} fresh processes each, bare and function taken in turn.`);
    console.log(`Targets: size ≤ ${SIZE_TARGET}× and load ≤ ${LOAD_TARGET}× the bare bundle.\n`);
    console.log(line(header));
    for (const row of rows) console.log(line(row));
    const worst = ratios.reduce((a, b) => ({
      size: Math.max(a.size, b.size),
      load: Math.max(a.load, b.load),
    }));
    console.log(`\nWorst: size ${worst.size.toFixed(2)}×, load ${worst.load.toFixed(2)}×.`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
