import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import Provider, { type Configuration } from 'oidc-provider';
// @ts-expect-error: the library's own in-memory adapter has no type declarations of its own.
import MemoryAdapter from 'oidc-provider/lib/adapters/memory_adapter.js';
import { addPerson, loginPage, NORTHWIND_PEOPLE, readBody, signIn, type LocalPerson } from './northwind';

export { LOCAL_IDP_PASSWORD, LOCAL_IDP_DOMAIN, NORTHWIND_PEOPLE, type LocalPerson } from './northwind';

/**
 * The library's in-memory store, under its own name: the stand-in's sign-ins last seconds and need not
 * outlive it (and the library warns only about its default being left in place unknowingly).
 */
class StandInAdapter extends (MemoryAdapter as new (name: string) => object) {}

/**
 * The twin's stand-in for a company's OpenID provider: `oidc-provider` (panva's certified OpenID
 * Provider library) with the people of a fictional company, Northwind Traders, and one client
 * registered for the user pool's federation endpoint (`<cognito>/oauth2/idpresponse`), as a tenant's
 * IT team would register Tenantry at Okta or Entra ID.
 */
export interface LocalOidcIdp {
  issuer: string;
  clientId: string;
  clientSecret: string;
  people: readonly LocalPerson[];
  stop(): Promise<void>;
}

export async function startLocalOidcIdp(options: {
  port: number;
  /** Where the federation (cognito-local) receives the provider's answer. */
  redirectUris: string[];
  /** The company's directory (shared with the SAML stand-in; `POST /_stand-in/people` adds to it). */
  people?: LocalPerson[];
}): Promise<LocalOidcIdp> {
  const people: LocalPerson[] = options.people ?? [...NORTHWIND_PEOPLE];
  const issuer = `http://127.0.0.1:${options.port}`;
  const clientId = 'tenantry-twin';
  const clientSecret = 'tenantry-twin-secret';
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'northwind-1', use: 'sig', alg: 'RS256' };
  const configuration: Configuration = {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: options.redirectUris,
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    // Groups come with every sign-in, as an Entra ID or Okta app registered to emit them sends them.
    claims: {
      openid: ['sub', 'groups'],
      email: ['email', 'email_verified'],
      profile: ['name'],
    },
    // Claims in the ID token itself, as Entra ID and Okta put them (Cognito reads them from there).
    conformIdTokenClaims: false,
    async findAccount(_ctx, sub) {
      const person = people.find((candidate) => candidate.sub === sub);
      if (!person) return undefined;
      return {
        accountId: sub,
        claims: async () => ({
          sub,
          email: person.email,
          email_verified: true,
          name: person.name,
          groups: person.groups,
        }),
      };
    },
    adapter: StandInAdapter as never,
    // Lifetimes of the stand-in's sign-in artifacts (seconds), short as a provider's are.
    ttl: {
      Interaction: 600,
      Session: 3600,
      Grant: 3600,
      AccessToken: 600,
      IdToken: 600,
      AuthorizationCode: 60,
    },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    pkce: { required: () => false },
    cookies: { keys: [randomBytes(24).toString('base64url')] },
    jwks: { keys: [jwk as never] },
    scopes: ['openid', 'email', 'profile'],
  };
  const provider = new Provider(issuer, configuration);
  const callback = provider.callback();

  async function interaction(req: IncomingMessage, res: ServerResponse, uid: string, action?: string) {
    const details = await provider.interactionDetails(req, res);
    const client = String(details.params.client_id ?? '');
    if (details.prompt.name === 'login') {
      if (req.method !== 'POST' || action !== 'login') {
        res
          .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
          .end(loginPage(`/interaction/${uid}/login`, client));
        return;
      }
      const person = signIn(people, new URLSearchParams(await readBody(req)));
      if (!person) {
        res
          .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
          .end(loginPage(`/interaction/${uid}/login`, client, 'Wrong email or password.'));
        return;
      }
      await provider.interactionFinished(
        req,
        res,
        { login: { accountId: person.sub } },
        {
          mergeWithLastSubmission: false,
        },
      );
      return;
    }
    // Consent: the company's IT team approved the client when registering it; granted at once.
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: String(details.session?.accountId), clientId: client });
    if (!grant) throw new Error('The grant went away');
    grant.addOIDCScope(String(details.params.scope ?? 'openid'));
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  }

  const server: Server = createServer((req, res) => {
    if (req.method === 'POST' && req.url === '/_stand-in/people') {
      addPerson(people, req, res).catch(() => res.writeHead(400).end());
      return;
    }
    const match = /^\/interaction\/([\w-]+)(?:\/(login))?$/.exec(req.url?.split('?')[0] ?? '');
    if (!match) {
      callback(req, res);
      return;
    }
    interaction(req, res, match[1] as string, match[2]).catch((error: unknown) => {
      if (!res.headersSent)
        res
          .writeHead(400, { 'content-type': 'text/plain; charset=utf-8' })
          .end(`Sign-in could not go on: ${error instanceof Error ? error.message : String(error)}`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  return {
    issuer,
    clientId,
    clientSecret,
    people,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
