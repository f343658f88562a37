import {
  CreateIdentityProviderCommand,
  DeleteIdentityProviderCommand,
  DescribeUserPoolClientCommand,
  ListIdentityProvidersCommand,
  UpdateIdentityProviderCommand,
  UpdateUserPoolClientCommand,
  type UpdateUserPoolClientCommandInput,
  type UserPoolClientType,
} from '@aws-sdk/client-cognito-identity-provider';
import { getConfig } from '../config';
import { ServiceUnavailableError, UnprocessableError } from '../errors';
import { cognitoClient } from '../identity/user-directory';

/** A Cognito identity provider as the pool keeps it. */
export interface FederatedProvider {
  name: string;
  type: 'OIDC' | 'SAML';
  /** Cognito's `ProviderDetails` (OIDC: client id and secret, issuer, scopes; SAML: the metadata). */
  details: Record<string, string>;
  /** Provider claim or attribute → user pool attribute. */
  attributeMapping: Record<string, string>;
}

/** The client settings Cognito reports but does not take back in UpdateUserPoolClient. */
const READ_ONLY_CLIENT_FIELDS = new Set(['ClientSecret', 'CreationDate', 'LastModifiedDate']);

function translate(error: unknown, what: string): never {
  const name = (error as { name?: string }).name ?? '';
  const message = (error as { message?: string }).message ?? String(error);
  if (name === 'InvalidParameterException' || name === 'UnsupportedIdentityProviderException') {
    throw new UnprocessableError(`Cognito refused the identity provider: ${message}`, 'sso_provider_refused');
  }
  if (name === 'LimitExceededException') {
    throw new ServiceUnavailableError(
      'The user pool has as many identity providers as it may; operators must raise the quota.',
      { cause: error },
    );
  }
  throw new ServiceUnavailableError(
    `The identity provider directory is unavailable (${what}); retry shortly.`,
    {
      cause: error,
    },
  );
}

/** Makes or replaces the pool's identity provider of this name (update first; create when there is none). */
export async function putFederatedProvider(provider: FederatedProvider): Promise<void> {
  const { userPoolId } = getConfig().cognito;
  const fields = {
    UserPoolId: userPoolId,
    ProviderName: provider.name,
    ProviderDetails: provider.details,
    AttributeMapping: provider.attributeMapping,
  };
  try {
    await cognitoClient.send(new UpdateIdentityProviderCommand(fields));
  } catch (error) {
    if ((error as { name?: string }).name !== 'ResourceNotFoundException') translate(error, 'update');
    try {
      await cognitoClient.send(new CreateIdentityProviderCommand({ ...fields, ProviderType: provider.type }));
    } catch (createError) {
      translate(createError, 'create');
    }
  }
}

/** Deletes the pool's identity provider of this name; one already gone is no error. */
export async function deleteFederatedProvider(name: string): Promise<void> {
  try {
    await cognitoClient.send(
      new DeleteIdentityProviderCommand({ UserPoolId: getConfig().cognito.userPoolId, ProviderName: name }),
    );
  } catch (error) {
    if ((error as { name?: string }).name !== 'ResourceNotFoundException') translate(error, 'delete');
  }
}

function updateInput(client: UserPoolClientType, providers: string[]): UpdateUserPoolClientCommandInput {
  const kept = Object.fromEntries(
    Object.entries(client).filter(([key, value]) => !READ_ONLY_CLIENT_FIELDS.has(key) && value !== undefined),
  ) as UpdateUserPoolClientCommandInput;
  return { ...kept, SupportedIdentityProviders: providers };
}

/** The names of the pool's identity providers, every page. */
export async function listFederatedProviderNames(): Promise<string[]> {
  const { userPoolId } = getConfig().cognito;
  const names: string[] = [];
  let nextToken: string | undefined;
  do {
    let page;
    try {
      page = await cognitoClient.send(
        new ListIdentityProvidersCommand({ UserPoolId: userPoolId, MaxResults: 60, NextToken: nextToken }),
      );
    } catch (error) {
      translate(error, 'list the identity providers');
    }
    names.push(...(page.Providers ?? []).flatMap((provider) => provider.ProviderName ?? []));
    nextToken = page.NextToken;
  } while (nextToken);
  return names;
}

/**
 * Changes the app client's `SupportedIdentityProviders` to what `change` makes of the list read.
 * UpdateUserPoolClient replaces the whole client (a field left out is reset), so every field read is
 * sent back; and two writers at once could each write over the other, so the list is read again after
 * the write and the change repeated until reading it changes nothing. Answers the list as first read
 * and as it stands.
 */
async function changeClientProviders(
  change: (current: string[]) => string[],
): Promise<{ before: string[]; after: string[] }> {
  const { userPoolId, clientId } = getConfig().cognito;
  let before: string[] | undefined;
  for (let attempt = 0; attempt < 5; attempt += 1) {
    let client: UserPoolClientType | undefined;
    try {
      client = (
        await cognitoClient.send(
          new DescribeUserPoolClientCommand({ UserPoolId: userPoolId, ClientId: clientId }),
        )
      ).UserPoolClient;
    } catch (error) {
      translate(error, 'read the app client');
    }
    if (!client) throw new ServiceUnavailableError('The app client was not found; check COGNITO_CLIENT_ID.');
    const current = client.SupportedIdentityProviders ?? ['COGNITO'];
    before ??= current;
    const next = change(current);
    if (next.length === current.length && next.every((name) => current.includes(name))) {
      return { before, after: current };
    }
    try {
      await cognitoClient.send(new UpdateUserPoolClientCommand(updateInput(client, next)));
    } catch (error) {
      translate(error, 'update the app client');
    }
    await new Promise((resolve) => setTimeout(resolve, 50 + Math.random() * 150 * (attempt + 1)));
  }
  throw new ServiceUnavailableError('The app client kept changing under this update; retry shortly.');
}

/**
 * Adds or removes a provider in the app client's `SupportedIdentityProviders` (the provider reconcile,
 * shared/sso/provider-reconcile.ts, repairs what a crash or a deploy leaves).
 */
export async function setClientSupportsProvider(name: string, supported: boolean): Promise<void> {
  await changeClientProviders((current) =>
    current.includes(name) === supported
      ? current
      : supported
        ? [...current, name]
        : current.filter((provider) => provider !== name),
  );
}

/**
 * Sets which of the pool's providers the app client offers: `offered` added where missing, and the
 * names `removable` picks (and `offered` does not name) taken away; any other name is kept. Answers
 * the list as first read and as it stands.
 */
export async function offerClientProviders(
  offered: readonly string[],
  removable: (name: string) => boolean,
): Promise<{ before: string[]; after: string[] }> {
  return changeClientProviders((current) => [
    ...current.filter((name) => !removable(name) || offered.includes(name)),
    ...offered.filter((name) => !current.includes(name)),
  ]);
}
