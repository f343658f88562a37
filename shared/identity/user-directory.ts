import { welcomeClientMetadata, type Welcome } from './welcome-email';
import { traced } from '../observability/tracer';
import {
  type AdminAddUserToGroupCommandOutput,
  type AdminRemoveUserFromGroupCommandOutput,
  AdminAddUserToGroupCommand,
  AdminRemoveUserFromGroupCommand,
  type AdminCreateUserCommandOutput,
  type AdminDeleteUserCommandOutput,
  type AdminDisableUserCommandOutput,
  type AdminEnableUserCommandOutput,
  type AdminGetUserCommandOutput,
  type AdminSetUserPasswordCommandOutput,
  AdminSetUserPasswordCommand,
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  AdminGetUserCommand,
  AdminUserGlobalSignOutCommand,
  type AdminUserGlobalSignOutCommandOutput,
  CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { getConfig } from '../config';
import { ConflictError, NotFoundError, ServiceUnavailableError, ValidationError } from '../errors';
import { sdkLogger } from '../observability/sdk-logger';
import { callSignal } from '../data/call-budget';
import { randomInt } from 'node:crypto';
import { PASSWORD_POLICY, PLATFORM_ADMIN_GROUP } from '../model/user-pool-definition';

const config = getConfig();

/**
 * One Cognito client per process, every call bounded: a connection within 5 s, and in an API
 * invocation the whole call within what the invocation has left (`call-budget.ts`).
 */
export const cognitoClient = traced(
  new CognitoIdentityProviderClient({
    region: config.region,
    ...(config.cognito.endpoint ? { endpoint: config.cognito.endpoint } : {}),
    requestHandler: { connectionTimeout: 5_000 },
    logger: sdkLogger as never,
  }),
);

/** Sends one directory command within the invocation's time budget. */
function directory<Output>(command: { input: unknown }): Promise<Output> {
  const send = cognitoClient.send.bind(cognitoClient) as (
    command: unknown,
    options: { abortSignal?: AbortSignal },
  ) => Promise<Output>;
  const abortSignal = callSignal();
  return send(command, abortSignal ? { abortSignal } : {});
}

export interface NewDirectoryUser {
  email: string;
  name?: string | undefined;
  tenantId: string;
  userId: string;
  /** Why the sign-in is made: the custom message trigger makes it the one invitation email. */
  welcome: Welcome;
}

function translate(error: unknown): never {
  const name = (error as { name?: string }).name;
  if (name === 'UsernameExistsException' || name === 'AliasExistsException') {
    throw new ConflictError('A user with this email already exists.', 'email_taken');
  }
  if (name === 'InvalidParameterException') {
    throw new ValidationError('The identity provider refused the user attributes.', [], 'invalid_user');
  }
  if (
    name === 'TooManyRequestsException' ||
    name === 'LimitExceededException' ||
    name === 'InternalErrorException' ||
    // The user pool's custom message trigger failed (Cognito then sends nothing and makes no user).
    name === 'UserLambdaValidationException' ||
    name === 'UnexpectedLambdaException' ||
    name === 'InvalidLambdaResponseException'
  ) {
    throw new ServiceUnavailableError('The identity provider is busy; retry shortly.');
  }
  throw error;
}

/**
 * Creates the Cognito user for a tenant member. `custom:tenantId` and `custom:userId` are set here
 * by the API, never by the user (the app client cannot write them). Cognito emails the temporary
 * password in the one invitation email: the welcome goes to the custom message trigger as the
 * call's `ClientMetadata` (cognito-local invokes the same trigger through the twin's Lambda stand-in).
 */
export async function createDirectoryUser(user: NewDirectoryUser): Promise<{ username: string }> {
  try {
    const result = await directory<AdminCreateUserCommandOutput>(
      new AdminCreateUserCommand({
        UserPoolId: config.cognito.userPoolId,
        Username: user.email,
        DesiredDeliveryMediums: ['EMAIL'],
        UserAttributes: [
          { Name: 'email', Value: user.email },
          { Name: 'email_verified', Value: 'true' },
          { Name: 'custom:tenantId', Value: user.tenantId },
          { Name: 'custom:userId', Value: user.userId },
          ...(user.name ? [{ Name: 'name', Value: user.name }] : []),
        ],
        ClientMetadata: welcomeClientMetadata(user.welcome),
      }),
    );
    return { username: result.User?.Username ?? user.email };
  } catch (error) {
    translate(error);
  }
}

/**
 * Deletes a sign-in. Never used to undo a failed invitation or signup: a membership acknowledged by
 * a concurrent request may already name the person (see `ensureDirectoryPerson`).
 */
export async function deleteDirectoryUser(username: string): Promise<void> {
  try {
    await directory<AdminDeleteUserCommandOutput>(
      new AdminDeleteUserCommand({ UserPoolId: config.cognito.userPoolId, Username: username }),
    );
  } catch (error) {
    if ((error as { name?: string }).name === 'UserNotFoundException') return;
    throw error;
  }
}

/** Puts a person in the Cognito group whose claim platform-admin power needs (with its record). */
export async function addToPlatformAdminGroup(username: string): Promise<void> {
  try {
    await directory<AdminAddUserToGroupCommandOutput>(
      new AdminAddUserToGroupCommand({
        UserPoolId: config.cognito.userPoolId,
        Username: username,
        GroupName: PLATFORM_ADMIN_GROUP,
      }),
    );
  } catch (error) {
    if ((error as { name?: string }).name === 'UserNotFoundException') {
      throw new NotFoundError('No sign-in with this email.', 'person_not_found');
    }
    translate(error);
  }
}

/** Takes a person out of the platform-admins group (already out, or gone: nothing to do). */
export async function removeFromPlatformAdminGroup(username: string): Promise<void> {
  try {
    await directory<AdminRemoveUserFromGroupCommandOutput>(
      new AdminRemoveUserFromGroupCommand({
        UserPoolId: config.cognito.userPoolId,
        Username: username,
        GroupName: PLATFORM_ADMIN_GROUP,
      }),
    );
  } catch (error) {
    if ((error as { name?: string }).name === 'UserNotFoundException') return;
    translate(error);
  }
}

/** Stops a removed user from signing in again (their membership is already gone). */
export async function disableDirectoryUser(username: string): Promise<void> {
  try {
    await directory<AdminDisableUserCommandOutput>(
      new AdminDisableUserCommand({ UserPoolId: config.cognito.userPoolId, Username: username }),
    );
  } catch (error) {
    if ((error as { name?: string }).name === 'UserNotFoundException') return;
    throw error;
  }
}

/**
 * Whether the user has an MFA method enrolled (an authenticator app). The pool's MFA is optional:
 * Cognito then challenges every sign-in of an enrolled user, so an enrolled user's tokens were
 * issued after a second factor (a token issued just before enrolment stays valid until it expires).
 */
export async function mfaEnrolled(username: string): Promise<boolean> {
  try {
    const user = await directory<AdminGetUserCommandOutput>(
      new AdminGetUserCommand({ UserPoolId: config.cognito.userPoolId, Username: username }),
    );
    return (user.UserMFASettingList ?? []).some(
      (method) => method === 'SOFTWARE_TOKEN_MFA' || method === 'SMS_MFA',
    );
  } catch (error) {
    if ((error as { name?: string }).name === 'UserNotFoundException') return false;
    throw error;
  }
}

export interface DirectoryUser {
  username: string;
  userId: string;
  enabled: boolean;
  /** Still on the temporary password Cognito emailed (never signed in). */
  neverSignedIn: boolean;
}

/**
 * The person with this email, if the pool has one: their user name, their `usr_` id, whether they
 * may sign in and whether they ever have.
 */
export async function findDirectoryUser(email: string): Promise<DirectoryUser | null> {
  try {
    const user = await directory<AdminGetUserCommandOutput>(
      new AdminGetUserCommand({ UserPoolId: config.cognito.userPoolId, Username: email }),
    );
    const userId = user.UserAttributes?.find((attribute) => attribute.Name === 'custom:userId')?.Value;
    if (!user.Username || !userId) return null;
    return {
      username: user.Username,
      userId,
      enabled: user.Enabled !== false,
      neverSignedIn: user.UserStatus === 'FORCE_CHANGE_PASSWORD',
    };
  } catch (error) {
    if ((error as { name?: string }).name === 'UserNotFoundException') return null;
    translate(error);
  }
}

/** Lets a person sign in again (a removed person invited back). */
export async function enableDirectoryUser(username: string): Promise<void> {
  await directory<AdminEnableUserCommandOutput>(
    new AdminEnableUserCommand({ UserPoolId: config.cognito.userPoolId, Username: username }),
  );
}

const PASSWORD_CLASSES = [
  'ABCDEFGHJKLMNPQRSTUVWXYZ',
  'abcdefghijkmnopqrstuvwxyz',
  '23456789',
  '!#%+-=?@^_',
] as const;

/** A temporary password of the pool's policy: every class, the rest drawn from all of them. */
function temporaryPassword(): string {
  const all = PASSWORD_CLASSES.join('');
  const pick = (from: string) => from[randomInt(from.length)] ?? '';
  const chars = [
    ...PASSWORD_CLASSES.map(pick),
    ...Array.from({ length: Math.max(16, PASSWORD_POLICY.minLength) - PASSWORD_CLASSES.length }, () =>
      pick(all),
    ),
  ];
  for (let i = chars.length - 1; i > 0; i -= 1) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j] ?? '', chars[i] ?? ''];
  }
  return chars.join('');
}

