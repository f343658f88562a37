import {
  AdminCreateUserCommand,
  AdminDisableUserCommand,
  CognitoIdentityProviderClient,
  UsernameExistsException,
  UserNotFoundException,
} from '@aws-sdk/client-cognito-identity-provider';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { ConflictError } from '../../../shared/errors';
import { createDirectoryUser, disableDirectoryUser } from '../../../shared/identity/user-directory';

const cognito = mockClient(CognitoIdentityProviderClient);

const welcome = {
  kind: 'invitation' as const,
  tenantName: 'Acme',
  tenantSlug: 'acme',
  link: 'https://console.example.test/t/ten_1?email=ada%40example.test',
  role: 'member',
  invitedBy: 'owner@example.test',
};
const ada = { email: 'ada@example.test', tenantId: 'ten_1', userId: 'usr_1', welcome };

describe('the Cognito user directory', () => {
  afterEach(() => {
    cognito.reset();
  });

  it('creates the user with the tenant and user ids as custom attributes', async () => {
    cognito.on(AdminCreateUserCommand).resolves({ User: { Username: 'uuid-1' } });
    const result = await createDirectoryUser(ada);
    expect(result.username).toBe('uuid-1');
    const input = cognito.commandCalls(AdminCreateUserCommand)[0]?.args[0].input;
    expect(input?.UserPoolId).toBe('us-east-1_unit');
    expect(input?.UserAttributes).toEqual(
      expect.arrayContaining([
        { Name: 'custom:tenantId', Value: 'ten_1' },
        { Name: 'custom:userId', Value: 'usr_1' },
      ]),
    );
    // The invitation travels to the custom message trigger, which makes it the one email.
    expect(input?.ClientMetadata).toEqual(welcome);
    expect(input?.MessageAction).toBeUndefined();
  });

  it('answers 503 when the custom message trigger fails, so the invitation can be retried', async () => {
    for (const name of [
      'UserLambdaValidationException',
      'UnexpectedLambdaException',
      'InvalidLambdaResponseException',
    ]) {
      cognito.reset();
      cognito.on(AdminCreateUserCommand).rejects(Object.assign(new Error('trigger failed'), { name }));
      await expect(createDirectoryUser(ada)).rejects.toMatchObject({ statusCode: 503 });
    }
    // The positive control: the same call succeeds when the trigger does.
    cognito.reset();
    cognito.on(AdminCreateUserCommand).resolves({ User: { Username: 'uuid-2' } });
    await expect(createDirectoryUser(ada)).resolves.toEqual({ username: 'uuid-2' });
  });

  it('turns an existing email into a 409 email_taken', async () => {
    cognito
      .on(AdminCreateUserCommand)
      .rejects(new UsernameExistsException({ message: 'exists', $metadata: {} }));
    const attempt = createDirectoryUser(ada);
    await expect(attempt).rejects.toBeInstanceOf(ConflictError);
    await expect(attempt).rejects.toMatchObject({ code: 'email_taken' });
  });

  it('treats disabling a user who is already gone as done', async () => {
    cognito
      .on(AdminDisableUserCommand)
      .rejects(new UserNotFoundException({ message: 'gone', $metadata: {} }));
    await expect(disableDirectoryUser('ada')).resolves.toBeUndefined();
  });
});
