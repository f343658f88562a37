import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..', '..');

function sources(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { recursive: true, encoding: 'utf8' })
    .filter((path) => path.endsWith('.ts'))
    .map((path) => join(folder, path));
}

/** What writes an audit event: building one, or putting one in a transaction. */
const WRITES_AUDIT = /\bauditEventItem\(|\bauditEvent\s*\.create\(|AuditEventEntity\s*\.(create|put)\(/;

describe('audited writes', () => {
  const files = ['shared', 'functions', 'infra'].flatMap(sources);
  const writers = files.filter((file) => WRITES_AUDIT.test(readFileSync(join(ROOT, file), 'utf8')));

  // A change and its event in one transaction (writeAudited, writeAuditedAs), or an event alone for
  // an act that writes nothing (recordAuditEvent: a platform admin's read). The scan finds both
  // (the positive control: an empty list would say the pattern matches nothing).
  it('are written by the audit folder only', () => {
    expect(writers.map((file) => relative(ROOT, join(ROOT, file)))).toEqual([
      'shared/audit/audit-log.ts',
      'shared/audit/audited-transaction.ts',
    ]);
  });
});
