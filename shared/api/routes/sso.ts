import * as z from 'zod/mini';
import { tenantPath } from '../schemas/tenant-path';
import type { RouteDefinition } from '../../http/route';
import { component } from '../schemas/components';
import { timestamp } from '../schemas/common';
import { opaqueText, singleLineText } from '../../text';
import { SSO_ROLES, SSO_TYPES } from '../../model/sso';
import { MAX_METADATA_BYTES } from '../../sso/provider-checks';
import { idSchema } from '../../ids';

const ssoPath = tenantPath();
const ssoDomainPath = tenantPath({
  domain: z.string().check(z.minLength(1), z.maxLength(253), z.describe('The email domain, as added.')),
});

const httpUrl = z.url({ protocol: /^https?$/ }).check(z.maxLength(2_048));
const roleMapping = component(
  'SsoRoleMapping',
  z.object({
    attribute: singleLineText(256).check(
      z.describe('The provider claim (OIDC) or attribute (SAML) that holds the person’s groups or role.'),
    ),
    rules: z
      .array(z.object({ value: singleLineText(256), role: z.enum(SSO_ROLES) }))
      .check(
        z.minLength(1),
        z.maxLength(50),
        z.describe('First match wins; a person matching none gets `defaultRole`. Never `owner`.'),
      ),
  }),
);
const common = {
  enabled: z.optional(
    z.boolean().check(z.describe('Whether sign-in through the provider is offered (default true).')),
  ),
  defaultRole: z.optional(
    z.enum(SSO_ROLES).check(z.describe('The role of a person’s first sign-in (default `member`).')),
  ),
  roleMapping: z.optional(z.nullable(roleMapping)),
  requireSso: z.optional(
    z
      .boolean()
      .check(
        z.describe(
          'Refuse password sessions of the captured domains’ addresses at this tenant (default false); the break-glass owner and other domains keep their passwords.',
        ),
      ),
  ),
  breakGlassUserId: z.optional(
    z.nullable(idSchema('user').check(z.describe('An active owner who may always sign in with a password.'))),
  ),
};
const oidcInput = z.strictObject({
  type: z.literal('oidc'),
  oidc: z.strictObject({
    issuer: httpUrl.check(z.describe('The issuer; `/.well-known/openid-configuration` is read when saved.')),
    clientId: singleLineText(256),
    clientSecret: z.optional(
      opaqueText(1_024).check(
        z.describe('Write-only. Needed when the issuer or client id is new; otherwise the one kept is used.'),
      ),
    ),
    scopes: z.optional(
      z
        .array(z.string().check(z.regex(/^[\x21\x23-\x5B\x5D-\x7E]{1,100}$/, 'must be an OAuth scope token')))
        .check(z.maxLength(20)),
    ),
  }),
  ...common,
});
const samlInput = z.strictObject({
  type: z.literal('saml'),
  saml: z
    .strictObject({
      metadataUrl: z.optional(httpUrl),
      metadataXml: z.optional(
        z
          .string()
          .check(z.minLength(1), z.maxLength(MAX_METADATA_BYTES), z.describe('The metadata document.')),
      ),
      emailAttribute: z.optional(singleLineText(256)),
      nameAttribute: z.optional(singleLineText(256)),
    })
    .check(
      z.refine((saml) => (saml.metadataUrl === undefined) !== (saml.metadataXml === undefined), {
        message: 'give exactly one of metadataUrl and metadataXml',
      }),
    ),
  ...common,
});

