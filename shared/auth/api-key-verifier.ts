import { apiKeySecretHash, isWellFormedApiKey } from '../api-keys/key-secret';
import { findApiKeyBySecretHash, type ApiKeyLookup } from '../data/api-key-lookups';

/**
 * Verifies an API key for the authorizer: the checksum first (a mistyped or invented key is refused
 * without a lookup), then the lookup item found by the secret's hash, then its expiry. Revocation
 * deletes the lookup item. Throws on anything else; the tenant context checks the key's status
 * again on every request (cached seconds), so a cached authorizer answer outlives no revocation.
 */
export async function verifyApiKey(secret: string, now: Date = new Date()): Promise<ApiKeyLookup> {
  if (!isWellFormedApiKey(secret)) throw new Error('The API key is malformed or its checksum does not match');
  const lookup = await findApiKeyBySecretHash(apiKeySecretHash(secret));
  if (!lookup) throw new Error('No API key has this secret');
  if (lookup.validUntil && Date.parse(lookup.validUntil) <= now.getTime()) {
    throw new Error('The API key has expired');
  }
  return lookup;
}
