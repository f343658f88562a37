import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import samlify from 'samlify';
import { XMLValidator } from 'fast-xml-parser';
import selfsigned from 'selfsigned';
import {
  addPerson,
  escapeHtml,
  loginPage,
  NORTHWIND_PEOPLE,
  readBody,
  signIn,
  type LocalPerson,
} from './northwind';

/**
 * The twin's stand-in for a company's SAML 2.0 identity provider: samlify (a maintained SAML library)
 * playing the IdP for Northwind Traders' people, with one service provider registered: the user pool
 * (`urn:amazon:cognito:sp:<pool>`, its assertion consumer `<cognito>/saml2/idpresponse`), as a tenant's
 * IT team registers Tenantry at Entra ID or Okta from the console's "what to register".
 *
 * - `GET /metadata`: the IdP's metadata (entity id, HTTP-Redirect sign-on URL, signing certificate);
 * - `GET /sso?SAMLRequest&RelayState`: an AuthnRequest (HTTP-Redirect binding) from the registered
 *   service provider only (its issuer and assertion consumer URL checked, the XML schema-validated),
 *   then the sign-in page;
 * - `POST /sso/<id>`: the person signs in; the answer is the HTTP-POST binding's self-submitting form
 *   carrying a Response whose Assertion is signed (RSA-SHA256), as Cognito's metadata asks, with the
 *   person's email, name and groups as Entra ID names those attributes and a persistent NameID.
 *
 * For tests, `POST /_stand-in/faults` `{ email, fault }` makes that person's next Response faulty, as a
 * broken or hostile provider would send it: `expired`, `wrong-audience`, `unsigned`, or
 * `foreign-signature` (signed by a key the metadata does not name). Nothing else differs.
 */
export interface LocalSamlIdp {
  entityId: string;
  metadataUrl: string;
  people: readonly LocalPerson[];
  /** Registers the service provider (the user pool, once it exists); until then sign-ins are refused. */
  register(serviceProvider: ServiceProvider): void;
  stop(): Promise<void>;
}

interface ServiceProvider {
  entityId: string;
  acsUrl: string;
}

export const SAML_FAULTS = ['expired', 'wrong-audience', 'unsigned', 'foreign-signature'] as const;
export type SamlFault = (typeof SAML_FAULTS)[number];

/** The attribute names Entra ID sends (and the names a tenant maps in its SSO settings). */
export const SAML_ATTRIBUTES = {
  email: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress',
  name: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name',
  groups: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/groups',
} as const;

const PERSISTENT = 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent';
const PASSWORD_TRANSPORT = 'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport';
/** How long a sign-in may take at the page, and an assertion is good for (as Entra ID: minutes). */
const PENDING_MS = 10 * 60_000;
const ASSERTION_MS = 5 * 60_000;

/**
 * samlify asks for a schema validator before it parses a message. Its packaged ones are an old
 * emscripten xmllint (which exits the process when stdout next drains) and a Java one (a JVM per
 * message); the stand-in only ever reads the twin's own AuthnRequests, so it checks what matters for
 * them: well-formed XML whose one root is a SAML 2.0 protocol message, and no DOCTYPE.
 */
samlify.setSchemaValidator({
  validate: async (message: string) => {
    if (/<!DOCTYPE/i.test(message) || XMLValidator.validate(message) !== true)
      throw new Error('ERR_INVALID_XML');
    if (!/^\s*(<\?xml[^>]*>\s*)?<(\w+:)?(AuthnRequest|LogoutRequest|Response|LogoutResponse)\b/.test(message))
      throw new Error('ERR_NOT_A_SAML_MESSAGE');
    return 'SUCCESS_VALIDATE_XML';
  },
});

async function signingKey(commonName: string): Promise<{ cert: string; key: string }> {
  const made = await selfsigned.generate([{ name: 'commonName', value: commonName }], {
    keySize: 2048,
    algorithm: 'sha256',
    notAfterDate: new Date(Date.now() + 3 * 365 * 86_400_000),
  });
  return { cert: made.cert, key: made.private };
}

const xml = (text: string) => text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

function attributeStatement(person: LocalPerson): string {
  const attribute = (name: string, values: string[]) =>
    `<saml:Attribute Name="${xml(name)}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:uri">${values
      .map((value) => `<saml:AttributeValue xsi:type="xs:string">${xml(value)}</saml:AttributeValue>`)
      .join('')}</saml:Attribute>`;
  return `<saml:AttributeStatement>${attribute(SAML_ATTRIBUTES.email, [person.email])}${attribute(
    SAML_ATTRIBUTES.name,
    [person.name],
  )}${person.groups.length ? attribute(SAML_ATTRIBUTES.groups, person.groups) : ''}</saml:AttributeStatement>`;
}