const certificateView = z.object({
  subject: z.string(),
  fingerprint: z.string().check(z.describe('SHA-256, colon-separated hex.')),
  notBefore: timestamp,
  notAfter: timestamp,
  expired: z.boolean(),
  expiresInDays: z.number(),
});
const connectionView = component(
  'SsoConnection',
  z.object({
    type: z.enum(SSO_TYPES),
    enabled: z.boolean(),
    providerName: z.string().check(z.describe('The Cognito identity provider made for the tenant.')),
    oidc: z.nullable(
      z.object({
        issuer: z.string(),
        clientId: z.string(),
        scopes: z.array(z.string()),
        clientSecretSet: z.boolean(),
        endpoints: z.object({
          authorization: z.string(),
          token: z.string(),
          jwks: z.string(),
          userinfo: z.nullable(z.string()),
        }),
      }),
    ),
    saml: z.nullable(
      z.object({
        entityId: z.string(),
        ssoUrl: z.string(),
        ssoBinding: z.enum(['redirect', 'post']),
        metadataUrl: z.nullable(z.string()),
        emailAttribute: z.string(),
        nameAttribute: z.nullable(z.string()),
        certificates: z.array(certificateView),
      }),
    ),
    serviceProvider: z.object({
      redirectUri: z.string().check(z.describe('OIDC: the redirect URI to register for the client.')),
      acsUrl: z.string().check(z.describe('SAML: the assertion consumer service URL.')),
      entityId: z.string().check(z.describe('SAML: the audience (service provider entity id).')),
    }),
    defaultRole: z.enum(SSO_ROLES),
    roleMapping: z.nullable(roleMapping),
    requireSso: z.boolean(),
    breakGlassUserId: z.nullable(z.string()),
    createdBy: z.string(),
    createdAt: timestamp,
    updatedBy: z.string(),
    updatedAt: timestamp,
  }),
);

const ssoDomainView = component(
  'SsoDomain',
  z.object({
    domain: z.string().check(z.describe('ASCII (punycode for an internationalized name).')),
    displayName: z.string(),
    state: z
      .enum(['pending', 'verified'])
      .check(
        z.describe(
          '`pending` until control is proven (the TXT record, or the tenant’s own verified custom domain of the same name); `verified`: the domain is this tenant’s alone and its addresses sign in through its provider.',
        ),
      ),
    verification: z.object({ type: z.literal('TXT'), name: z.string(), value: z.string() }),
    verifiedBy: z.nullable(z.enum(['dns', 'customDomain'])),
    verifiedAt: z.nullable(timestamp),
    lastCheckedAt: z.nullable(timestamp),
    found: z
      .array(z.string())
      .check(z.describe('The TXT values the last check found at the challenge name.')),
    lookupError: z.nullable(z.string().check(z.describe('Why the last lookup failed, if it did.'))),
    createdAt: timestamp,
  }),
);

const ssoCommon = {
  function: 'sso',
  auth: 'tenant',
  permission: 'sso:manage',
  feature: 'sso',
} as const;

