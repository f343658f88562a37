/**
 * `npm run platform-admin -- <usr_id>`: records a first platform admin in a deployed table (with AWS
 * credentials and TABLE_NAME set), audited as `system:cli`. The user also needs the Cognito
 * `platform-admins` group. Later admins are granted through `PUT /v1/platform/admins/{userId}`.
 */
import { userInfo } from 'node:os';

const userId = process.argv[2] ?? '';
if (!/^usr_[0-9A-HJKMNP-TV-Z]{26}$/.test(userId)) {
  console.error('usage: npm run platform-admin -- usr_<ULID>');
  process.exit(2);
}
const { grantPlatformAdmin } = await import('../../shared/platform/platform-admins');
const record = await grantPlatformAdmin(
  {
    id: 'system:cli',
    meta: { requestId: `cli-${Date.now()}`, sourceIp: '0.0.0.0', userAgent: `cli/${userInfo().username}` },
  },
  userId,
);
console.log(JSON.stringify(record));
