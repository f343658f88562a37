/** How a tenant's people sign in through their own identity provider. */
export const SSO_TYPES = ['oidc', 'saml'] as const;
export type SsoType = (typeof SSO_TYPES)[number];

/** The roles a provider may give (never `owner`: ownership is handed over in the API, not by a claim). */
export const SSO_ROLES = ['admin', 'member', 'viewer'] as const;
export type SsoRole = (typeof SSO_ROLES)[number];

/** The scopes asked of an OIDC provider unless the tenant names others (`openid` is always asked). */
export const DEFAULT_OIDC_SCOPES = ['openid', 'email', 'profile'] as const;

/** Where a SAML provider's email address is unless the tenant names another attribute. */
export const DEFAULT_SAML_EMAIL_ATTRIBUTE =
  'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress';

/**
 * The user pool attribute a provider's role claim or group list is mapped to at each sign-in (mutable,
 * never writable by the app client), read by the pre-token-generation trigger.
 */
export const SSO_GROUPS_ATTRIBUTE = 'ssoGroups';

/**
 * The Cognito identity provider of a tenant: `ten-` and the tenant id's ULID (30 characters; Cognito
 * allows 32 and no `_`, which separates the provider from the subject in a federated user's name).
 */
export function ssoProviderName(tenantId: string): string {
  const ulid = /^ten_([0-9A-HJKMNP-TV-Z]{26})$/.exec(tenantId)?.[1];
  if (!ulid) throw new Error(`Not a tenant id: ${tenantId}`);
  return `ten-${ulid}`;
}

/** The tenant a Cognito identity provider name belongs to, or `null` for a name that is not one of ours. */
export function tenantOfSsoProvider(providerName: string): string | null {
  const ulid = /^ten-([0-9A-HJKMNP-TV-Z]{26})$/.exec(providerName)?.[1];
  return ulid ? `ten_${ulid}` : null;
}

/** What a SAML provider is told the service provider is: Cognito's entity id for the pool. */
export function samlServiceProviderEntityId(userPoolId: string): string {
  return `urn:amazon:cognito:sp:${userPoolId}`;
}
