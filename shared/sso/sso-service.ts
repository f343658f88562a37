import { writeAudited } from '../audit/audited-transaction';
import { getConfig } from '../config';
import { principalId, requestTime, type TenantContext } from '../context/tenant-context';
import { SsoConnectionEntity, type SsoConnectionItem } from '../data/entities/sso-connection';
import { ConflictError, NotFoundError, ValidationError } from '../errors';
import {
  DEFAULT_OIDC_SCOPES,
  DEFAULT_SAML_EMAIL_ATTRIBUTE,
  SSO_GROUPS_ATTRIBUTE,
  samlServiceProviderEntityId,
  ssoProviderName,
  type SsoRole,
  type SsoType,
} from '../model/sso';
import { openValue, sealValue, type SealedValue } from '../secrets/envelope';
import { forgetTenant, loadTenant } from '../data/cached-records';
import { MembershipEntity } from '../data/entities/membership';
import { TenantEntity } from '../data/entities/tenant';
import type { TransactionEntities } from '../data/service';
import { platformDocumentClient } from '../data/clients';
import { entitlementsOf } from '../model/entitlements';
import { tenantCapturing } from './sso-domains';
import {
  deleteFederatedProvider,
  putFederatedProvider,
  setClientSupportsProvider,
  type FederatedProvider,
} from './cognito-federation';
import {
  discoverOidc,
  fetchSamlMetadata,
  readSamlMetadata,
  type OidcEndpoints,
  type SamlCertificate,
} from './provider-checks';

export interface RoleMapping {
  /** The provider claim (OIDC) or attribute (SAML) holding the person's groups or role. */
  attribute: string;
  /** First match wins; a person matching none gets the default role. */
  rules: Array<{ value: string; role: SsoRole }>;
}

export type SsoConnectionInput = {
  enabled?: boolean | undefined;
  requireSso?: boolean | undefined;
  breakGlassUserId?: string | null | undefined;
  defaultRole?: SsoRole | undefined;
  roleMapping?: RoleMapping | null | undefined;
} & (
  | {
      type: 'oidc';
      oidc: {
        issuer: string;
        clientId: string;
        clientSecret?: string | undefined;
        scopes?: string[] | undefined;
      };
    }
  | {
      type: 'saml';
      saml: {
        metadataUrl?: string | undefined;
        metadataXml?: string | undefined;
        emailAttribute?: string | undefined;
        nameAttribute?: string | undefined;
      };
    }
);

interface StoredOidc {
  issuer: string;
  clientId: string;
  scopes: string[];
  endpoints: OidcEndpoints;
}

interface StoredSaml {
  entityId: string;
  ssoUrl: string;
  ssoBinding: 'redirect' | 'post';
  metadataUrl: string | null;
  emailAttribute: string;
  nameAttribute: string | null;
  certificates: SamlCertificate[];
}

export interface SsoConnectionView {
  type: SsoType;
  enabled: boolean;
  providerName: string;
  oidc: (Omit<StoredOidc, 'endpoints'> & { endpoints: OidcEndpoints; clientSecretSet: boolean }) | null;
  saml:
    | (Omit<StoredSaml, 'certificates'> & {
        certificates: Array<Omit<SamlCertificate, 'pem'> & { expired: boolean; expiresInDays: number }>;
      })
    | null;
  /** What to register at the provider. */
  serviceProvider: {
    /** OIDC: the redirect URI of the client registered at the provider. */
    redirectUri: string;
    /** SAML: the assertion consumer service URL and the audience (entity id). */
    acsUrl: string;
    entityId: string;
  };
  defaultRole: SsoRole;
  roleMapping: RoleMapping | null;
  /** Password sessions of the captured domains' addresses are refused (but the break-glass owner's). */
  requireSso: boolean;
  breakGlassUserId: string | null;
  createdBy: string;
  createdAt: string;
  updatedBy: string;
  updatedAt: string;
}

const DAY_MS = 86_400_000;

function secretContext(tenantId: string): Record<string, string> {
  return { tenantId, secret: 'sso.oidc.clientSecret' };
}

export function serviceProviderOf(): SsoConnectionView['serviceProvider'] {
  const { domainUrl, userPoolId } = getConfig().cognito;
  return {
    redirectUri: `${domainUrl}/oauth2/idpresponse`,
    acsUrl: `${domainUrl}/saml2/idpresponse`,
    entityId: samlServiceProviderEntityId(userPoolId),
  };
}

