import * as z from 'zod/mini';
import { tenantPath } from '../schemas/tenant-path';
import type { RouteDefinition } from '../../http/route';
import { component } from '../schemas/components';
import { timestamp } from '../schemas/common';
import { opaqueText, singleLineText } from '../schemas/text';
import { SSO_ROLES, SSO_TYPES } from '../../model/sso';
import { MAX_METADATA_BYTES } from '../../sso/provider-checks';

const ssoPath = tenantPath();

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
    createdBy: z.string(),
    createdAt: timestamp,
    updatedBy: z.string(),
    updatedAt: timestamp,
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
] as const satisfies readonly RouteDefinition[];
