import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { signIn } from './sign-in';

/**
 * `npm run token -- <email> <password> [new password]`: prints an ID token from the running twin.
 * A user with an authenticator app enrolled passes its current code as `MFA_CODE=123456`.
 */
const [email, password, newPassword] = process.argv.slice(2);
if (!email || !password) {
  console.error('usage: npm run token -- <email> <password> [new password for a first sign-in]');
  process.exit(2);
}
const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const dataDir = process.env.TENANTRY_DATA_DIR ?? join(root, '.data');
const endpoints = JSON.parse(readFileSync(join(dataDir, 'endpoints.json'), 'utf8')) as {
  cognitoEndpoint: string;
  region: string;
  clientId: string;
};
const mfaCode = process.env.MFA_CODE;
signIn({
  ...endpoints,
  email,
  password,
  ...(newPassword ? { newPassword } : {}),
  ...(mfaCode ? { mfaCode: () => mfaCode } : {}),
})
  .then((token) => console.log(token))
  .catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