interface Enforcement {
  requireSso: boolean;
  breakGlassUserId: string | null;
}

function toView(item: SsoConnectionItem, now: Date, enforcement: Enforcement): SsoConnectionView {
  const oidc = item.oidc as StoredOidc | undefined;
  const saml = item.saml as StoredSaml | undefined;
  return {
    type: item.type,
    enabled: item.enabled,
    providerName: item.providerName,
    oidc: oidc ? { ...oidc, clientSecretSet: item.sealedClientSecret !== undefined } : null,
    saml: saml
      ? {
          ...saml,
          certificates: saml.certificates.map(({ pem: _pem, ...certificate }) => {
            const left = Date.parse(certificate.notAfter) - now.getTime();
            return { ...certificate, expired: left <= 0, expiresInDays: Math.floor(left / DAY_MS) };
          }),
        }
      : null,
    serviceProvider: serviceProviderOf(),
    defaultRole: item.defaultRole,
    roleMapping: (item.roleMapping as RoleMapping | undefined) ?? null,
    ...enforcement,
    createdBy: item.createdBy,
    createdAt: item.createdAt,
    updatedBy: item.updatedBy,
    updatedAt: item.updatedAt,
  };
}

function changedMeanwhile(): ConflictError {
  return new ConflictError(
    'The identity provider was changed meanwhile; read it and try again.',
    'concurrent_modification',
  );
}

function notConfigured(): NotFoundError {
  return new NotFoundError('The tenant has no identity provider.', 'sso_not_configured');
}

export async function readSsoConnection(tenantId: string): Promise<SsoConnectionItem | null> {
  return (await SsoConnectionEntity.get({ tenantId }).go({ consistent: true })).data ?? null;
}

/**
 * The connection, read where no tenant acts yet (home realm discovery, the sign-in trigger), strongly
 * consistent: a provider just disabled or removed signs nobody in.
 */
export async function readSsoConnectionAsPlatform(tenantId: string): Promise<SsoConnectionItem | null> {
  return (
    (await SsoConnectionEntity.get({ tenantId }).go({ client: platformDocumentClient, consistent: true }))
      .data ?? null
  );
}

async function enforcementOf(tenantId: string): Promise<Enforcement> {
  const tenant = (await TenantEntity.get({ tenantId }).go({ consistent: true })).data;
  return { requireSso: tenant?.ssoRequired ?? false, breakGlassUserId: tenant?.ssoBreakGlassUserId ?? null };
}

export async function getSsoConnection(ctx: TenantContext): Promise<SsoConnectionView> {
  const [item, enforcement] = await Promise.all([
    readSsoConnection(ctx.tenantId),
    enforcementOf(ctx.tenantId),
  ]);
  if (!item) throw notConfigured();
  return toView(item, requestTime(ctx), enforcement);
}

/** The break-glass person must be an active owner of the tenant: the one who can always get in. */
async function assertBreakGlass(ctx: TenantContext, userId: string): Promise<void> {
  const member = (await MembershipEntity.get({ tenantId: ctx.tenantId, userId }).go({ consistent: true }))
    .data;
  if (member?.role !== 'owner' || member.status !== 'active') {
    throw new ValidationError('The break-glass person must be an active owner of the tenant.', [
      { path: 'breakGlassUserId', message: 'must name an active owner' },
    ]);
  }
}

/** The attribute mapping Cognito applies at each sign-in: email, name, and the role claim if one is mapped. */
function attributeMapping(input: SsoConnectionInput): Record<string, string> {
  const groups: Record<string, string> = input.roleMapping
    ? { [`custom:${SSO_GROUPS_ATTRIBUTE}`]: input.roleMapping.attribute }
    : {};
  if (input.type === 'oidc') return { email: 'email', name: 'name', username: 'sub', ...groups };
  return {
    email: input.saml.emailAttribute ?? DEFAULT_SAML_EMAIL_ATTRIBUTE,
    ...(input.saml.nameAttribute ? { name: input.saml.nameAttribute } : {}),
    ...groups,
  };
}

/**
 * Sets the tenant's identity provider: checks it (OIDC discovery at the issuer; SAML metadata read,
 * its certificates' validity), makes or replaces the Cognito identity provider named for the tenant and
 * adds it to the app client, then records it (the client secret sealed), audited with before and after.
 * An OIDC client secret is needed when the provider is first set or its issuer or client id change;
 * otherwise the one kept is used again. Conditioned on the version read: a change made meanwhile is 409.
 */
