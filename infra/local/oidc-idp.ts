import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import Provider, { type Configuration } from 'oidc-provider';
// @ts-expect-error: the library's own in-memory adapter has no type declarations of its own.
import MemoryAdapter from 'oidc-provider/lib/adapters/memory_adapter.js';

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

export interface LocalPerson {
  sub: string;
  email: string;
  name: string;
  groups: string[];
}

/** Everyone's password at the stand-in providers (the twin's only: nobody real signs in there). */
export const LOCAL_IDP_PASSWORD = 'Northwind-Local-1!';
export const LOCAL_IDP_DOMAIN = 'northwind.example';

export const NORTHWIND_PEOPLE: readonly LocalPerson[] = [
  {
    sub: 'nw-0001',
    email: `ada@${LOCAL_IDP_DOMAIN}`,
    name: 'Ada Lovelace',
    groups: ['tenantry-admins', 'staff'],
  },
  { sub: 'nw-0002', email: `grace@${LOCAL_IDP_DOMAIN}`, name: 'Grace Hopper', groups: ['staff'] },
  { sub: 'nw-0003', email: `linus@${LOCAL_IDP_DOMAIN}`, name: 'Linus Pauling', groups: ['contractors'] },
];

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function loginPage(uid: string, clientId: string, error?: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Northwind sign-in</title>
<style>body{font-family:system-ui;max-width:24rem;margin:4rem auto;color:#1b1b1b}label{display:block;margin:.75rem 0}
input{width:100%;padding:.5rem;font-size:1rem}button{padding:.5rem 1rem;font-size:1rem;background:#0b5cad;color:#fff;border:0;border-radius:4px}
.error{color:#a40000}</style></head><body><main>
<h1>Northwind Traders</h1><p>Sign in to continue to <strong>${escape(clientId)}</strong>.</p>
${error ? `<p class="error" role="alert">${escape(error)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}/login">
<label>Email <input name="email" type="email" autocomplete="username" required></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit">Sign in</button></form></main></body></html>`;
}

async function formBody(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

export async function startLocalOidcIdp(options: {
  port: number;
  /** Where the federation (cognito-local) receives the provider's answer. */
  redirectUris: string[];
  people?: readonly LocalPerson[];
}): Promise<LocalOidcIdp> {
  // Northwind's people, and whoever a test adds (`POST /_stand-in/people`, as IT adds a colleague).
  const people: LocalPerson[] = [...(options.people ?? NORTHWIND_PEOPLE)];
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
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(loginPage(uid, client));
        return;
      }
      const body = await formBody(req);
      const email = (body.get('email') ?? '').trim().toLowerCase();
      const person = people.find((candidate) => candidate.email === email);
      if (!person || body.get('password') !== LOCAL_IDP_PASSWORD) {
        res
          .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
          .end(loginPage(uid, client, 'Wrong email or password.'));
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

  async function addPerson(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Partial<LocalPerson>;
    const email = String(body.email ?? '')
      .trim()
      .toLowerCase();
    if (!/^[^@\s]+@[^@\s]+$/.test(email)) {
      res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"email required"}');
      return;
    }
    const person: LocalPerson = {
      sub: body.sub ?? `p-${randomBytes(8).toString('hex')}`,
      email,
      name: body.name ?? email.split('@')[0] ?? email,
      groups: Array.isArray(body.groups) ? body.groups.map(String) : [],
    };
    const at = people.findIndex((candidate) => candidate.email === email);
    if (at >= 0) people[at] = { ...person, sub: (people[at] as LocalPerson).sub };
    else people.push(person);
    res
      .writeHead(201, { 'content-type': 'application/json' })
      .end(JSON.stringify(people.find((p) => p.email === email)));
  }

  const server: Server = createServer((req, res) => {
    if (req.method === 'POST' && req.url === '/_stand-in/people') {
      addPerson(req, res).catch(() => res.writeHead(400).end());
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
