import * as z from 'zod/mini';
import type { VerifiedIdentity } from './id-token-verifier';

/**
 * What the authorizer hands API Gateway, and API Gateway hands each function in
 * `requestContext.authorizer.lambda`. Flat strings, because that is what survives the trip.
 */
export const authorizerContextSchema = z.object({
  principalType: z.literal('user'),
  sub: z.string().check(z.minLength(1)),
  userId: z.string().check(z.minLength(1)),
  tenantId: z.optional(z.string()),
  email: z.optional(z.string()),
  groups: z.string(),
});
export type AuthorizerContext = z.infer<typeof authorizerContextSchema>;

export function toAuthorizerContext(identity: VerifiedIdentity): AuthorizerContext {
  return {
    principalType: 'user',
    sub: identity.sub,
    userId: identity.userId,
    ...(identity.tenantId ? { tenantId: identity.tenantId } : {}),
    ...(identity.email ? { email: identity.email } : {}),
    groups: identity.groups.join(','),
  };
}
