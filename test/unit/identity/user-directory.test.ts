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

describe('the Cognito user directory', () => {
  afterEach(() => {
    cognito.reset();
  });

  it('creates the user with the tenant and user ids as custom attributes', async () => {
    cognito.on(AdminCreateUserCommand).resolves({ User: { Username: 'uuid-1' } });
    const result = await createDirectoryUser({
      email: 'ada@example.test',
      tenantId: 'ten_1',
      userId: 'usr_1',
    });
    expect(result.username).toBe('uuid-1');
    const input = cognito.commandCalls(AdminCreateUserCommand)[0]?.args[0].input;
    expect(input?.UserPoolId).toBe('us-east-1_unit');
    expect(input?.UserAttributes).toEqual(
      expect.arrayContaining([
        { Name: 'custom:tenantId', Value: 'ten_1' },
        { Name: 'custom:userId', Value: 'usr_1' },
      ]),
    );
  });

  it('turns an existing email into a 409 email_taken', async () => {
    cognito
      .on(AdminCreateUserCommand)
      .rejects(new UsernameExistsException({ message: 'exists', $metadata: {} }));
    const attempt = createDirectoryUser({ email: 'ada@example.test', tenantId: 'ten_1', userId: 'usr_1' });
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
