import { createHash, randomBytes } from 'node:crypto';

/**
 * The API key secret: `tntry_`, 32 random bytes in base62 (43 characters), then a 6-character
 * base62 checksum of what precedes it. The prefix lets people and secret scanners recognise a
 * leaked key; the checksum lets the authorizer refuse a mistyped or made-up key without a lookup;
 * base62 keeps it one word (a double click selects it all). Only its SHA-256 is ever stored: the
 * secret has 256 bits of entropy, so a slow password hash would add nothing but latency.
 */
export const API_KEY_PREFIX = 'tntry_';
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const BODY_LENGTH = 43;
const CHECKSUM_LENGTH = 6;
const SECRET_BYTES = 32;
const KEY_PATTERN = new RegExp(`^${API_KEY_PREFIX}[0-9A-Za-z]{${BODY_LENGTH + CHECKSUM_LENGTH}}$`);
/** How many characters of a key a list shows, to tell keys apart: the prefix and 4 of the body. */
const HINT_LENGTH = API_KEY_PREFIX.length + 4;

function base62(bytes: Buffer, length: number): string {
  let value = BigInt(`0x${bytes.toString('hex') || '0'}`);
  let text = '';
  while (value > 0n) {
    text = ALPHABET[Number(value % 62n)] + text;
    value /= 62n;
  }
  return text.padStart(length, '0');
}

function checksumOf(prefixAndBody: string): string {
  const digest = createHash('sha256').update(prefixAndBody).digest().subarray(0, 4);
  return base62(digest, CHECKSUM_LENGTH);
}

/** A new key secret. Shown once to its creator; never stored or logged. */
export function newApiKeySecret(): string {
  const prefixAndBody = `${API_KEY_PREFIX}${base62(randomBytes(SECRET_BYTES), BODY_LENGTH)}`;
  return `${prefixAndBody}${checksumOf(prefixAndBody)}`;
}

/** Whether a bearer credential is meant as an API key (it has the prefix), well-formed or not. */
export function looksLikeApiKey(credential: string): boolean {
  return credential.startsWith(API_KEY_PREFIX);
}

/** Whether `credential` has a key's form and its checksum matches: decided without any lookup. */
export function isWellFormedApiKey(credential: string): boolean {
  if (!KEY_PATTERN.test(credential)) return false;
  const prefixAndBody = credential.slice(0, -CHECKSUM_LENGTH);
  return checksumOf(prefixAndBody) === credential.slice(-CHECKSUM_LENGTH);
}

/** The stored form of a secret: its SHA-256, in hex. */
export function apiKeySecretHash(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** The part of a secret a list may show (prefix and four characters), to recognise a key by. */
export function apiKeyHint(secret: string): string {
  return `${secret.slice(0, HINT_LENGTH)}…`;
}
