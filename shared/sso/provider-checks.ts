import { X509Certificate } from 'node:crypto';
import * as oauth from 'oauth4webapi';
import { XMLParser } from 'fast-xml-parser';
import { UnprocessableError } from '../errors';
import { checkWebhookUrl } from '../webhooks/webhook-url';

/** How long the provider's discovery document or metadata may take to arrive. */
const FETCH_TIMEOUT_MS = 5_000;
/** The largest metadata document read (a federation's aggregate is not one provider's). */
export const MAX_METADATA_BYTES = 256 * 1024;

/** What OIDC discovery found at the issuer when the connection was saved. */
export interface OidcEndpoints {
  authorization: string;
  token: string;
  jwks: string;
  userinfo: string | null;
}

/**
 * Refuses a URL the platform may not call: the same rule as webhook URLs (`https`, public addresses
 * only; the twin allows its own loopback stand-ins by configuration).
 */
async function assertCallable(url: string, what: string): Promise<void> {
  const check = await checkWebhookUrl(url);
  if (!check.ok)
    throw new UnprocessableError(`The ${what} cannot be reached: ${check.reason}.`, 'sso_unreachable');
}

/**
 * OpenID Connect discovery, checked as Cognito checks it when the provider is made: the document at
 * `<issuer>/.well-known/openid-configuration` names exactly this issuer and the endpoints sign-in needs.
 * oauth4webapi (the core of openid-client) does the fetching and the issuer comparison.
 */
export async function discoverOidc(issuer: string): Promise<OidcEndpoints> {
  await assertCallable(issuer, 'issuer');
  const issuerUrl = new URL(issuer);
  let server: oauth.AuthorizationServer;
  try {
    const response = await oauth.discoveryRequest(issuerUrl, {
      algorithm: 'oidc',
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
      [oauth.allowInsecureRequests]: issuerUrl.protocol === 'http:',
    });
    server = await oauth.processDiscoveryResponse(issuerUrl, response);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new UnprocessableError(
      `OpenID discovery at ${issuer} failed: ${reason}. The issuer must serve /.well-known/openid-configuration naming itself as issuer.`,
      'sso_discovery_failed',
    );
  }
  const { authorization_endpoint, token_endpoint, jwks_uri, userinfo_endpoint } = server;
  if (!authorization_endpoint || !token_endpoint || !jwks_uri) {
    throw new UnprocessableError(
      `The discovery document of ${issuer} lacks ${[
        !authorization_endpoint && 'authorization_endpoint',
        !token_endpoint && 'token_endpoint',
        !jwks_uri && 'jwks_uri',
      ]
        .filter(Boolean)
        .join(', ')}.`,
      'sso_discovery_failed',
    );
  }
  return {
    authorization: authorization_endpoint,
    token: token_endpoint,
    jwks: jwks_uri,
    userinfo: userinfo_endpoint ?? null,
  };
}

/** One signing certificate of a SAML provider, as people check it. */
export interface SamlCertificate {
  subject: string;
  /** SHA-256 fingerprint, colon-separated hex (how providers show it). */
  fingerprint: string;
  notBefore: string;
  notAfter: string;
  /** The certificate itself (base64 DER), what the provider's answers are checked against. */
  pem: string;
}

/** What a SAML provider's metadata says about signing in. */
export interface SamlProviderMetadata {
  entityId: string;
  /** Where an AuthnRequest goes (the HTTP-Redirect binding, else HTTP-POST). */
  ssoUrl: string;
  ssoBinding: 'redirect' | 'post';
  certificates: SamlCertificate[];
  /** Whether the provider says it signs AuthnRequests' answers only when asked (`WantAuthnRequestsSigned`). */
  wantsSignedRequests: boolean;
}

const REDIRECT_BINDING = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
const POST_BINDING = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';

