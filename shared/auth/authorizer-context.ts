import * as z from 'zod/mini';
import type { VerifiedIdentity } from './id-token-verifier';

/**
 * What the authorizer hands API Gateway, and API Gateway hands each function in
 * `requestContext.authorizer.lambda`. Flat strings, because that is what survives the trip. A
 * person (a Cognito ID token) or a tenant API key.
 */
const userContextSchema = z.object({
  principalType: z.literal('user'),
  sub: z.string().check(z.minLength(1)),
  /** The Cognito user name (`cognito:username`), for signing the sign-in out. */
  username: z.optional(z.string().check(z.minLength(1))),
  userId: z.string().check(z.minLength(1)),
  tenantId: z.optional(z.string()),
  email: z.optional(z.string()),
  groups: z.string(),
  /** `true` when the user has an MFA method enrolled (so every sign-in passed a second factor). */
  mfa: z.optional(z.enum(['true', 'false'])),
  /** When the person signed in (the token's `auth_time`, epoch seconds): a new one is a new sign-in. */
  authTime: z.optional(z.string().check(z.regex(/^\d{1,12}$/))),
  /** The tenant a single sign-on session is bound to (the only one it may act on). */
  ssoTenantId: z.optional(z.string().check(z.minLength(1))),
});

const apiKeyContextSchema = z.object({
  principalType: z.literal('apiKey'),
  keyId: z.string().check(z.minLength(1)),
  tenantId: z.string().check(z.minLength(1)),
});

export const authorizerContextSchema = z.discriminatedUnion('principalType', [
  userContextSchema,
  apiKeyContextSchema,
]);
export type AuthorizerContext = z.infer<typeof authorizerContextSchema>;

export function toAuthorizerContext(identity: VerifiedIdentity, mfaEnrolled: boolean): AuthorizerContext {
  return {
    mfa: mfaEnrolled ? 'true' : 'false',
    principalType: 'user',
    sub: identity.sub,
    username: identity.username,
    userId: identity.userId,
    ...(identity.tenantId ? { tenantId: identity.tenantId } : {}),
    ...(identity.email ? { email: identity.email } : {}),
    groups: identity.groups.join(','),
    ...(identity.authTime !== undefined ? { authTime: String(identity.authTime) } : {}),
    ...(identity.ssoTenantId ? { ssoTenantId: identity.ssoTenantId } : {}),
  };
}

export function apiKeyAuthorizerContext(keyId: string, tenantId: string): AuthorizerContext {
  return { principalType: 'apiKey', keyId, tenantId };
}