/**
 * Gives a person who has never signed in a new temporary password (Cognito asks for their own at
 * the first sign-in) and returns it, for the invitation email the API sends itself: Cognito's RESEND
 * is not in every Cognito (cognito-local has none), this is. `null` for a person who has signed in
 * (they have their own password, and nothing is changed).
 */
export async function renewTemporaryPassword(username: string): Promise<string | null> {
  const user = await directory<AdminGetUserCommandOutput>(
    new AdminGetUserCommand({ UserPoolId: config.cognito.userPoolId, Username: username }),
  ).catch((error: unknown) => {
    if ((error as { name?: string }).name === 'UserNotFoundException') return null;
    throw error;
  });
  if (!user || user.UserStatus !== 'FORCE_CHANGE_PASSWORD') return null;
  const password = temporaryPassword();
  await directory<AdminSetUserPasswordCommandOutput>(
    new AdminSetUserPasswordCommand({
      UserPoolId: config.cognito.userPoolId,
      Username: username,
      Password: password,
      Permanent: false,
    }),
  );
  return password;
}

/**
 * Signs a sign-in out everywhere: its refresh tokens are revoked, so no session of it gets new
 * tokens (the ones it holds expire within the hour, and the API refuses them sooner where the
 * membership is what ended). A sign-in that is gone has nothing to end.
 */
export async function signOutEverywhere(username: string): Promise<void> {
  try {
    await directory<AdminUserGlobalSignOutCommandOutput>(
      new AdminUserGlobalSignOutCommand({ UserPoolId: config.cognito.userPoolId, Username: username }),
    );
  } catch (error) {
    if ((error as { name?: string }).name === 'UserNotFoundException') return;
    translate(error);
  }
}
