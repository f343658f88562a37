import {
  AdminSetUserPasswordCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { describe, expect, it } from 'vitest';
import { PASSWORD_POLICY, passwordPolicyProblems } from '../../shared/model/user-pool-definition';
import { call, cognito, createTenant, twin, unique } from '../helpers/twin-api';

/** Passwords that each miss one rule of the policy. */
const WEAK = {
  'too short': 'Short-Pw-1!',
  'no upper case': 'chosen-password-9!',
  'no lower case': 'CHOSEN-PASSWORD-9!',
  'no digit': 'Chosen-Password-X!',
  'no symbol': 'ChosenPassword99',
};
const STRONG = 'Chosen-Password-9!';

describe('the one password policy', () => {
  it('is what the console checks: each weak password lacks something, the strong one nothing', () => {
    expect('Short-Pw-1!'.length).toBeLessThan(PASSWORD_POLICY.minLength);
    for (const password of Object.values(WEAK)) expect(passwordPolicyProblems(password)).not.toEqual([]);
    expect(passwordPolicyProblems(STRONG)).toEqual([]);
  });

  it('is enforced by the twin’s Cognito when an invited person chooses a password', async () => {
    const tenant = await createTenant();
    const email = `${unique('policy')}@example.test`;
    const invited = await call('POST', `/v1/tenants/${tenant.id}/users`, {
      token: tenant.owner.token,
      body: { email, role: 'member' },
    });
    expect(invited.status).toBe(201);
    const temporary = 'Temporary-Pass-1!';
    await cognito.send(
      new AdminSetUserPasswordCommand({
        UserPoolId: twin.userPoolId,
        Username: email,
        Password: temporary,
        Permanent: false,
      }),
    );
    const challenge = async () =>
      cognito.send(
        new InitiateAuthCommand({
          AuthFlow: 'USER_PASSWORD_AUTH',
          ClientId: twin.clientId,
          AuthParameters: { USERNAME: email, PASSWORD: temporary },
        }),
      );
    for (const [why, password] of Object.entries(WEAK)) {
      const started = await challenge();
      expect(started.ChallengeName).toBe('NEW_PASSWORD_REQUIRED');
      await expect(
        cognito.send(
          new RespondToAuthChallengeCommand({
            ClientId: twin.clientId,
            ChallengeName: 'NEW_PASSWORD_REQUIRED',
            Session: started.Session,
            ChallengeResponses: { USERNAME: email, NEW_PASSWORD: password },
          }),
        ),
        why,
      ).rejects.toMatchObject({ name: 'InvalidPasswordException' });
    }
    // Positive control: a password within the policy is taken, and signs in.
    const started = await challenge();
    const chosen = await cognito.send(
      new RespondToAuthChallengeCommand({
        ClientId: twin.clientId,
        ChallengeName: 'NEW_PASSWORD_REQUIRED',
        Session: started.Session,
        ChallengeResponses: { USERNAME: email, NEW_PASSWORD: STRONG },
      }),
    );
    expect(chosen.AuthenticationResult?.IdToken).toEqual(expect.any(String));
  });
});
