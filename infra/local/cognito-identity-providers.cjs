// The user pool's identity providers, which cognito-local does not have: Cognito's API for them
// (CreateIdentityProvider, DescribeIdentityProvider, UpdateIdentityProvider, DeleteIdentityProvider,
// ListIdentityProviders) with Cognito's request and response shapes and errors, kept in
// `.cognito/db/identity-providers.json`, and the app client's check that every provider it offers
// exists (UpdateUserPoolClient). An OIDC provider is discovered when made or changed, as Cognito
// does: its endpoints are added to ProviderDetails, and a provider whose discovery fails is refused.
'use strict';
const { existsSync, readFileSync } = require('node:fs');
const { join } = require('node:path');
const { atomicWriter } = require('./atomic-file-writer.cjs');

const PROVIDER_TYPES = ['SAML', 'Facebook', 'Google', 'LoginWithAmazon', 'SignInWithApple', 'OIDC'];
const NAME_PATTERN = /^[^_\p{Z}][\p{L}\p{M}\p{S}\p{N}\p{P}][^_\p{Z}]+$/u;

class CognitoError extends Error {
  constructor(type, message) {
    super(message);
    this.type = type;
  }
}

function identityProviderStore(dir) {
  const path = join(dir, 'identity-providers.json');
  const write = atomicWriter(path);
  const data = existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : {};
  return {
    pool: (userPoolId) => (data[userPoolId] ??= {}),
    get: (userPoolId, name) => data[userPoolId]?.[name],
    save: () => write(JSON.stringify(data, null, 2)),
  };
}

async function discover(issuer) {
  const url = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  let document;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
    if (!response.ok) throw new Error(`status ${response.status}`);
    document = await response.json();
  } catch (error) {
    throw new CognitoError(
      'InvalidParameterException',
      `Unable to contact well-known endpoint: ${error.message}`,
    );
  }
  if (document.issuer !== issuer.replace(/\/+$/, '')) {
    throw new CognitoError('InvalidParameterException', 'OIDC issuer does not match the discovery document');
  }
  return {
    authorize_url: document.authorization_endpoint,
    token_url: document.token_endpoint,
    attributes_url: document.userinfo_endpoint ?? '',
    jwks_uri: document.jwks_uri,
    attributes_url_add_attributes: 'false',
  };
}

async function checkedDetails(type, details) {
  if (type === 'OIDC') {
    for (const key of ['client_id', 'authorize_scopes', 'oidc_issuer']) {
      if (!details[key])
        throw new CognitoError('InvalidParameterException', `${key} is required for OIDC providers`);
    }
    return { attributes_request_method: 'GET', ...details, ...(await discover(details.oidc_issuer)) };
  }
  if (type === 'SAML') {
    if (!details.MetadataURL && !details.MetadataFile) {
      throw new CognitoError('InvalidParameterException', 'Either MetadataURL or MetadataFile is required');
    }
    if (details.MetadataURL && !details.MetadataFile) {
      try {
        const response = await fetch(details.MetadataURL, { signal: AbortSignal.timeout(5000) });
        if (!response.ok) throw new Error(`status ${response.status}`);
        return { ...details, MetadataFile: await response.text(), ActiveEncryptionCertificate: '' };
      } catch (error) {
        throw new CognitoError(
          'InvalidParameterException',
          `Unable to retrieve the metadata: ${error.message}`,
        );
      }
    }
    return { ...details };
  }
  return { ...details };
}

const asResponse = (provider) => ({
  ...provider,
  CreationDate: provider.CreationDate / 1000,
  LastModifiedDate: provider.LastModifiedDate / 1000,
});

