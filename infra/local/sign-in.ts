import {
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
} from '@aws-sdk/client-cognito-identity-provider';

/**
 * Signs in with a password the way a client app does (USER_PASSWORD_AUTH) and returns the ID token,
 * the one that carries the custom attributes. If Cognito asks for a new password (first sign-in with
 * a temporary one), `newPassword` answers it; if it asks for an authenticator-app code, `mfaCode`.
 */
export async function signIn(options: {
  cognitoEndpoint: string;
  region: string;
  clientId: string;
  email: string;
  password: string;
  newPassword?: string;
  /** Answers Cognito's authenticator-app challenge (users with MFA enrolled). */
  mfaCode?: () => string;
}): Promise<string> {
  const cognito = new CognitoIdentityProviderClient({
    endpoint: options.cognitoEndpoint,
    region: options.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    const result = await cognito.send(
      new InitiateAuthCommand({
        AuthFlow: 'USER_PASSWORD_AUTH',
        ClientId: options.clientId,
        AuthParameters: { USERNAME: options.email, PASSWORD: options.password },
      }),
    );
    if (result.AuthenticationResult?.IdToken) return result.AuthenticationResult.IdToken;
    if (result.ChallengeName === 'SOFTWARE_TOKEN_MFA') {
      if (!options.mfaCode) throw new Error('Cognito asks for an authenticator-app code: pass one.');
      const answer = await cognito.send(
        new RespondToAuthChallengeCommand({
          ClientId: options.clientId,
          ChallengeName: 'SOFTWARE_TOKEN_MFA',
          Session: result.Session,
          ChallengeResponses: { USERNAME: options.email, SOFTWARE_TOKEN_MFA_CODE: options.mfaCode() },
        }),
      );
      if (answer.AuthenticationResult?.IdToken) return answer.AuthenticationResult.IdToken;
    }
    if (result.ChallengeName === 'NEW_PASSWORD_REQUIRED') {
      if (!options.newPassword)
        throw new Error('Cognito asks for a new password: pass one (third argument).');
      const answer = await cognito.send(
        new RespondToAuthChallengeCommand({
          ClientId: options.clientId,
          ChallengeName: 'NEW_PASSWORD_REQUIRED',
          Session: result.Session,
          ChallengeResponses: { USERNAME: options.email, NEW_PASSWORD: options.newPassword },
        }),
      );
      if (answer.AuthenticationResult?.IdToken) return answer.AuthenticationResult.IdToken;
    }
    throw new Error(`Sign-in did not complete (challenge ${result.ChallengeName ?? 'none'})`);
  } finally {
    cognito.destroy();
  }
}