function postForm(action: string, fields: Record<string, string>): string {
  const inputs = Object.entries(fields)
    .map(([name, value]) => `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`)
    .join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Signing in…</title></head>
<body onload="document.forms[0].submit()"><main><h1>Northwind Traders</h1>
<form method="post" action="${escapeHtml(action)}">${inputs}<noscript><button type="submit">Continue</button></noscript></form>
</main></body></html>`;
}

export async function startLocalSamlIdp(options: {
  port: number;
  /** The company's directory (shared with the OpenID stand-in; `POST /_stand-in/people` adds to it). */
  people?: LocalPerson[];
  /**
   * Where the signing key and certificate are kept across restarts (a persisted twin): a provider set
   * from the metadata keeps the certificate it was given, as a company's IdP keeps its own.
   */
  keyFile?: string;
}): Promise<LocalSamlIdp> {
  const people: LocalPerson[] = options.people ?? [...NORTHWIND_PEOPLE];
  const base = `http://127.0.0.1:${options.port}`;
  const entityId = `${base}/metadata`;
  const kept =
    options.keyFile && existsSync(options.keyFile)
      ? (JSON.parse(readFileSync(options.keyFile, 'utf8')) as { cert: string; key: string })
      : undefined;
  const [own, foreign] = await Promise.all([
    kept ?? signingKey('Northwind SAML'),
    signingKey('Not Northwind'),
  ]);
  if (options.keyFile && !kept) writeFileSync(options.keyFile, JSON.stringify(own), { mode: 0o600 });
  const idpSettings = (key: { cert: string; key: string }) => ({
    entityID: entityId,
    privateKey: key.key,
    signingCert: key.cert,
    wantAuthnRequestsSigned: false,
    nameIDFormat: [PERSISTENT],
    singleSignOnService: [{ Binding: samlify.Constants.namespace.binding.redirect, Location: `${base}/sso` }],
    generateID: () => `_${randomBytes(20).toString('hex')}`,
  });
  // samlify warns (console) of an IdP without single logout; the stand-in has none, as Cognito's
  // `IDPSignout: false` needs none.
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (!String(args[0]).includes('SingleLogoutService')) warn(...args);
  };
  const [idp, impostor] = (() => {
    try {
      return [samlify.IdentityProvider(idpSettings(own)), samlify.IdentityProvider(idpSettings(foreign))];
    } finally {
      console.warn = warn;
    }
  })();
  let registered: {
    serviceProvider: ServiceProvider;
    sp: ReturnType<typeof samlify.ServiceProvider>;
  } | null = null;
  const metadata = idp.getMetadata();
  const pending = new Map<string, { requestId: string; relayState: string; until: number }>();
  const faults = new Map<string, SamlFault>();

  /** The Response for this sign-in: the Assertion signed by the IdP's key (or as the person's fault says). */
  async function response(
    { serviceProvider, sp }: NonNullable<typeof registered>,
    person: LocalPerson,
    requestId: string,
    relayState: string,
  ): Promise<string> {
    const fault = faults.get(person.email);
    faults.delete(person.email);
    const now = new Date();
    const expired = fault === 'expired';
    const notBefore = new Date(now.getTime() - (expired ? 2 * ASSERTION_MS : 0)).toISOString();
    const notOnOrAfter = new Date(now.getTime() + (expired ? -ASSERTION_MS : ASSERTION_MS)).toISOString();
    const sessionIndex = `_${randomBytes(12).toString('hex')}`;
    const values = {
      ID: `_${randomBytes(20).toString('hex')}`,
      AssertionID: `_${randomBytes(20).toString('hex')}`,
      Destination: serviceProvider.acsUrl,
      Audience:
        fault === 'wrong-audience' ? 'urn:amazon:cognito:sp:us-east-1_SomeoneElse' : serviceProvider.entityId,
      SubjectRecipient: serviceProvider.acsUrl,
      Issuer: entityId,
      IssueInstant: now.toISOString(),
      StatusCode: samlify.Constants.StatusCode.Success,
      ConditionsNotBefore: notBefore,
      ConditionsNotOnOrAfter: notOnOrAfter,
      SubjectConfirmationDataNotOnOrAfter: notOnOrAfter,
      NameIDFormat: PERSISTENT,
      NameID: person.sub,
      InResponseTo: requestId,
    };
    // The two statements are XML of their own (values escaped above); the rest are values samlify escapes.
    const render = (template: string) =>
      samlify.SamlLib.replaceTagsByValue(
        template
          .replace(
            '{AuthnStatement}',
            `<saml:AuthnStatement AuthnInstant="${values.IssueInstant}" SessionIndex="${sessionIndex}"><saml:AuthnContext><saml:AuthnContextClassRef>${PASSWORD_TRANSPORT}</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>`,
          )
          .replace('{AttributeStatement}', attributeStatement(person)),
        values,
      );
    if (fault === 'unsigned') {
      return Buffer.from(render(samlify.SamlLib.defaultLoginResponseTemplate.context)).toString('base64');
    }
    const signer = fault === 'foreign-signature' ? impostor : idp;
    const made = await signer.createLoginResponse(
      sp,
      { extract: { request: { id: requestId } } },
      'post',
      { email: person.email },
      {
        relayState,
        customTagReplacement: (template: string) => ({ id: values.ID, context: render(template) }),
      },
    );
    return made.context;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', base);
    const html = (status: number, body: string) =>
      res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' }).end(body);
    if (req.method === 'GET' && url.pathname === '/metadata') {
      res.writeHead(200, { 'content-type': 'application/samlmetadata+xml' }).end(metadata);
      return;
    }
    if (req.method === 'POST' && url.pathname === '/_stand-in/people') return addPerson(people, req, res);
    if (req.method === 'POST' && url.pathname === '/_stand-in/faults') {
      const body = JSON.parse(await readBody(req)) as { email?: string; fault?: SamlFault };
      if (!body.email || !SAML_FAULTS.includes(body.fault as SamlFault)) {
        res
          .writeHead(400, { 'content-type': 'application/json' })
          .end('{"error":"email and fault required"}');
        return;
      }
      faults.set(body.email.toLowerCase(), body.fault as SamlFault);
      res.writeHead(204).end();
      return;
    }
    if (!registered) {
      html(503, '<p>No service provider is registered yet.</p>');
      return;
    }
    const { serviceProvider, sp } = registered;
    if (req.method === 'GET' && url.pathname === '/sso') {
      const query = Object.fromEntries(url.searchParams);
      let request: { id: string; assertionConsumerServiceUrl?: string };
      try {
        const parsed = await idp.parseLoginRequest(sp, 'redirect', { query, octetString: '' } as never);
        request = parsed.extract.request as typeof request;
      } catch (error) {
        html(400, `<p>The sign-in request was refused: ${escapeHtml(String((error as Error).message))}</p>`);
        return;
      }
      const acs = request.assertionConsumerServiceUrl;
      if (acs && acs !== serviceProvider.acsUrl) {
        html(400, '<p>The sign-in request names an assertion consumer that is not registered.</p>');
        return;
      }
      const id = randomBytes(16).toString('hex');
      pending.set(id, {
        requestId: request.id,
        relayState: url.searchParams.get('RelayState') ?? '',
        until: Date.now() + PENDING_MS,
      });
      html(200, loginPage(`/sso/${id}`, serviceProvider.entityId));
      return;
    }
    const login = /^\/sso\/([0-9a-f]{32})$/.exec(url.pathname);
    if (req.method === 'POST' && login) {
      const id = login[1] as string;
      const sign = pending.get(id);
      if (!sign || sign.until < Date.now()) {
        pending.delete(id);
        html(400, '<p>This sign-in has expired; start again from the application.</p>');
        return;
      }
      const person = signIn(people, new URLSearchParams(await readBody(req)));
      if (!person) {
        html(200, loginPage(`/sso/${id}`, serviceProvider.entityId, 'Wrong email or password.'));
        return;
      }
      pending.delete(id);
      const samlResponse = await response(registered, person, sign.requestId, sign.relayState);
      html(
        200,
        postForm(serviceProvider.acsUrl, {
          SAMLResponse: samlResponse,
          ...(sign.relayState ? { RelayState: sign.relayState } : {}),
        }),
      );
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent)
        res
          .writeHead(500, { 'content-type': 'text/plain; charset=utf-8' })
          .end(`The stand-in failed: ${error instanceof Error ? error.message : String(error)}`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  return {
    entityId,
    metadataUrl: `${base}/metadata`,
    people,
    register(serviceProvider) {
      registered = {
        serviceProvider,
        sp: samlify.ServiceProvider({
          entityID: serviceProvider.entityId,
          authnRequestsSigned: false,
          wantAssertionsSigned: true,
          assertionConsumerService: [
            { Binding: samlify.Constants.namespace.binding.post, Location: serviceProvider.acsUrl },
          ],
        }),
      };
    },
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
