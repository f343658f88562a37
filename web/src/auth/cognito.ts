import {
  AssociateSoftwareTokenCommand,
  CognitoIdentityProviderClient,
  ConfirmForgotPasswordCommand,
  ForgotPasswordCommand,
  GlobalSignOutCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  SetUserMFAPreferenceCommand,
  VerifySoftwareTokenCommand,
  type AuthenticationResultType,
} from '@aws-sdk/client-cognito-identity-provider';
import type { ConsoleConfig } from '../config';

/** The tokens of a signed-in person. The API takes the ID token (it carries the custom attributes). */
export interface Tokens {
  idToken: string;
  accessToken: string;
  refreshToken?: string;
  /** When the ID token expires (ms since the epoch). */
  expiresAt: number;
  email: string;
}

/** Where a sign-in stands: done, or a challenge Cognito asks the person to answer. */
export type SignInStep =
  | { kind: 'done'; tokens: Tokens }
  | { kind: 'newPassword'; session: string; email: string }
  | { kind: 'mfa'; session: string; email: string };

/**
 * Cognito's user-pool API as a client app calls it, through the AWS SDK: sign-in with a password
 * (USER_PASSWORD_AUTH), the new-password and authenticator-app challenges, refresh, enrolment of an
 * authenticator app and sign-out. None of these calls is signed with AWS credentials.
 */
export class CognitoAuth {
  private readonly client: CognitoIdentityProviderClient;

  constructor(private readonly config: ConsoleConfig['cognito']) {
    this.client = new CognitoIdentityProviderClient({
      region: config.region,
      ...(config.endpoint ? { endpoint: config.endpoint } : {}),
      // Sign-in calls are unsigned; the SDK still wants credentials it will not use.
      credentials: { accessKeyId: 'unsigned', secretAccessKey: 'unsigned' },
    });
  }

  async signIn(email: string, password: string): Promise<SignInStep> {
    const result = await this.client.send(
      new InitiateAuthCommand({
        AuthFlow: 'USER_PASSWORD_AUTH',
        ClientId: this.config.clientId,
        AuthParameters: { USERNAME: email, PASSWORD: password },
      }),
    );
    return this.step(email, result);
  }

  async answerNewPassword(email: string, session: string, newPassword: string): Promise<SignInStep> {
    const result = await this.client.send(
      new RespondToAuthChallengeCommand({
        ClientId: this.config.clientId,
        ChallengeName: 'NEW_PASSWORD_REQUIRED',
        Session: session,
        ChallengeResponses: { USERNAME: email, NEW_PASSWORD: newPassword },
      }),
    );
    return this.step(email, result);
  }

  async answerMfa(email: string, session: string, code: string): Promise<SignInStep> {
    const result = await this.client.send(
      new RespondToAuthChallengeCommand({
        ClientId: this.config.clientId,
        ChallengeName: 'SOFTWARE_TOKEN_MFA',
        Session: session,
        ChallengeResponses: { USERNAME: email, SOFTWARE_TOKEN_MFA_CODE: code },
      }),
    );
    return this.step(email, result);
  }

  /**
   * Asks Cognito to email a code that lets the person choose a new password. The answer is the same
   * whether or not the address has an account (the app client prevents user-existence errors), so
   * the page says "if".
   */
  async forgotPassword(email: string): Promise<void> {
    try {
      await this.client.send(new ForgotPasswordCommand({ ClientId: this.config.clientId, Username: email }));
    } catch (error) {
      // Unknown addresses answer as known ones do (Cognito does with PreventUserExistenceErrors).
      if ((error as { name?: string }).name === 'UserNotFoundException') return;
      throw error;
    }
  }

  /** Sets the new password with the emailed code. */
  async confirmForgotPassword(email: string, code: string, password: string): Promise<void> {
    await this.client.send(
      new ConfirmForgotPasswordCommand({
        ClientId: this.config.clientId,
        Username: email,
        ConfirmationCode: code,
        Password: password,
      }),
    );
  }

