/**
 * Constants of the user pool shared by the CDK construct, the local bootstrap and the runtime.
 * The custom attributes are immutable and not writable by the app client: only the API sets them.
 */
export const USER_POOL_CUSTOM_ATTRIBUTES = ['tenantId', 'userId'] as const;
export const PLATFORM_ADMIN_GROUP = 'platform-admins';

/**
 * How long the app client's refresh tokens last, and so a sign-in's session: the CDK client is made
 * with it and the API remembers a session for as long.
 */
export const REFRESH_TOKEN_DAYS = 30;

/**
 * The one password policy: the CDK pool is made with it, the twin's pool is made with it and its
 * cognito-local enforces it (cognito-local-server.cjs), and the console checks it before sending.
 */
export const PASSWORD_POLICY = {
  minLength: 12,
  requireLowercase: true,
  requireUppercase: true,
  requireDigits: true,
  requireSymbols: true,
  /** How long an invitation's temporary password works. */
  temporaryPasswordValidityDays: 3,
} as const;

/** The policy in words, for a form's hint. */
export const PASSWORD_POLICY_HINT = `At least ${PASSWORD_POLICY.minLength} characters, with upper and lower case, a digit and a symbol.`;

/** What a password lacks under the policy (empty when it conforms), in Cognito's order of checks. */
export function passwordPolicyProblems(password: string): string[] {
  return [
    ...(password.length < PASSWORD_POLICY.minLength
      ? [`at least ${PASSWORD_POLICY.minLength} characters`]
      : []),
    ...(PASSWORD_POLICY.requireLowercase && !/[a-z]/.test(password) ? ['a lower-case letter'] : []),
    ...(PASSWORD_POLICY.requireUppercase && !/[A-Z]/.test(password) ? ['an upper-case letter'] : []),
    ...(PASSWORD_POLICY.requireDigits && !/[0-9]/.test(password) ? ['a digit'] : []),
    ...(PASSWORD_POLICY.requireSymbols && !/[\^$*.[\]{}()?"!@#%&/\\,><':;|_~`=+-]/.test(password)
      ? ['a symbol']
      : []),
  ];
}
