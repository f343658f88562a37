import { describe, expect, it } from 'vitest';
import {
  apiKeyHint,
  apiKeySecretHash,
  isWellFormedApiKey,
  looksLikeApiKey,
  newApiKeySecret,
} from '../../../shared/api-keys/key-secret';

describe('API key secrets', () => {
  it('have a recognisable prefix, 43 base62 characters of 32 random bytes and a 6-character checksum', () => {
    const secrets = Array.from({ length: 200 }, newApiKeySecret);
    for (const secret of secrets) {
      expect(secret).toMatch(/^tntry_[0-9A-Za-z]{49}$/);
      expect(isWellFormedApiKey(secret)).toBe(true);
      expect(looksLikeApiKey(secret)).toBe(true);
    }
    expect(new Set(secrets).size).toBe(secrets.length);
    // 32 bytes fill the 43 characters: the leading character is not always zero padding.
    expect(new Set(secrets.map((secret) => secret[6])).size).toBeGreaterThan(1);
  });

  it('refuse every single-character typo through the checksum', () => {
    const secret = newApiKeySecret();
    const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
    let refused = 0;
    let tried = 0;
    for (let index = 6; index < secret.length; index += 1) {
      const other = alphabet[(alphabet.indexOf(secret[index] ?? '0') + 7) % alphabet.length];
      const typo = `${secret.slice(0, index)}${other}${secret.slice(index + 1)}`;
      tried += 1;
      if (!isWellFormedApiKey(typo)) refused += 1;
    }
    expect(refused).toBe(tried);
    // Positive control: the untouched secret passes.
    expect(isWellFormedApiKey(secret)).toBe(true);
  });

  it('refuse other shapes: wrong prefix, length or characters, and a JWT', () => {
    const secret = newApiKeySecret();
    for (const bad of [
      secret.replace('tntry_', 'tntrx_'),
      secret.slice(0, -1),
      `${secret}0`,
      `${secret.slice(0, 10)}-${secret.slice(11)}`,
      'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln',
    ]) {
      expect(isWellFormedApiKey(bad)).toBe(false);
    }
  });

  it('are stored as a SHA-256 and shown in lists only by a hint too short to use', () => {
    const secret = newApiKeySecret();
    expect(apiKeySecretHash(secret)).toMatch(/^[0-9a-f]{64}$/);
    expect(apiKeySecretHash(secret)).not.toContain(secret.slice(6, 16));
    expect(apiKeyHint(secret)).toBe(`${secret.slice(0, 10)}…`);
  });
});
