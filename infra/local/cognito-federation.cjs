// Cognito's federation endpoints, which cognito-local does not have, played with Cognito's request
// and response shapes so the console's SSO sign-in takes the same path as in AWS:
//
// - GET  /oauth2/authorize?identity_provider=<name>&client_id&redirect_uri&response_type=code
//        &scope&state&code_challenge&code_challenge_method=S256
//   checks the app client, its callback URL and that it offers the provider, then sends the browser to
//   the provider (OIDC: its authorization endpoint, with a state and nonce of the federation's own);
// - GET  /oauth2/idpresponse: the OIDC provider's answer. The code is exchanged at the provider's token
//   endpoint with the client secret, and its ID token checked: issuer, audience, expiry, nonce and state
//   by openid-client (a certified relying-party library), and its signature against the provider's
//   JWKS by jose (openid-client, as OIDC allows for a token fetched over TLS, checks none); then
//   the federated user `<provider>_<sub>` is made or updated in the pool with the provider's attributes
//   mapped as the provider's AttributeMapping says (and `identities`, as Cognito keeps it), and the
//   browser goes back to the app with a code of the federation's own;
// - POST /saml2/idpresponse: a SAML provider's answer (HTTP-POST binding: SAMLResponse and RelayState).
//   The authorize step sent the provider an AuthnRequest (HTTP-Redirect, or HTTP-POST where its
//   metadata names only that) as the pool's service provider `urn:amazon:cognito:sp:<pool>`; the
//   Response is checked by node-saml (the library passport-saml is built on): the Assertion signed
//   by a certificate of the provider's metadata, its issuer, audience, recipient and time window, and
//   InResponseTo naming this sign-in's request (each request id is used once, so a replayed Response
//   is refused). The federated user is `<provider>_<NameID>`, its attributes mapped as for OIDC;
// - POST /oauth2/token with that code (and its PKCE verifier): tokens made by cognito-local's own token
//   generator, which runs the pool's PreTokenGeneration trigger (the same Lambda as in AWS), the ID
//   token carrying `identities` as Cognito's does.
//
// What is real: the provider, the checks of its answer, the tokens (signed by cognito-local's key,
// verified by the API as in AWS), the trigger. What is played: the hosted domain itself (no pages of its
// own; errors go back to the app as `error` and `error_description`, as Cognito sends them).
'use strict';
const { randomBytes, randomUUID } = require('node:crypto');
const { dirname, join } = require('node:path');

const lib = join(dirname(require.resolve('cognito-local/package.json')), 'lib');
const { verifyS256 } = require(join(lib, 'oauth2', 'pkce'));
const privateKey = require(join(lib, 'keys', 'cognitoLocal.private.json'));
const jwt = require(require.resolve('jsonwebtoken', { paths: [lib] }));
const jose = require('jose');
const { SAML } = require('@node-saml/node-saml');
const { XMLParser } = require('fast-xml-parser');

const REDIRECT_BINDING = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
const POST_BINDING = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';
/** Cognito's own words for a SAML answer it refuses (the reason follows, for the twin's users). */
const BAD_SAML = 'Invalid samlResponse or relayState from identity provider';

/** How long a sign-in may take at the provider, and a code may wait to be exchanged. */
const PENDING_MS = 10 * 60_000;
const CODE_MS = 5 * 60_000;

function expiring() {
  const entries = new Map();
  return {
    put(key, value, ms) {
      // Sign-ins abandoned at the provider leave entries behind; they go when their time is up.
      if (entries.size > 1000) {
        for (const [old, entry] of entries) if (entry.until <= Date.now()) entries.delete(old);
      }
      entries.set(key, { value, until: Date.now() + ms });
    },
    /** The entry, once: a state or code is single-use (a replayed one finds nothing). */
    take(key) {
      const entry = entries.get(key);
      entries.delete(key);
      return entry && entry.until > Date.now() ? entry.value : undefined;
    },
  };
}

/** A provider claim's value as Cognito stores it in a user attribute (lists as `[a, b]`). */
function attributeValue(value) {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) return `[${value.join(', ')}]`;
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