export async function putSsoConnection(
  ctx: TenantContext,
  input: SsoConnectionInput,
  now: Date = requestTime(ctx),
): Promise<SsoConnectionView> {
  const current = await readSsoConnection(ctx.tenantId);
  const providerName = ssoProviderName(ctx.tenantId);
  if (input.breakGlassUserId) await assertBreakGlass(ctx, input.breakGlassUserId);
  const enforcement: Enforcement = {
    requireSso: input.requireSso ?? false,
    breakGlassUserId: input.breakGlassUserId ?? null,
  };
  let oidc: StoredOidc | undefined;
  let saml: StoredSaml | undefined;
  let sealed: SealedValue | undefined;
  let details: Record<string, string>;
  if (input.type === 'oidc') {
    const issuer = input.oidc.issuer.replace(/\/+$/, '');
    const kept = current?.oidc as StoredOidc | undefined;
    const sameClient = kept?.issuer === issuer && kept.clientId === input.oidc.clientId;
    let secret = input.oidc.clientSecret;
    if (secret === undefined) {
      if (!sameClient || !current?.sealedClientSecret) {
        throw new ValidationError('A client secret is needed for a new issuer or client id.', [
          { path: 'oidc.clientSecret', message: 'required when the issuer or client id changes' },
        ]);
      }
      secret = await openValue(current.sealedClientSecret as SealedValue, secretContext(ctx.tenantId));
    }
    const scopes = [...new Set(['openid', ...(input.oidc.scopes ?? DEFAULT_OIDC_SCOPES)])];
    oidc = { issuer, clientId: input.oidc.clientId, scopes, endpoints: await discoverOidc(issuer) };
    sealed = await sealValue(secret, secretContext(ctx.tenantId));
    details = {
      client_id: input.oidc.clientId,
      client_secret: secret,
      authorize_scopes: scopes.join(' '),
      oidc_issuer: issuer,
      attributes_request_method: 'GET',
    };
  } else {
    const { metadataUrl, metadataXml } = input.saml;
    const xml = metadataUrl ? await fetchSamlMetadata(metadataUrl) : (metadataXml as string);
    const metadata = readSamlMetadata(xml, now);
    saml = {
      entityId: metadata.entityId,
      ssoUrl: metadata.ssoUrl,
      ssoBinding: metadata.ssoBinding,
      metadataUrl: metadataUrl ?? null,
      emailAttribute: input.saml.emailAttribute ?? DEFAULT_SAML_EMAIL_ATTRIBUTE,
      nameAttribute: input.saml.nameAttribute ?? null,
      certificates: metadata.certificates,
    };
    details = metadataUrl
      ? { MetadataURL: metadataUrl, IDPSignout: 'false' }
      : { MetadataFile: xml, IDPSignout: 'false' };
  }
  const provider: FederatedProvider = {
    name: providerName,
    type: input.type === 'oidc' ? 'OIDC' : 'SAML',
    details,
    attributeMapping: attributeMapping(input),
  };
  // A provider changing type is made anew: Cognito keeps a provider's type for life.
  if (current && current.type !== input.type) await deleteFederatedProvider(providerName);
  await putFederatedProvider(provider);
  const enabled = input.enabled ?? true;
  await setClientSupportsProvider(providerName, enabled);

  const item: SsoConnectionItem = {
    tenantId: ctx.tenantId,
    type: input.type,
    providerName,
    enabled,
    ...(oidc ? { oidc, sealedClientSecret: sealed } : {}),
    ...(saml ? { saml } : {}),
    defaultRole: input.defaultRole ?? 'member',
    ...(input.roleMapping ? { roleMapping: input.roleMapping } : {}),
    version: (current?.version ?? 0) + 1,
    createdBy: current?.createdBy ?? principalId(ctx.principal),
    updatedBy: principalId(ctx.principal),
    createdAt: current?.createdAt ?? now.toISOString(),
    updatedAt: now.toISOString(),
  };
  const summary = (connection: SsoConnectionItem) => ({
    type: connection.type,
    enabled: connection.enabled,
    issuer: (connection.oidc as StoredOidc | undefined)?.issuer,
    clientId: (connection.oidc as StoredOidc | undefined)?.clientId,
    entityId: (connection.saml as StoredSaml | undefined)?.entityId,
    defaultRole: connection.defaultRole,
    roleMapping: connection.roleMapping ?? null,
  });
  const before = current ? { ...summary(current), ...(await enforcementOf(ctx.tenantId)) } : undefined;
  await writeAudited(
    ctx,
    {
      action: current ? 'sso.updated' : 'sso.configured',
      targetType: 'sso',
      targetId: providerName,
      ...(before ? { before } : {}),
      after: { ...summary(item), ...enforcement },
    },
    ({ ssoConnection, tenant }) => ({
      connection: current
        ? ssoConnection
            .put(item)
            .where((attr, op) => op.eq(attr.version, current.version))
            .commit()
        : ssoConnection.create(item).commit(),
      // Where admission reads it, with the tenant it loads anyway: no read more per request.
      enforcement: enforcementWrite(tenant, ctx.tenantId, enforcement),
    }),
    { rejections: { connection: changedMeanwhile }, now },
  );
  forgetTenant(ctx.tenantId);
  // Once more, now the setting is recorded: a provider reconcile that ran between the client's change
  // and the record's read the setting from before and may have undone the change (one read if not).
  await setClientSupportsProvider(providerName, enabled);
  return toView(item, now, enforcement);
}

