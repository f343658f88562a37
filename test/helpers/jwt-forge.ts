import { createPrivateKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * Signs tokens the way cognito-local does (its own published key, kid `CognitoLocal`), so that
 * tests can vary one thing at a time (expiry, audience, algorithm, key) and expect 401.
 */
function cognitoLocalKey(): KeyObject {
  const require = createRequire(import.meta.url);
  const root = dirname(require.resolve('cognito-local/package.json'));
  const { pem } = JSON.parse(
    readFileSync(join(root, 'lib', 'keys', 'cognitoLocal.private.json'), 'utf8'),
  ) as { pem: string };
  return createPrivateKey(pem);
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

export interface ForgeOptions {
  header?: Record<string, unknown>;
  key?: KeyObject | 'none';
}

export function forgeToken(payload: Record<string, unknown>, options: ForgeOptions = {}): string {
  const header = { alg: 'RS256', typ: 'JWT', kid: 'CognitoLocal', ...options.header };
  const signingInput = `${b64url(header)}.${b64url(payload)}`;
  if (options.key === 'none') return `${signingInput}.`;
  const signature = sign('RSA-SHA256', Buffer.from(signingInput), options.key ?? cognitoLocalKey());
  return `${signingInput}.${signature.toString('base64url')}`;
}

export function strangerKey(): KeyObject {
  return generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
}

/** Decodes a token's payload without verifying it (to copy real claims into a forged one). */
export function payloadOf(token: string): Record<string, unknown> {
  const part = token.split('.')[1] ?? '';
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
}