const many = (value) => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/** What the pool's SAML provider's metadata says: entity id, sign-on URL and binding, signing certificates. */
function samlMetadata(xml) {
  const document = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@',
    removeNSPrefix: true,
    processEntities: false,
    parseTagValue: false,
  }).parse(xml);
  const entity = document.EntityDescriptor ?? many(document.EntitiesDescriptor?.EntityDescriptor)[0];
  const idp = many(entity?.IDPSSODescriptor)[0];
  if (!idp) throw new Error('The provider metadata has no IDPSSODescriptor');
  const services = many(idp.SingleSignOnService);
  const sso =
    services.find((service) => service['@Binding'] === REDIRECT_BINDING) ??
    services.find((service) => service['@Binding'] === POST_BINDING);
  if (!sso) throw new Error('The provider metadata has no SingleSignOnService');
  const certificates = many(idp.KeyDescriptor)
    .filter((key) => key['@use'] === undefined || key['@use'] === 'signing')
    .flatMap((key) => many(key.KeyInfo?.X509Data?.X509Certificate))
    .map((raw) => String(typeof raw === 'object' ? raw['#text'] : raw).replace(/\s+/g, ''));
  return {
    entityId: entity['@entityID'],
    ssoUrl: sso['@Location'],
    binding: sso['@Binding'] === REDIRECT_BINDING ? 'HTTP-Redirect' : 'HTTP-POST',
    certificates,
  };
}