function enforcementWrite(tenant: TransactionEntities['tenant'], tenantId: string, enforcement: Enforcement) {
  const update = tenant.patch({ tenantId }).set({ ssoRequired: enforcement.requireSso });
  return (
    enforcement.breakGlassUserId
      ? update.set({ ssoBreakGlassUserId: enforcement.breakGlassUserId })
      : update.remove(['ssoBreakGlassUserId'])
  ).commit();
}

/**
 * Removes the tenant's identity provider: the record first (a sign-in through a provider with no
 * record is refused), then the app client's list and the Cognito provider. Audited.
 */
export async function deleteSsoConnection(ctx: TenantContext, now: Date = requestTime(ctx)): Promise<void> {
  const current = await readSsoConnection(ctx.tenantId);
  if (!current) throw notConfigured();
  await writeAudited(
    ctx,
    {
      action: 'sso.removed',
      targetType: 'sso',
      targetId: current.providerName,
      before: { type: current.type, enabled: current.enabled },
    },
    ({ ssoConnection, tenant }) => ({
      connection: ssoConnection
        .delete({ tenantId: ctx.tenantId })
        .where((attr, op) => op.eq(attr.version, current.version))
        .commit(),
      enforcement: enforcementWrite(tenant, ctx.tenantId, { requireSso: false, breakGlassUserId: null }),
    }),
    { rejections: { connection: changedMeanwhile }, now },
  );
  forgetTenant(ctx.tenantId);
  await setClientSupportsProvider(current.providerName, false);
  await deleteFederatedProvider(current.providerName);
}

export interface SignInDiscovery {
  sso: boolean;
  providerName: string | null;
  tenantId: string | null;
  authorizeUrl: string | null;
}

const PASSWORD_SIGN_IN: SignInDiscovery = {
  sso: false,
  providerName: null,
  tenantId: null,
  authorizeUrl: null,
};

/**
 * Home realm discovery: an address whose domain a tenant has captured, where that tenant is active, is
 * on a plan that sells `sso` and has its provider set and enabled, signs in through that provider; the
 * answer is where the hosted sign-in starts (the console adds its state and PKCE challenge). Anything
 * else signs in with a password. Reads one guard, the tenant and the connection.
 */
export async function discoverSignIn(email: string): Promise<SignInDiscovery> {
  const tenantId = await tenantCapturing(email);
  if (!tenantId) return PASSWORD_SIGN_IN;
  const [tenant, connection] = await Promise.all([
    loadTenant(tenantId),
    readSsoConnectionAsPlatform(tenantId),
  ]);
  if (!tenant || tenant.status !== 'active' || !connection?.enabled) return PASSWORD_SIGN_IN;
  if (!entitlementsOf(tenant).features.has('sso')) return PASSWORD_SIGN_IN;
  const { cognito, email: emailSettings } = getConfig();
  const authorize = new URL(`${cognito.domainUrl}/oauth2/authorize`);
  authorize.searchParams.set('identity_provider', connection.providerName);
  authorize.searchParams.set('client_id', cognito.clientId);
  authorize.searchParams.set('response_type', 'code');
  authorize.searchParams.set('scope', 'openid email profile');
  authorize.searchParams.set('redirect_uri', `${emailSettings.consoleUrl.replace(/\/+$/, '')}/sso/callback`);
  return { sso: true, providerName: connection.providerName, tenantId, authorizeUrl: authorize.toString() };
}
