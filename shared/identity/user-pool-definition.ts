/**
 * Constants of the user pool shared by the CDK construct, the local bootstrap and the runtime.
 * The custom attributes are immutable and not writable by the app client: only the API sets them.
 */
export const USER_POOL_CUSTOM_ATTRIBUTES = ['tenantId', 'userId'] as const;
export const PLATFORM_ADMIN_GROUP = 'platform-admins';
