import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const { atomicWriter } = require('../../../infra/local/atomic-file-writer.cjs') as {
  atomicWriter: (path: string) => (text: string) => Promise<void>;
};

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A store's snapshot as cognito-local's writes it: the whole pool, growing with each change. */
const snapshot = (users: number) =>
  JSON.stringify({
    Users: Object.fromEntries(Array.from({ length: users }, (_, i) => [`user${i}`, 'x'.repeat(200)])),
  });

/** Reads the file as often as it can while `writes` run; answers how many reads found it cut. */
async function readWhile(path: string, writes: Promise<unknown>): Promise<{ reads: number; cut: number }> {
  let done = false;
  void writes.finally(() => (done = true));
  let reads = 0;
  let cut = 0;
  while (!done) {
    reads += 1;
    try {
      JSON.parse(readFileSync(path, 'utf8'));
    } catch {
      cut += 1;
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
  return { reads, cut };
}

describe('the twin’s cognito-local store writes', () => {
  it('leave one whole snapshot in the file at every moment, the last change in the end', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'atomic-'));
    dirs.push(dir);
    const path = join(dir, 'pool.json');
    writeFileSync(path, snapshot(0));
    const write = atomicWriter(path);
    const writes = Promise.all(Array.from({ length: 200 }, (_, i) => write(snapshot(2_000 + i))));
    const { reads, cut } = await readWhile(path, writes);
    expect(reads).toBeGreaterThan(0);
    expect(cut).toBe(0);
    expect(Object.keys((JSON.parse(readFileSync(path, 'utf8')) as { Users: object }).Users)).toHaveLength(
      2_199,
    );
  });

  it('is needed: writing the file in place, as the store did, is seen cut by a reader', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'in-place-'));
    dirs.push(dir);
    const path = join(dir, 'pool.json');
    writeFileSync(path, snapshot(0));
    const { promises: fsp } = await import('node:fs');
    const writes = Promise.all(
      Array.from({ length: 200 }, (_, i) => fsp.writeFile(path, snapshot(2_000 + i))),
    );
    const { cut } = await readWhile(path, writes);
    expect(cut).toBeGreaterThan(0);
  });
});
