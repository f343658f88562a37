import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { cruise, type ICruiseResult, type IForbiddenRuleType } from 'dependency-cruiser';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const rules = createRequire(import.meta.url)(join(ROOT, '.dependency-cruiser.cjs')) as {
  forbidden: IForbiddenRuleType[];
  options: Record<string, unknown>;
};

async function violationsIn(baseDir: string, folders: string[]): Promise<string[]> {
  const { output } = await cruise(folders, {
    baseDir,
    validate: true,
    ruleSet: { forbidden: rules.forbidden },
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
  });
  return (output as ICruiseResult).summary.violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`);
}

const fixture = mkdtempSync(join(tmpdir(), 'tenantry-layers-'));
function write(path: string, text: string): void {
  mkdirSync(dirname(join(fixture, path)), { recursive: true });
  writeFileSync(join(fixture, path), text);
}

describe('the layer rules (dependency-cruiser)', () => {
  afterAll(() => rmSync(fixture, { recursive: true, force: true }));

  it('finds no violation in the code base (positive control)', async () => {
    expect(await violationsIn(ROOT, ['shared', 'functions', 'infra'])).toEqual([]);
  }, 60_000);

  it('fails on an upward import, a cycle, folders importing each other, an unplaced folder, and functions and infra meeting directly', async () => {
    write('shared/errors.ts', 'export const x = 1;\n');
    write('shared/http/route.ts', "import { x } from '../errors';\nexport const route = x;\n");
    write('shared/data/leak.ts', "import { route } from '../http/route';\nexport const leak = route;\n");
    write('shared/agents/a.ts', "import { b } from './b';\nexport const a = () => b;\n");
    write('shared/agents/b.ts', "import { a } from './a';\nexport const b = () => a;\n");
    write(
      'infra/stack.ts',
      "import { handler } from '../functions/x/handler';\nexport const stack = handler;\n",
    );
    write('functions/x/handler.ts', 'export const handler = 1;\n');
    // Two domains that call each other: tenants may call billing, billing may not call tenants.
    write(
      'shared/billing/outbox.ts',
      "import { readTenant } from '../tenants/service';\nexport const enqueue = () => readTenant;\n",
    );
    write(
      'shared/tenants/service.ts',
      "import { enqueue } from '../billing/outbox';\nexport const readTenant = () => enqueue;\n",
    );
    // The vocabulary may not reach into a domain; a folder outside the order is flagged.
    write(
      'shared/model/plans.ts',
      "import { enqueue } from '../billing/outbox';\nexport const plans = enqueue;\n",
    );
    write('shared/misc/helper.ts', "import { x } from '../errors';\nexport const helper = x;\n");
    const violations = await violationsIn(fixture, ['shared', 'functions', 'infra']);
    expect(violations).toContainEqual(
      expect.stringMatching(
        /^no-upward-import-from-data: shared\/data\/leak\.ts -> shared\/http\/route\.ts$/,
      ),
    );
    expect(violations).toContainEqual(
      expect.stringMatching(
        /^no-upward-import-from-billing: shared\/billing\/outbox\.ts -> shared\/tenants\/service\.ts$/,
      ),
    );
    expect(violations).toContainEqual(
      expect.stringMatching(
        /^no-upward-import-from-model: shared\/model\/plans\.ts -> shared\/billing\/outbox\.ts$/,
      ),
    );
    expect(violations).toContainEqual(
      expect.stringMatching(
        /^every-shared-folder-has-a-layer: shared\/misc\/helper\.ts -> shared\/errors\.ts$/,
      ),
    );
    expect(violations).toContainEqual(
      expect.stringMatching(/^no-cycles: shared\/agents\/a\.ts -> shared\/agents\/b\.ts$/),
    );
    expect(violations).toContainEqual(
      expect.stringMatching(
        /^functions-and-infra-meet-only-through-shared: infra\/stack\.ts -> functions\/x\/handler\.ts$/,
      ),
    );
    // A downward import is allowed: http to the base, tenants to billing.
    expect(violations.some((v) => v.includes('shared/http/route.ts -> shared/errors.ts'))).toBe(false);
    expect(violations.some((v) => v.includes('shared/tenants/service.ts -> shared/billing/outbox.ts'))).toBe(
      false,
    );
  }, 60_000);
});