  /** New tokens from the refresh token (Cognito keeps the refresh token itself). */
  async refresh(tokens: Tokens): Promise<Tokens> {
    if (!tokens.refreshToken) throw new Error('No refresh token: sign in again.');
    const result = await this.client.send(
      new InitiateAuthCommand({
        AuthFlow: 'REFRESH_TOKEN_AUTH',
        ClientId: this.config.clientId,
        AuthParameters: { REFRESH_TOKEN: tokens.refreshToken },
      }),
    );
    if (!result.AuthenticationResult) throw new Error('Cognito did not refresh the session.');
    return toTokens(tokens.email, result.AuthenticationResult, tokens.refreshToken);
  }

  /** Starts enrolling an authenticator app: the secret to put in the app. */
  async associateAuthenticator(accessToken: string): Promise<string> {
    const result = await this.client.send(new AssociateSoftwareTokenCommand({ AccessToken: accessToken }));
    if (!result.SecretCode) throw new Error('Cognito gave no secret for the authenticator app.');
    return result.SecretCode;
  }

  /** Checks the app's first code and makes the app the person's second factor. */
  async verifyAuthenticator(accessToken: string, code: string): Promise<void> {
    const verified = await this.client.send(
      new VerifySoftwareTokenCommand({
        AccessToken: accessToken,
        UserCode: code,
        FriendlyDeviceName: 'Authenticator app',
      }),
    );
    if (verified.Status && verified.Status !== 'SUCCESS') throw new Error('That code was not accepted.');
    await this.client.send(
      new SetUserMFAPreferenceCommand({
        AccessToken: accessToken,
        SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true },
      }),
    );
  }

  /** Signs out everywhere (the refresh tokens are revoked); the local session is dropped regardless. */
  async signOut(accessToken: string): Promise<void> {
    await this.client.send(new GlobalSignOutCommand({ AccessToken: accessToken }));
  }

  private step(
    email: string,
    result: { AuthenticationResult?: AuthenticationResultType; ChallengeName?: string; Session?: string },
  ): SignInStep {
    if (result.AuthenticationResult)
      return { kind: 'done', tokens: toTokens(email, result.AuthenticationResult) };
    if (result.ChallengeName === 'NEW_PASSWORD_REQUIRED' && result.Session)
      return { kind: 'newPassword', session: result.Session, email };
    if (result.ChallengeName === 'SOFTWARE_TOKEN_MFA' && result.Session)
      return { kind: 'mfa', session: result.Session, email };
    throw new Error(`Cognito asks for ${result.ChallengeName ?? 'something'} this console cannot answer.`);
  }
}

function toTokens(email: string, result: AuthenticationResultType, refreshToken?: string): Tokens {
  if (!result.IdToken || !result.AccessToken) throw new Error('Cognito answered without tokens.');
  return {
    idToken: result.IdToken,
    accessToken: result.AccessToken,
    ...(result.RefreshToken || refreshToken ? { refreshToken: result.RefreshToken ?? refreshToken } : {}),
    expiresAt: Date.now() + (result.ExpiresIn ?? 3600) * 1000,
    email,
  };
}

/**
 * Words for a Cognito refusal (its exceptions carry a name and a message meant for people). At the
 * password step every refusal of the credentials reads the same, so it tells nobody which emails
 * have accounts.
 */
export function cognitoErrorText(error: unknown, step: 'password' | 'other' = 'other'): string {
  if (error instanceof Error) {
    const credentials = ['NotAuthorizedException', 'UserNotFoundException', 'InvalidPasswordException'];
    if (step === 'password' && credentials.includes(error.name)) return 'Incorrect email or password.';
    if (error.name === 'NotAuthorizedException') return 'Your session has ended: sign in again.';
    if (error.name === 'CodeMismatchException') return 'That code is not right; try the current one.';
    if (error.name === 'ExpiredCodeException') return 'That code has expired: ask for a new one.';
    if (error.name === 'LimitExceededException')
      return 'Too many attempts: wait a few minutes, then try again.';
    if (error.name === 'InvalidPasswordException') return error.message;
    if (error.name === 'TypeError') return 'Cognito could not be reached. Check your connection.';
    return error.message;
  }
  return String(error);
}
