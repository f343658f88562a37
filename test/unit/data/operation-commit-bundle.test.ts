import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { BUNDLE_OPTIONS } from '../../../infra/constructs/bundling';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'commit-bundle-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * The operation's commit recognises ElectroDB's writes by their command classes. Bundled and
 * minified as the Lambda functions are (class names renamed), an ElectroDB put and a transaction
 * must still carry the attachments: built here with the functions' own bundle options and run.
 */
const ENTRY = `
import { Entity } from 'electrodb';
import { sendWithinCommit, withOperationCommit } from './shared/data/operation-commit';
const sent = [];
const client = { send: (command) => sendWithinCommit(async (next) => { sent.push(next); return {}; }, command) };
const entity = new Entity(
  {
    model: { entity: 'probe', version: '1', service: 'probe' },
    attributes: { id: { type: 'string', required: true } },
    indexes: { primary: { pk: { field: 'pk', composite: ['id'] }, sk: { field: 'sk', composite: [] } } },
  },
  { table: 't', client },
);
const commit = { attachments: [{ Update: { TableName: 't', Key: { pk: 'x', sk: 'y' }, UpdateExpression: 'SET a = :a', ExpressionAttributeValues: { ':a': 1 } } }], committed: false };
void withOperationCommit(commit, () => entity.create({ id: 'a' }).go({ response: 'none' })).then(() =>
  console.log(JSON.stringify({ committed: commit.committed, items: sent.map((c) => c.input.TransactItems?.length ?? 0) })),
);
`;

describe('the operation commit in a minified Lambda bundle', () => {
  it('still attaches the request’s bookkeeping to an ElectroDB write', async () => {
    const outfile = join(dir, 'probe.cjs');
    await build({
      ...BUNDLE_OPTIONS,
      banner: { js: BUNDLE_OPTIONS.banner },
      define: { ...BUNDLE_OPTIONS.define },
      mainFields: [...BUNDLE_OPTIONS.mainFields],
      stdin: { contents: ENTRY, loader: 'ts', resolveDir: ROOT, sourcefile: 'probe.ts' },
      bundle: true,
      outfile,
      logLevel: 'error',
    });
    const output = execFileSync(process.execPath, [outfile], {
      encoding: 'utf8',
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    });
    expect(JSON.parse(output.trim())).toEqual({ committed: true, items: [2] });
  });
});
