import { ValidationError } from '../errors';

/** The key attributes a cursor of a table query, or of a gsi1 query, must carry (and no others). */
const TABLE_KEYS = ['pk', 'sk'];
const GSI1_KEYS = ['pk', 'sk', 'gsi1pk', 'gsi1sk'];

/**
 * ElectroDB cursors are base64url JSON of the last evaluated key. A client could hand back one it
 * forged for another partition, or one missing a key attribute; DynamoDB would refuse it with a
 * 500-shaped error, or the key could point elsewhere. Each list decodes the cursor and checks that it
 * has exactly the index's key attributes and stays in the partition it queries.
 */
export function checkedCursor(cursor: string | undefined, expected: Record<string, string>): string | null {
  if (cursor === undefined) return null;
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  if (!key || typeof key !== 'object' || Array.isArray(key)) throw invalidCursor();
  const record = key as Record<string, unknown>;
  if (!Object.values(record).every((value) => typeof value === 'string' && value.length <= 1024)) {
    throw invalidCursor();
  }
  const keys = 'gsi1pk' in expected ? GSI1_KEYS : TABLE_KEYS;
  const present = Object.keys(record).sort();
  if (present.length !== keys.length || !keys.every((key) => present.includes(key))) throw invalidCursor();
  for (const [attribute, value] of Object.entries(expected)) {
    if (record[attribute] !== value) throw invalidCursor();
  }
  return cursor;
}

function invalidCursor(): ValidationError {
  return new ValidationError('The cursor is not valid for this list.', [], 'invalid_cursor');
}

/** Encodes an opaque cursor of our own (used where one page spans several partitions). */
export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): unknown {
  try {
    return JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
}