function many<T>(value: T | T[] | undefined): T[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

function refuse(detail: string): never {
  throw new UnprocessableError(`The SAML metadata is not usable: ${detail}.`, 'sso_metadata_invalid');
}

type XmlNode = Record<string, unknown>;

/**
 * Reads an identity provider's SAML 2.0 metadata (fast-xml-parser, namespace prefixes dropped, no
 * entities expanded): its entity id, the single sign-on URL, and its signing certificates with their
 * validity (read by node:crypto). Refuses a document with no IdP descriptor, no sign-on URL, or no
 * signing certificate that is still valid.
 */
export function readSamlMetadata(xml: string, now: Date): SamlProviderMetadata {
  if (Buffer.byteLength(xml) > MAX_METADATA_BYTES) refuse(`over ${MAX_METADATA_BYTES / 1024} KB`);
  if (/<!DOCTYPE/i.test(xml)) refuse('a DOCTYPE is not accepted');
  let document: XmlNode;
  try {
    document = new XMLParser({
      ignoreAttributes: false,
      attributeNamePrefix: '@',
      removeNSPrefix: true,
      processEntities: false,
      parseTagValue: false,
    }).parse(xml, true) as XmlNode;
  } catch (error) {
    refuse(`not well-formed XML (${error instanceof Error ? error.message.split('\n')[0] : 'parse error'})`);
  }
  const entity = (document.EntityDescriptor ??
    many((document.EntitiesDescriptor as XmlNode | undefined)?.EntityDescriptor as XmlNode[])[0]) as
    XmlNode | undefined;
  if (!entity) refuse('no EntityDescriptor');
  const entityId = entity['@entityID'];
  if (typeof entityId !== 'string' || entityId.length === 0) refuse('the EntityDescriptor has no entityID');
  const idp = many(entity.IDPSSODescriptor as XmlNode | XmlNode[])[0];
  if (!idp) refuse('no IDPSSODescriptor (is this a service provider’s metadata?)');
  const services = many(idp.SingleSignOnService as XmlNode | XmlNode[]);
  const sso =
    services.find((service) => service['@Binding'] === REDIRECT_BINDING) ??
    services.find((service) => service['@Binding'] === POST_BINDING);
  const ssoUrl = sso?.['@Location'];
  if (typeof ssoUrl !== 'string' || !/^https?:\/\//.test(ssoUrl))
    refuse('no SingleSignOnService with the HTTP-Redirect or HTTP-POST binding');
  const certificates: SamlCertificate[] = [];
  for (const key of many(idp.KeyDescriptor as XmlNode | XmlNode[])) {
    if (key['@use'] !== undefined && key['@use'] !== 'signing') continue;
    const data = many(
      ((key.KeyInfo as XmlNode | undefined)?.X509Data as XmlNode | undefined)?.X509Certificate,
    );
    for (const raw of data) {
      const base64 = String(
        typeof raw === 'object' && raw !== null ? (raw as XmlNode)['#text'] : raw,
      ).replace(/\s+/g, '');
      try {
        const certificate = new X509Certificate(Buffer.from(base64, 'base64'));
        certificates.push({
          subject: certificate.subject.replace(/\n/g, ', '),
          fingerprint: certificate.fingerprint256,
          notBefore: new Date(certificate.validFrom).toISOString(),
          notAfter: new Date(certificate.validTo).toISOString(),
          pem: base64,
        });
      } catch {
        refuse('a signing certificate is not a readable X.509 certificate');
      }
    }
  }
  if (certificates.length === 0) refuse('no signing certificate (KeyDescriptor use="signing")');
  if (!certificates.some((certificate) => new Date(certificate.notAfter) > now))
    refuse('every signing certificate has expired');
  return {
    entityId,
    ssoUrl,
    ssoBinding: sso?.['@Binding'] === REDIRECT_BINDING ? 'redirect' : 'post',
    certificates,
    wantsSignedRequests: idp['@WantAuthnRequestsSigned'] === 'true',
  };
}

/** Fetches a provider's metadata document from its URL (bounded in time and size). */
export async function fetchSamlMetadata(url: string): Promise<string> {
  await assertCallable(url, 'metadata URL');
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), redirect: 'error' });
  } catch (error) {
    throw new UnprocessableError(
      `The metadata URL did not answer: ${error instanceof Error ? error.message : String(error)}.`,
      'sso_unreachable',
    );
  }
  if (!response.ok)
    throw new UnprocessableError(`The metadata URL answered ${response.status}.`, 'sso_unreachable');
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > MAX_METADATA_BYTES) refuse(`over ${MAX_METADATA_BYTES / 1024} KB`);
  const text = await response.text();
  if (Buffer.byteLength(text) > MAX_METADATA_BYTES) refuse(`over ${MAX_METADATA_BYTES / 1024} KB`);
  return text;
}
