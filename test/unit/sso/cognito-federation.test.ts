import {
  CognitoIdentityProviderClient,
  CreateIdentityProviderCommand,
  DeleteIdentityProviderCommand,
  DescribeUserPoolClientCommand,
  InvalidParameterException,
  ListIdentityProvidersCommand,
  ResourceNotFoundException,
  UpdateIdentityProviderCommand,
  UpdateUserPoolClientCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { ServiceUnavailableError, UnprocessableError } from '../../../shared/errors';
import {
  deleteFederatedProvider,
  listFederatedProviderNames,
  offerClientProviders,
  putFederatedProvider,
  setClientSupportsProvider,
} from '../../../shared/sso/cognito-federation';

const cognito = mockClient(CognitoIdentityProviderClient);

const provider = {
  name: 'ten-01JD0000000000000000000000',
  type: 'OIDC' as const,
  details: {
    client_id: 'c',
    client_secret: 's',
    authorize_scopes: 'openid email',
    oidc_issuer: 'https://idp.test',
  },
  attributeMapping: { email: 'email' },
};

const appClient = {
  UserPoolId: 'us-east-1_unit',
  ClientId: 'unit-client',
  ClientName: 'app',
  ClientSecret: 'never-sent-back',
  CreationDate: new Date(0),
  LastModifiedDate: new Date(0),
  ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH' as const],
  CallbackURLs: ['https://console.test/sso/callback'],
  AllowedOAuthFlows: ['code' as const],
  AllowedOAuthScopes: ['openid'],
  AllowedOAuthFlowsUserPoolClient: true,
  ReadAttributes: ['email', 'custom:tenantId'],
  IdTokenValidity: 60,
  TokenValidityUnits: { IdToken: 'minutes' as const },
  SupportedIdentityProviders: ['COGNITO'],
};

describe('a tenant identity provider in Cognito', () => {
  afterEach(() => cognito.reset());

  it('updates a provider that exists, and creates it when Cognito has none by that name', async () => {
    cognito.on(UpdateIdentityProviderCommand).resolvesOnce({} as never);
    await putFederatedProvider(provider);
    expect(cognito.commandCalls(CreateIdentityProviderCommand)).toHaveLength(0);

    cognito
      .on(UpdateIdentityProviderCommand)
      .rejects(new ResourceNotFoundException({ message: 'not found', $metadata: {} }));
    cognito.on(CreateIdentityProviderCommand).resolves({} as never);
    await putFederatedProvider(provider);
    const created = cognito.commandCalls(CreateIdentityProviderCommand)[0]?.args[0].input;
    expect(created).toMatchObject({
      UserPoolId: 'us-east-1_unit',
      ProviderName: provider.name,
      ProviderType: 'OIDC',
      ProviderDetails: provider.details,
      AttributeMapping: { email: 'email' },
    });
  });

  it('answers 422 with Cognito’s reason when it refuses the provider, 503 when it is unavailable', async () => {
    cognito
      .on(UpdateIdentityProviderCommand)
      .rejects(
        new InvalidParameterException({ message: 'Unable to contact well-known endpoint', $metadata: {} }),
      );
    const refused = await putFederatedProvider(provider).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(UnprocessableError);
    expect((refused as UnprocessableError).message).toContain('Unable to contact well-known endpoint');

    cognito
      .on(UpdateIdentityProviderCommand)
      .rejects(Object.assign(new Error('slow'), { name: 'TooManyRequestsException' }));
    await expect(putFederatedProvider(provider)).rejects.toBeInstanceOf(ServiceUnavailableError);
  });

  it('adds the provider to the app client, sending every setting back and none Cognito does not take', async () => {
    cognito
      .on(DescribeUserPoolClientCommand)
      .resolvesOnce({ UserPoolClient: appClient })
      .resolves({ UserPoolClient: { ...appClient, SupportedIdentityProviders: ['COGNITO', provider.name] } });
    cognito.on(UpdateUserPoolClientCommand).resolves({});
    await setClientSupportsProvider(provider.name, true);
    const update = cognito.commandCalls(UpdateUserPoolClientCommand);
    expect(update).toHaveLength(1);
    const input = update[0]?.args[0].input as unknown as Record<string, unknown>;
    expect(input.SupportedIdentityProviders).toEqual(['COGNITO', provider.name]);
    // Everything else as it was: UpdateUserPoolClient resets a field it is not sent.
    expect(input).toMatchObject({
      ClientId: 'unit-client',
      CallbackURLs: appClient.CallbackURLs,
      AllowedOAuthFlows: ['code'],
      ReadAttributes: appClient.ReadAttributes,
      IdTokenValidity: 60,
      TokenValidityUnits: { IdToken: 'minutes' },
    });
    expect(input).not.toHaveProperty('ClientSecret');
    expect(input).not.toHaveProperty('CreationDate');
  });

  it('writes the list again when another change overwrote it meanwhile (two tenants at once)', async () => {
    const other = 'ten-01JD1111111111111111111111';
    cognito
      .on(DescribeUserPoolClientCommand)
      .resolvesOnce({ UserPoolClient: appClient })
      // Another tenant's write, read before ours landed, put back a list without ours.
      .resolvesOnce({ UserPoolClient: { ...appClient, SupportedIdentityProviders: ['COGNITO', other] } })
      .resolves({
        UserPoolClient: { ...appClient, SupportedIdentityProviders: ['COGNITO', other, provider.name] },
      });
    cognito.on(UpdateUserPoolClientCommand).resolves({});
    await setClientSupportsProvider(provider.name, true);
    const lists = cognito
      .commandCalls(UpdateUserPoolClientCommand)
      .map((call) => call.args[0].input.SupportedIdentityProviders);
    expect(lists).toEqual([
      ['COGNITO', provider.name],
      ['COGNITO', other, provider.name],
    ]);
  });

  it('removes the provider from the client, and a provider already gone deletes without error', async () => {
    cognito
      .on(DescribeUserPoolClientCommand)
      .resolvesOnce({
        UserPoolClient: { ...appClient, SupportedIdentityProviders: ['COGNITO', provider.name] },
      })
      .resolves({ UserPoolClient: appClient });
    cognito.on(UpdateUserPoolClientCommand).resolves({});
    await setClientSupportsProvider(provider.name, false);
    expect(
      cognito.commandCalls(UpdateUserPoolClientCommand)[0]?.args[0].input.SupportedIdentityProviders,
    ).toEqual(['COGNITO']);
    cognito
      .on(DeleteIdentityProviderCommand)
      .rejects(new ResourceNotFoundException({ message: 'gone', $metadata: {} }));
    await expect(deleteFederatedProvider(provider.name)).resolves.toBeUndefined();
  });

  it('lists every page of the pool’s providers', async () => {
    cognito
      .on(ListIdentityProvidersCommand)
      .resolvesOnce({ Providers: [{ ProviderName: 'a' }, { ProviderName: 'b' }], NextToken: 'page-2' })
      .resolvesOnce({ Providers: [{ ProviderName: 'c' }] });
    await expect(listFederatedProviderNames()).resolves.toEqual(['a', 'b', 'c']);
    expect(cognito.commandCalls(ListIdentityProvidersCommand)[1]?.args[0].input.NextToken).toBe('page-2');
  });

  it('offers the providers named, takes off only those picked, and keeps COGNITO and any other', async () => {
    const gone = 'ten-01JD2222222222222222222222';
    cognito
      .on(DescribeUserPoolClientCommand)
      .resolvesOnce({
        UserPoolClient: { ...appClient, SupportedIdentityProviders: ['COGNITO', 'Google', gone] },
      })
      .resolves({
        UserPoolClient: { ...appClient, SupportedIdentityProviders: ['COGNITO', 'Google', provider.name] },
      });
    cognito.on(UpdateUserPoolClientCommand).resolves({});
    const { before, after } = await offerClientProviders([provider.name], (name) => name === gone);
    expect(before).toEqual(['COGNITO', 'Google', gone]);
    expect(after).toEqual(['COGNITO', 'Google', provider.name]);
    expect(
      cognito
        .commandCalls(UpdateUserPoolClientCommand)
        .map((call) => call.args[0].input.SupportedIdentityProviders),
    ).toEqual([['COGNITO', 'Google', provider.name]]);
    // Already so: nothing is written.
    cognito.reset();
    cognito.on(DescribeUserPoolClientCommand).resolves({
      UserPoolClient: { ...appClient, SupportedIdentityProviders: ['COGNITO', provider.name] },
    });
    await offerClientProviders([provider.name], (name) => name.startsWith('ten-'));
    expect(cognito.commandCalls(UpdateUserPoolClientCommand)).toHaveLength(0);
  });
});
