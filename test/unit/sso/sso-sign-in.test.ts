import { describe, expect, it } from 'vitest';
import { federatedProviderOf, groupsOf, roleFor } from '../../../shared/sso/sso-sign-in';
import { handler } from '../../../functions/triggers/pre-token-generation';
import type { PreTokenGenerationTriggerEvent } from 'aws-lambda';

describe('reading a federated sign-in', () => {
  it('finds the provider in Cognito’s identities attribute, and none for a password sign-in', () => {
    const identities = JSON.stringify([
      { userId: 'nw-1', providerName: 'ten-01JD0000000000000000000000', providerType: 'OIDC' },
    ]);
    expect(federatedProviderOf({ identities })).toBe('ten-01JD0000000000000000000000');
    expect(federatedProviderOf({ email: 'ada@example.test' })).toBeNull();
    expect(federatedProviderOf({ identities: 'not json' })).toBeNull();
  });

  it('reads a group claim as Cognito stores it: its own [a, b], a JSON list, or one value', () => {
    expect(groupsOf('[tenantry-admins, staff]')).toEqual(['tenantry-admins', 'staff']);
    expect(groupsOf('["tenantry-admins","staff"]')).toEqual(['tenantry-admins', 'staff']);
    expect(groupsOf('staff')).toEqual(['staff']);
    expect(groupsOf(undefined)).toEqual([]);
  });

  it('gives the first rule’s role that the groups match, else the default', () => {
    const mapping = {
      attribute: 'groups',
      rules: [
        { value: 'tenantry-admins', role: 'admin' as const },
        { value: 'staff', role: 'member' as const },
      ],
    };
    expect(roleFor(['staff', 'tenantry-admins'], mapping, 'viewer')).toBe('admin');
    expect(roleFor(['staff'], mapping, 'viewer')).toBe('member');
    expect(roleFor(['contractors'], mapping, 'viewer')).toBe('viewer');
    expect(roleFor(['staff'], null, 'viewer')).toBe('viewer');
  });

  it('lets a password sign-in’s tokens pass the trigger untouched (it reads nothing)', async () => {
    const event = {
      version: '1',
      triggerSource: 'TokenGeneration_Authentication',
      region: 'us-east-1',
      userPoolId: 'us-east-1_unit',
      userName: 'ada',
      callerContext: { awsSdkVersion: 'x', clientId: 'c' },
      request: {
        userAttributes: { email: 'ada@example.test', 'custom:userId': 'usr_1' },
        groupConfiguration: {},
      },
      response: { claimsOverrideDetails: null },
    } as unknown as PreTokenGenerationTriggerEvent;
    const answered = await handler(structuredClone(event));
    expect(answered).toEqual(event);
  });
});