function targets(store) {
  return {
    async CreateIdentityProvider(body) {
      const { UserPoolId, ProviderName, ProviderType } = body;
      if (typeof ProviderName !== 'string' || ProviderName.length > 32 || !NAME_PATTERN.test(ProviderName)) {
        throw new CognitoError('InvalidParameterException', '1 validation error detected: ProviderName');
      }
      if (!PROVIDER_TYPES.includes(ProviderType)) {
        throw new CognitoError('InvalidParameterException', '1 validation error detected: ProviderType');
      }
      if (store.get(UserPoolId, ProviderName)) {
        throw new CognitoError(
          'DuplicateProviderException',
          'A provider with the specified name already exists.',
        );
      }
      const now = Date.now();
      const provider = {
        UserPoolId,
        ProviderName,
        ProviderType,
        ProviderDetails: await checkedDetails(ProviderType, body.ProviderDetails ?? {}),
        AttributeMapping: body.AttributeMapping ?? {},
        IdpIdentifiers: body.IdpIdentifiers ?? [],
        CreationDate: now,
        LastModifiedDate: now,
      };
      store.pool(UserPoolId)[ProviderName] = provider;
      await store.save();
      return { IdentityProvider: asResponse(provider) };
    },
    async UpdateIdentityProvider(body) {
      const current = store.get(body.UserPoolId, body.ProviderName);
      if (!current) throw new CognitoError('ResourceNotFoundException', 'Identity provider not found.');
      const details = body.ProviderDetails
        ? await checkedDetails(current.ProviderType, body.ProviderDetails)
        : current.ProviderDetails;
      const provider = {
        ...current,
        ProviderDetails: details,
        AttributeMapping: body.AttributeMapping ?? current.AttributeMapping,
        IdpIdentifiers: body.IdpIdentifiers ?? current.IdpIdentifiers,
        LastModifiedDate: Date.now(),
      };
      store.pool(body.UserPoolId)[body.ProviderName] = provider;
      await store.save();
      return { IdentityProvider: asResponse(provider) };
    },
    async DescribeIdentityProvider(body) {
      const provider = store.get(body.UserPoolId, body.ProviderName);
      if (!provider) throw new CognitoError('ResourceNotFoundException', 'Identity provider not found.');
      return { IdentityProvider: asResponse(provider) };
    },
    async DeleteIdentityProvider(body) {
      if (!store.get(body.UserPoolId, body.ProviderName)) {
        throw new CognitoError('ResourceNotFoundException', 'Identity provider not found.');
      }
      delete store.pool(body.UserPoolId)[body.ProviderName];
      await store.save();
      return {};
    },
    async ListIdentityProviders(body) {
      const providers = Object.values(store.pool(body.UserPoolId)).map((provider) => ({
        ProviderName: provider.ProviderName,
        ProviderType: provider.ProviderType,
        CreationDate: provider.CreationDate / 1000,
        LastModifiedDate: provider.LastModifiedDate / 1000,
      }));
      return { Providers: providers };
    },
  };
}

/**
 * Express middleware answering the identity-provider targets, and checking UpdateUserPoolClient's
 * providers before cognito-local stores the client.
 */
function identityProviderApi(dir) {
  const store = identityProviderStore(dir);
  const handlers = targets(store);
  const middleware = (req, res, next) => {
    if (req.method !== 'POST' || req.path !== '/') return next();
    const target = String(req.headers['x-amz-target'] ?? '').split('.')[1];
    if (target === 'UpdateUserPoolClient') {
      const unknown = (req.body?.SupportedIdentityProviders ?? []).find(
        (name) => name !== 'COGNITO' && !store.get(req.body.UserPoolId, name),
      );
      if (!unknown) return next();
      res.status(400).json({
        __type: 'InvalidParameterException',
        message: `The provider ${unknown} does not exist for User Pool ${req.body.UserPoolId}`,
      });
      return;
    }
    const handler = handlers[target];
    if (!handler) return next();
    handler(req.body ?? {}).then(
      (output) => res.status(200).type('application/x-amz-json-1.1').send(JSON.stringify(output)),
      (error) => {
        if (error instanceof CognitoError)
          res.status(400).json({ __type: error.type, message: error.message });
        else
          res
            .status(500)
            .json({ __type: 'InternalErrorException', message: String(error?.message ?? error) });
      },
    );
  };
  return { middleware, store };
}

module.exports = { identityProviderApi };
