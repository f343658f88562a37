import type { PreTokenGenerationTriggerEvent } from 'aws-lambda';
import { logger } from '../../shared/observability/logger';
import { admitFederatedSignIn, federatedProviderOf, SsoSignInRefused } from '../../shared/sso/sso-sign-in';

/**
 * The user pool's pre-token-generation trigger. A password sign-in passes untouched (its tokens carry
 * the attributes the API set). A sign-in through a tenant's identity provider, and each refresh of its
 * tokens, is admitted by `admitFederatedSignIn` (the tenant's provider and verified domain, the person,
 * their membership made just in time), and its ID token gets the person, the tenant, and the tenant the
 * session is bound to. A refusal throws: Cognito then issues no tokens and passes the message on.
 */
export async function handler(
  event: PreTokenGenerationTriggerEvent,
): Promise<PreTokenGenerationTriggerEvent> {
  const attributes = event.request.userAttributes;
  if (!federatedProviderOf(attributes)) return event;
  try {
    const claims = await admitFederatedSignIn({ username: event.userName, attributes });
    event.response.claimsOverrideDetails = { claimsToAddOrOverride: { ...claims } };
    return event;
  } catch (error) {
    if (error instanceof SsoSignInRefused) {
      logger.info('Federated sign-in refused', { username: event.userName, reason: error.message });
      throw new Error(error.message);
    }
    logger.error('Federated sign-in failed', { username: event.userName, error });
    throw new Error('Sign-in is unavailable just now; try again shortly.');
  }
}