/** A tenant's own identity provider (OIDC or SAML), made into a Cognito identity provider. */
export const SSO_ROUTES = [
  {
    ...ssoCommon,
    id: 'sso.get',
    method: 'GET',
    path: '/v1/tenants/{tenantId}/sso',
    summary: "Get the tenant's identity provider",
    description:
      'The OIDC or SAML provider people of the tenant sign in through, what to register at it, and (SAML) its signing certificates with their expiry. The client secret is never returned.',
    request: { path: ssoPath },
    responses: { 200: { description: 'The identity provider.', schema: connectionView } },
    errors: ['sso_not_configured'],
  },
  {
    ...ssoCommon,
    id: 'sso.put',
    method: 'PUT',
    path: '/v1/tenants/{tenantId}/sso',
    summary: "Set the tenant's identity provider",
    description:
      'OIDC (issuer, client id and secret; discovery at the issuer is checked when saved) or SAML 2.0 (metadata URL or document; its signing certificates are read and shown with their expiry). Becomes a Cognito identity provider named for the tenant, offered by the app client. People signing in through it for the first time become members with `defaultRole`, or the role `roleMapping` gives. Owners only: the provider decides who the tenant’s people are.',
    request: {
      path: ssoPath,
      body: z.discriminatedUnion('type', [oidcInput, samlInput]),
      example: {
        type: 'oidc',
        oidc: {
          issuer: 'https://login.northwind.example',
          clientId: 'tenantry',
          clientSecret: 'a-client-secret',
        },
        defaultRole: 'member',
        roleMapping: { attribute: 'groups', rules: [{ value: 'tenantry-admins', role: 'admin' }] },
      },
    },
    responses: { 200: { description: 'The identity provider as saved.', schema: connectionView } },
    errors: [
      'sso_discovery_failed',
      'sso_metadata_invalid',
      'sso_unreachable',
      'sso_provider_refused',
      'concurrent_modification',
    ],
  },
  {
    ...ssoCommon,
    id: 'sso.remove',
    method: 'DELETE',
    path: '/v1/tenants/{tenantId}/sso',
    summary: "Remove the tenant's identity provider",
    description:
      'Sign-in through the provider stops at once; the Cognito identity provider is deleted. Members keep their memberships and may sign in with a password where they have one.',
    request: { path: ssoPath },
    responses: { 204: { description: 'Removed.' } },
    errors: ['sso_not_configured', 'concurrent_modification'],
  },
  {
    ...ssoCommon,
    id: 'sso.domains.add',
    method: 'POST',
    path: '/v1/tenants/{tenantId}/sso/domains',
    summary: 'Capture an email domain',
    description:
      'An email domain whose people sign in through the tenant’s provider once it is verified: add the TXT record the answer names (`_tenantry-sso.<domain>`), then `check`. A domain the tenant has verified as a custom domain is verified at once. A domain another tenant has captured is refused. At most 20.',
    request: {
      path: ssoPath,
      body: z.strictObject({ domain: z.string().check(z.minLength(1), z.maxLength(300)) }),
      example: { domain: 'northwind.example' },
    },
    responses: { 201: { description: 'The domain, with the record to add.', schema: ssoDomainView } },
    errors: [
      'domain_invalid',
      'domain_not_allowed',
      'domain_confusable',
      'sso_domain_exists',
      'sso_domain_taken',
      'sso_domain_limit',
    ],
  },
  {
    ...ssoCommon,
    id: 'sso.domains.list',
    method: 'GET',
    path: '/v1/tenants/{tenantId}/sso/domains',
    summary: 'List the captured email domains',
    description: 'Every domain the tenant captures, with its state and the record that proves it.',
    request: { path: ssoPath },
    responses: { 200: { description: 'The domains.', schema: z.object({ items: z.array(ssoDomainView) }) } },
    errors: [],
  },
  {
    ...ssoCommon,
    id: 'sso.domains.check',
    method: 'POST',
    path: '/v1/tenants/{tenantId}/sso/domains/{domain}/check',
    summary: 'Check a captured domain now',
    description:
      'Asks DNS for the TXT record now. Found: the domain is verified and this tenant’s alone (409 `sso_domain_taken` if another tenant verified it first). Not found, or DNS failed: it stays pending, with what was found or why the lookup failed.',
    request: { path: ssoDomainPath, body: z.strictObject({}), bodyOptional: true },
    responses: { 200: { description: 'The domain after the check.', schema: ssoDomainView } },
    errors: ['sso_domain_not_found', 'sso_domain_taken'],
  },
  {
    ...ssoCommon,
    id: 'sso.domains.remove',
    method: 'DELETE',
    path: '/v1/tenants/{tenantId}/sso/domains/{domain}',
    summary: 'Stop capturing a domain',
    description:
      'Its addresses stop being sent to the tenant’s provider; another tenant may capture it then.',
    request: { path: ssoDomainPath },
    responses: { 204: { description: 'Removed.' } },
    errors: ['sso_domain_not_found'],
  },
  {
    id: 'sso.discover',
    method: 'POST',
    path: '/v1/sso/discover',
    function: 'sso',
    auth: 'public',
    summary: 'Find how an address signs in (home realm discovery)',
    description:
      'Whether an email address signs in through a tenant’s identity provider: its domain is captured (verified) by a tenant whose provider is set and enabled, on a plan with `sso`. If so, the answer names the provider and the hosted sign-in URL to start from (add `state`, `code_challenge` and `code_challenge_method=S256`); otherwise `sso: false` and the address signs in with its password. Says nothing about whether the address is a person of the platform.',
    request: {
      body: z.strictObject({ email: z.email().check(z.maxLength(254)) }),
      example: { email: 'ada@northwind.example' },
    },
    responses: {
      200: {
        description: 'How the address signs in.',
        schema: component(
          'SsoDiscovery',
          z.object({
            sso: z.boolean(),
            providerName: z.nullable(z.string()),
            tenantId: z.nullable(z.string()),
            authorizeUrl: z.nullable(
              z.string().check(z.describe('The hosted domain’s /oauth2/authorize for the provider.')),
            ),
          }),
        ),
      },
    },
    errors: [],
  },
] as const satisfies readonly RouteDefinition[];
