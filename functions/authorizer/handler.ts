import type {
  APIGatewayRequestAuthorizerEventV2,
  APIGatewaySimpleAuthorizerWithContextResult,
} from 'aws-lambda';
import { toAuthorizerContext, type AuthorizerContext } from '../../shared/auth/authorizer-context';
import { verifyIdToken } from '../../shared/auth/id-token-verifier';
import { mfaEnrolled } from '../../shared/identity/user-directory';
import { logger } from '../../shared/observability/logger';

/** MFA enrolment, for tenants that require it; unknown (Cognito unreachable) counts as not enrolled. */
async function mfaStatus(username: string): Promise<boolean> {
  try {
    return await mfaEnrolled(username);
  } catch (error) {
    logger.warn('MFA status unavailable', { reason: error instanceof Error ? error.message : String(error) });
    return false;
  }
}

/**
 * The HTTP API's Lambda authorizer (simple responses, cached per Authorization header). A valid
 * Cognito ID token yields the identity the functions build their tenant context from; anything else
 * throws `Unauthorized`, which API Gateway answers with 401.
 */
export async function handler(
  event: APIGatewayRequestAuthorizerEventV2,
): Promise<APIGatewaySimpleAuthorizerWithContextResult<AuthorizerContext>> {
  const header = event.headers?.authorization ?? event.identitySource?.[0] ?? '';
  const match = /^Bearer\s+([A-Za-z0-9\-_]+\.[A-Za-z0-9\-_]+\.[A-Za-z0-9\-_]*)$/.exec(header.trim());
  if (!match?.[1]) throw new Error('Unauthorized');
  try {
    const identity = await verifyIdToken(match[1]);
    return { isAuthorized: true, context: toAuthorizerContext(identity, await mfaStatus(identity.username)) };
  } catch (error) {
    logger.info('Token refused', { reason: error instanceof Error ? error.message : String(error) });
    throw new Error('Unauthorized');
  }
}
