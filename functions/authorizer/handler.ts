import type {
  APIGatewayRequestAuthorizerEventV2,
  APIGatewaySimpleAuthorizerWithContextResult,
} from 'aws-lambda';
import { looksLikeApiKey } from '../../shared/api-keys/key-secret';
import { verifyApiKey } from '../../shared/auth/api-key-verifier';
import {
  apiKeyAuthorizerContext,
  toAuthorizerContext,
  type AuthorizerContext,
} from '../../shared/auth/authorizer-context';
import { verifyIdToken, type VerifiedIdentity } from '../../shared/auth/id-token-verifier';
import { tokenProvesMfa } from '../../shared/auth/mfa-evidence';
import { mfaEnrolled } from '../../shared/identity/user-directory';
import { logger } from '../../shared/observability/logger';
import { countRefusedCredential, type RefusedCredential } from '../../shared/observability/metrics';

const JWT_PATTERN = /^[A-Za-z0-9\-_]+\.[A-Za-z0-9\-_]+\.[A-Za-z0-9\-_]*$/;

/**
 * Whether the token proves MFA, for tenants that require it: the person is enrolled and the token
 * was authenticated after they last were not (`mfa-evidence.ts`). Unknown (Cognito or the table
 * unreachable) counts as not.
 */
async function mfaStatus(identity: VerifiedIdentity): Promise<boolean> {
  try {
    return await tokenProvesMfa(
      identity.userId,
      await mfaEnrolled(identity.username),
      identity.authTime,
      new Date(),
    );
  } catch (error) {
    logger.warn('MFA status unavailable', { reason: error instanceof Error ? error.message : String(error) });
    return false;
  }
}

/**
 * The HTTP API's Lambda authorizer (simple responses, cached per Authorization header). `Bearer`
 * carries either a Cognito ID token (a person) or a tenant API key (`tntry_…`, a machine); either
 * yields the identity the functions build their tenant context from. Anything else throws
 * `Unauthorized`, which API Gateway answers with 401.
 */
export async function handler(
  event: APIGatewayRequestAuthorizerEventV2,
): Promise<APIGatewaySimpleAuthorizerWithContextResult<AuthorizerContext>> {
  const header = event.headers?.authorization ?? event.identitySource?.[0] ?? '';
  const credential = /^Bearer\s+(\S+)$/.exec(header.trim())?.[1];
  if (!credential) {
    countRefusedCredential('missing');
    throw new Error('Unauthorized');
  }
  const kind: RefusedCredential = looksLikeApiKey(credential)
    ? 'apiKey'
    : JWT_PATTERN.test(credential)
      ? 'idToken'
      : 'malformed';
  try {
    if (kind === 'apiKey') {
      const key = await verifyApiKey(credential);
      return { isAuthorized: true, context: apiKeyAuthorizerContext(key.keyId, key.tenantId) };
    }
    if (kind === 'malformed') throw new Error('The bearer credential is neither a JWT nor an API key');
    const identity = await verifyIdToken(credential);
    return { isAuthorized: true, context: toAuthorizerContext(identity, await mfaStatus(identity)) };
  } catch (error) {
    logger.info('Credential refused', {
      credential: kind,
      reason: error instanceof Error ? error.message : String(error),
    });
    countRefusedCredential(kind);
    throw new Error('Unauthorized');
  }
}
