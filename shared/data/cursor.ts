import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { getConfig } from '../config';
import { ValidationError } from '../errors';

/** The key that seals cursors, derived from the configured secret (AES-256-GCM). */
const CURSOR_KEY = createHash('sha256').update(`tenantry cursor key\n${getConfig().cursors.secret}`).digest();
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Seals a position for the client: encrypted, so it shows nothing of the key design, and
 * authenticated with the list it belongs to (`list`, e.g. `agents:<tenantId>`), so a cursor that was
 * altered, forged or handed out by another list cannot be opened here.
 */
export function sealCursor(list: string, position: string | null): string | null {
  if (position === null) return null;
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', CURSOR_KEY, iv);
  cipher.setAAD(Buffer.from(list, 'utf8'));
  const sealed = Buffer.concat([cipher.update(position, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64url');
}

/** The position inside a cursor that `list` sealed; anything else is a 400 `invalid_cursor`. */
export function openSealedCursor(list: string, cursor: string | undefined): string | null {
  if (cursor === undefined) return null;
  const raw = Buffer.from(cursor, 'base64url');
  if (raw.length <= IV_BYTES + TAG_BYTES || raw.toString('base64url') !== cursor) throw invalidCursor();
  try {
    const decipher = createDecipheriv('aes-256-gcm', CURSOR_KEY, raw.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(list, 'utf8'));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString(
      'utf8',
    );
  } catch {
    throw invalidCursor();
  }
}

/**
 * Opens a list's cursor to the ElectroDB cursor inside, checked once more to carry exactly the
 * index's key attributes in the partition the list queries.
 */
export function openCursor(
  list: string,
  cursor: string | undefined,
  expected: Record<string, string>,
): string | null {
  const position = openSealedCursor(list, cursor);
  return position === null ? null : checkedCursor(position, expected);
}

/** The key attributes a cursor of a table query, or of a gsi1 query, must carry (and no others). */
const TABLE_KEYS = ['pk', 'sk'];
const GSI1_KEYS = ['pk', 'sk', 'gsi1pk', 'gsi1sk'];

/**
 * ElectroDB cursors are base64url JSON of the last evaluated key. Sealing keeps clients from making
 * their own; this check keeps a bug of ours from sending DynamoDB a key with missing attributes or
 * outside the partition the list queries.
 */
export function checkedCursor(cursor: string, expected: Record<string, string>): string {
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

/** The answer to a cursor this list did not hand out (or that was altered): names the parameter. */
export function invalidCursor(): ValidationError {
  return new ValidationError(
    'The cursor is not valid for this list.',
    [{ path: 'cursor', message: 'is not a cursor this list handed out' }],
    'invalid_cursor',
  );
}

/** Encodes a position of our own as text (a job's stored fan-out position). */
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