function federation(services, identityProviders, endpoint) {
  const pending = expiring();
  const codes = expiring();
  const configurations = new Map();
  const keySets = new Map();
  let oidc;
  const openid = async () => (oidc ??= await import('openid-client'));
  // The SAML requests sent and not yet answered, by id: node-saml checks InResponseTo against them and
  // removes each as it is answered.
  const samlRequests = expiring();
  const samlRequestCache = {
    async saveAsync(key, value) {
      samlRequests.put(key, value, PENDING_MS);
      return { value, createdAt: Date.now() };
    },
    async getAsync(key) {
      const value = samlRequests.take(key);
      if (value !== undefined) samlRequests.put(key, value, PENDING_MS);
      return value ?? null;
    },
    async removeAsync(key) {
      return samlRequests.take(key) ?? null;
    },
  };

  /** node-saml as the pool's service provider towards this provider (the request id given, to send one). */
  function samlServiceProvider(provider, userPoolId, requestId) {
    const metadata = samlMetadata(provider.ProviderDetails.MetadataFile ?? '');
    const entityId = `urn:amazon:cognito:sp:${userPoolId}`;
    return {
      metadata,
      saml: new SAML({
        callbackUrl: `${endpoint}/saml2/idpresponse`,
        entryPoint: metadata.ssoUrl,
        authnRequestBinding: metadata.binding,
        issuer: entityId,
        audience: entityId,
        idpCert: metadata.certificates,
        idpIssuer: metadata.entityId,
        wantAssertionsSigned: true,
        wantAuthnResponseSigned: false,
        validateInResponseTo: 'always',
        requestIdExpirationPeriodMs: PENDING_MS,
        cacheProvider: samlRequestCache,
        identifierFormat: null,
        disableRequestedAuthnContext: true,
        ...(requestId ? { generateUniqueId: () => requestId } : {}),
      }),
    };
  }

  async function oidcConfiguration(provider) {
    const details = provider.ProviderDetails;
    const key = `${provider.ProviderName}:${provider.LastModifiedDate}`;
    if (!configurations.has(key)) {
      const client = await openid();
      const issuer = new URL(details.oidc_issuer);
      configurations.set(
        key,
        await client.discovery(
          issuer,
          details.client_id,
          undefined,
          client.ClientSecretBasic(details.client_secret ?? ''),
          issuer.protocol === 'http:' ? { execute: [client.allowInsecureRequests] } : undefined,
        ),
      );
    }
    return configurations.get(key);
  }

  const back = (res, redirectUri, state, error, description) => {
    const url = new URL(redirectUri);
    url.searchParams.set('error', error);
    url.searchParams.set('error_description', description);
    if (state) url.searchParams.set('state', state);
    res.redirect(url.toString());
  };

  /** Makes or updates the pool's user for this provider identity, as Cognito does at each sign-in. */
  async function federatedUser(ctx, userPoolId, provider, subject, claims) {
    const userPool = await services.cognito.getUserPool(ctx, userPoolId);
    const username = `${provider.ProviderName}_${subject}`;
    // By its own key only: cognito-local's lookup falls back to matching emails, which would find a
    // person's password sign-in of the same address.
    const existing = await userPool.dataStore.get(ctx, ['Users', username]);
    const mapped = Object.entries(provider.AttributeMapping ?? {})
      .filter(([attribute]) => attribute !== 'username')
      .map(([attribute, claim]) => ({ Name: attribute, Value: attributeValue(claims[claim]) }))
      .filter((attribute) => attribute.Value !== undefined);
    const sub = existing?.Attributes.find((attribute) => attribute.Name === 'sub')?.Value ?? randomUUID();
    const now = new Date();
    const identities = [
      {
        userId: subject,
        providerName: provider.ProviderName,
        providerType: provider.ProviderType,
        issuer: null,
        primary: 'true',
        dateCreated: String(
          existing?.UserCreateDate ? new Date(existing.UserCreateDate).getTime() : now.getTime(),
        ),
      },
    ];
    const user = {
      ...(existing ?? { UserCreateDate: now, RefreshTokens: [], Password: '' }),
      Username: username,
      Enabled: existing?.Enabled ?? true,
      UserStatus: 'EXTERNAL_PROVIDER',
      UserLastModifiedDate: now,
      Attributes: [
        { Name: 'sub', Value: sub },
        ...mapped.filter((attribute) => attribute.Name !== 'sub'),
        { Name: 'identities', Value: JSON.stringify(identities) },
      ],
    };
    await userPool.saveUser(ctx, user);
    return user;
  }

  /** The ID token as Cognito's: `identities` from the user, re-signed with the pool's (cognito-local's) key. */
  function withIdentities(idToken, user) {
    const claims = jwt.decode(idToken);
    const identities = user.Attributes.find((attribute) => attribute.Name === 'identities')?.Value;
    if (!identities) return idToken;
    const { iat, exp, ...rest } = claims;
    return jwt.sign({ ...rest, iat, exp, identities: JSON.parse(identities) }, privateKey.pem, {
      algorithm: 'RS256',
      keyid: 'CognitoLocal',
    });
  }

  async function authorize(req, res, next) {
    const provider = req.query.identity_provider ?? req.query.idp_identifier;
    if (!provider) return next();
    const q = req.query;
    const ctx = { logger: req.log };
    const appClient = q.client_id ? await services.cognito.getAppClient(ctx, String(q.client_id)) : null;
    if (!appClient)
      return res.status(400).json({ error: 'invalid_request', error_description: 'Invalid client_id' });
    if (!(appClient.CallbackURLs ?? []).includes(q.redirect_uri)) {
      return res
        .status(400)
        .json({ error: 'redirect_mismatch', error_description: 'redirect_uri not registered' });
    }
    const state = q.state ? String(q.state) : undefined;
    if (q.response_type !== 'code')
      return back(res, q.redirect_uri, state, 'unsupported_response_type', 'response_type must be code');
    if (!q.code_challenge || q.code_challenge_method !== 'S256') {
      return back(res, q.redirect_uri, state, 'invalid_request', 'code_challenge with S256 is required');
    }
    if (!(appClient.SupportedIdentityProviders ?? []).includes(String(provider))) {
      return back(res, q.redirect_uri, state, 'invalid_request', `The client does not offer ${provider}`);
    }
    const idp = identityProviders.get(appClient.UserPoolId, String(provider));
    if (!idp) return back(res, q.redirect_uri, state, 'invalid_request', `No identity provider ${provider}`);
    const handle = randomBytes(24).toString('base64url');
    const session = {
      userPoolId: appClient.UserPoolId,
      clientId: appClient.ClientId,
      redirectUri: String(q.redirect_uri),
      appState: state,
      codeChallenge: String(q.code_challenge),
      scope: String(q.scope ?? 'openid'),
      providerName: idp.ProviderName,
      nonce: randomBytes(24).toString('base64url'),
    };
    if (idp.ProviderType === 'SAML') {
      const requestId = `_${randomBytes(20).toString('hex')}`;
      try {
        const { saml, metadata } = samlServiceProvider(idp, appClient.UserPoolId, requestId);
        pending.put(handle, { ...session, samlRequestId: requestId }, PENDING_MS);
        if (metadata.binding === 'HTTP-Redirect') {
          return res.redirect(await saml.getAuthorizeUrlAsync(handle, undefined, {}));
        }
        return res.type('html').send(await saml.getAuthorizeFormAsync(handle, undefined, {}));
      } catch (error) {
        return back(
          res,
          q.redirect_uri,
          state,
          'server_error',
          `The SAML provider cannot be used: ${error.message}`,
        );
      }
    }
    if (idp.ProviderType !== 'OIDC') {
      return back(
        res,
        q.redirect_uri,
        state,
        'invalid_request',
        `${idp.ProviderType} providers are not played here`,
      );
    }
    try {
      const client = await openid();
      const configuration = await oidcConfiguration(idp);
      pending.put(handle, session, PENDING_MS);
      const url = client.buildAuthorizationUrl(configuration, {
        redirect_uri: `${endpoint}/oauth2/idpresponse`,
        scope: idp.ProviderDetails.authorize_scopes,
        state: handle,
        nonce: session.nonce,
      });
      res.redirect(url.toString());
    } catch (error) {
      back(
        res,
        q.redirect_uri,
        state,
        'server_error',
        `The identity provider cannot be reached: ${error.message}`,
      );
    }
  }

  /** The sign-in's provider, or (when it was removed meanwhile) undefined, the app told so. */
  function sessionProvider(res, session) {
    const idp = identityProviders.get(session.userPoolId, session.providerName);
    if (!idp) {
      back(
        res,
        session.redirectUri,
        session.appState,
        'invalid_request',
        'The identity provider was removed',
      );
    }
    return idp;
  }

  async function oidcResponse(req, res) {
    const session = req.query.state ? pending.take(String(req.query.state)) : undefined;
    if (!session) {
      return res
        .status(400)
        .json({ error: 'invalid_request', error_description: 'Unknown or expired state' });
    }
    if (req.query.error) {
      return back(
        res,
        session.redirectUri,
        session.appState,
        'access_denied',
        String(req.query.error_description ?? req.query.error),
      );
    }
    const ctx = { logger: req.log };
    const idp = sessionProvider(res, session);
    if (!idp) return;
    let claims;
    try {
      const client = await openid();
      const configuration = await oidcConfiguration(idp);
      const current = new URL(`${endpoint}${req.originalUrl}`);
      const tokens = await client.authorizationCodeGrant(configuration, current, {
        expectedState: req.query.state,
        expectedNonce: session.nonce,
        idTokenExpected: true,
      });
      const details = idp.ProviderDetails;
      if (!keySets.has(details.jwks_uri)) {
        keySets.set(details.jwks_uri, jose.createRemoteJWKSet(new URL(details.jwks_uri)));
      }
      await jose.jwtVerify(tokens.id_token, keySets.get(details.jwks_uri), {
        issuer: details.oidc_issuer,
        audience: details.client_id,
        algorithms: ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512'],
      });
      claims = tokens.claims();
    } catch (error) {
      // openid-client's own message is general; the check that failed is in its cause.
      const reason = error.cause?.message ?? error.message;
      return back(res, session.redirectUri, session.appState, 'invalid_request', `Bad id_token: ${reason}`);
    }
    const user = await federatedUser(ctx, session.userPoolId, idp, String(claims.sub), claims);
    signedIn(res, session, user);
  }

  /** Back to the app with a code of the federation's own for the federated user. */
  function signedIn(res, session, user) {
    const code = randomUUID();
    codes.put(code, { ...session, username: user.Username }, CODE_MS);
    const url = new URL(session.redirectUri);
    url.searchParams.set('code', code);
    if (session.appState) url.searchParams.set('state', session.appState);
    res.redirect(url.toString());
  }

  async function samlResponse(req, res) {
    const body = req.body ?? {};
    const session = body.RelayState ? pending.take(String(body.RelayState)) : undefined;
    if (!session?.samlRequestId) {
      return res.status(400).json({ error: 'invalid_request', error_description: BAD_SAML });
    }
    const idp = sessionProvider(res, session);
    if (!idp) return;
    let profile;
    try {
      if (!body.SAMLResponse) throw new Error('SAMLResponse is missing');
      ({ profile } = await samlServiceProvider(idp, session.userPoolId).saml.validatePostResponseAsync({
        SAMLResponse: String(body.SAMLResponse),
      }));
      if (!profile?.nameID) throw new Error('the Response carries no subject');
      // node-saml knows the request was ours; this sign-in's, the RelayState says.
      if (profile.inResponseTo !== session.samlRequestId)
        throw new Error('InResponseTo names another sign-in');
    } catch (error) {
      await samlRequestCache.removeAsync(session.samlRequestId);
      return back(
        res,
        session.redirectUri,
        session.appState,
        'invalid_request',
        `${BAD_SAML}: ${error.message}`,
      );
    }
    const ctx = { logger: req.log };
    const user = await federatedUser(
      ctx,
      session.userPoolId,
      idp,
      String(profile.nameID),
      profile.attributes ?? {},
    );
    signedIn(res, session, user);
  }

  async function token(req, res, next) {
    const body = req.body ?? {};
    if (body.grant_type !== 'authorization_code' || !body.code) return next();
    const stored = codes.take(String(body.code));
    // Not one of the federation's codes: cognito-local's own (its password form) or none.
    if (!stored) return next();
    const refuse = (error, description) => res.status(400).json({ error, error_description: description });
    if (stored.clientId !== body.client_id) return refuse('invalid_grant', 'client_id mismatch');
    if (stored.redirectUri !== body.redirect_uri) return refuse('invalid_grant', 'redirect_uri mismatch');
    if (!body.code_verifier || !verifyS256(body.code_verifier, stored.codeChallenge)) {
      return refuse('invalid_grant', 'code_verifier does not match code_challenge');
    }
    const ctx = { logger: req.log };
    const appClient = await services.cognito.getAppClient(ctx, stored.clientId);
    const userPool = await services.cognito.getUserPool(ctx, stored.userPoolId);
    const user = await userPool.dataStore.get(ctx, ['Users', stored.username]);
    if (!appClient || !user) return refuse('invalid_grant', 'User not found');
    if (!user.Enabled) return refuse('invalid_grant', 'User is disabled.');
    let tokens;
    try {
      const groups = await userPool.listUserGroupMembership(ctx, user);
      tokens = await services.tokenGenerator.generate(ctx, user, groups, appClient, undefined, 'HostedAuth');
    } catch (error) {
      // The pre-token-generation trigger refused the sign-in (its message, as Cognito passes it on).
      return refuse('invalid_request', error.message);
    }
    await userPool.storeRefreshToken(ctx, tokens.RefreshToken, user);
    res.status(200).json({
      access_token: tokens.AccessToken,
      id_token: withIdentities(tokens.IdToken, user),
      refresh_token: tokens.RefreshToken,
      token_type: 'Bearer',
      expires_in: 3600,
    });
  }

  const wrap = (handler) => (req, res, next) => handler(req, res, next).catch(next);
  return (req, res, next) => {
    if (req.method === 'GET' && req.path === '/oauth2/authorize') return wrap(authorize)(req, res, next);
    if (req.method === 'GET' && req.path === '/oauth2/idpresponse') return wrap(oidcResponse)(req, res, next);
    if (req.method === 'POST' && req.path === '/saml2/idpresponse') return wrap(samlResponse)(req, res, next);
    if (req.method === 'POST' && req.path === '/oauth2/token') return wrap(token)(req, res, next);
    next();
  };
}

module.exports = { federation };
