/**
 * The catalogue of problem codes: every code is declared once here with the statuses it is answered
 * with, its title and what a client should do about it. A typed error (`errors.ts`) accepts only a
 * code declared for its status, so a new code cannot be thrown (it would not compile) without its
 * documentation, which the OpenAPI document and the problem reference page are generated from.
 */

export interface ProblemSpec {
  /** The HTTP statuses this code is answered with. */
  readonly statuses: readonly number[];
  readonly title: string;
  /** What it means and what a client should do about it (shown on the reference page). */
  readonly description: string;
}

export const PROBLEMS = {
  validation_failed: {
    statuses: [400],
    title: 'Validation failed',
    description:
      'The path, query string or body does not match the operation’s schema. `errors` lists every bad field with its path. Nothing was changed or consumed.',
  },
  body_required: {
    statuses: [400],
    title: 'Body required',
    description: 'The operation needs a JSON request body and none was sent.',
  },
  malformed_json: {
    statuses: [400],
    title: 'Malformed JSON',
    description: 'The request body is not well-formed JSON.',
  },
  invalid_cursor: {
    statuses: [400],
    title: 'Invalid cursor',
    description:
      'The `cursor` was not handed out by this list (it was altered, forged, expired with a key rotation, or belongs to another list). Start again without a cursor.',
  },
  invalid_range: {
    statuses: [400],
    title: 'Invalid range',
    description: '`from` is after `to`.',
  },
  range_too_long: {
    statuses: [400],
    title: 'Range too long',
    description:
      'The requested time range has more buckets than one answer returns; narrow it or use a coarser granularity.',
  },
  invalid_idempotency_key: {
    statuses: [400],
    title: 'Invalid Idempotency-Key',
    description: 'The `Idempotency-Key` header must be 1 to 255 visible ASCII characters.',
  },
  idempotency_key_required: {
    statuses: [400],
    title: 'Idempotency-Key required',
    description:
      'This request counts something (a usage record): send an `Idempotency-Key` header, unique per record, so a retry is answered without counting twice.',
  },
  invalid_webhook_signature: {
    statuses: [400],
    title: 'Invalid webhook signature',
    description:
      'The `Stripe-Signature` header is missing, does not match the body, or is older than 300 seconds (a replay). Nothing was changed.',
  },
  invalid_webhook_event: {
    statuses: [400],
    title: 'Invalid webhook event',
    description:
      'The event is rightly signed but not of the shape Stripe sends (an `id`, a `type` and an object in `data.object`). Nothing was changed.',
  },
  invalid_user: {
    statuses: [400],
    title: 'Invalid user',
    description: 'The identity provider refused the user’s attributes (for example the email address).',
  },
  session_revoked: {
    statuses: [401],
    title: 'Signed out',
    description:
      'The sign-in this token belongs to was signed out: by the person (everywhere, or this session), or, for this tenant, by one of its admins. Sign in again.',
  },
  unauthorized: {
    statuses: [401],
    title: 'Unauthorized',
    description:
      'The request carries no verified identity: no credential, an invalid or expired token, or an API key that is unknown, revoked or expired.',
  },
  forbidden: {
    statuses: [403],
    title: 'Forbidden',
    description: 'The caller may not do this.',
  },
  tenant_mismatch: {
    statuses: [403],
    title: 'Tenant mismatch',
    description:
      'The path, the tenant header, the host or the query parameter names a tenant other than the caller’s own, or two of them name different tenants. Only platform admins act on other tenants.',
  },
  no_tenant: {
    statuses: [403],
    title: 'No tenant',
    description: 'The caller belongs to no tenant and the request names none.',
  },
  tenant_not_found: {
    statuses: [403, 404],
    title: 'Tenant not found',
    description:
      'No tenant has this id: 404 for a platform admin; 403 for a member whose own tenant no longer exists.',
  },
  tenant_host_unknown: {
    statuses: [404],
    title: 'No tenant at this host',
    description:
      'The request was sent to a subdomain of a tenant base domain that no tenant has (or a host that cannot be a tenant’s). Another tenant never answers in its place.',
  },
  tenant_deleted: {
    statuses: [403, 409],
    title: 'Tenant deleted',
    description: 'The tenant has been deleted: its users are refused (403), and it cannot be changed (409).',
  },
  tenant_suspended: {
    statuses: [403],
    title: 'Tenant suspended',
    description:
      'The tenant is suspended (`reason` says why). Its users can read its status and nothing else until a platform admin reactivates it.',
  },
  membership_inactive: {
    statuses: [403],
    title: 'Membership inactive',
    description: 'The caller is not (or no longer) a member of this tenant.',
  },
  permission_denied: {
    statuses: [403],
    title: 'Permission denied',
    description: 'The caller’s role lacks the permission the operation needs (`requiredPermission`).',
  },
  platform_admin_required: {
    statuses: [403],
    title: 'Platform admin required',
    description: 'The operation is for platform admins.',
  },
  feature_not_in_plan: {
    statuses: [403],
    title: 'Feature not in plan',
    description:
      'The tenant’s plan does not include the feature the operation needs (`feature`); upgrade the plan.',
  },
  ip_not_allowed: {
    statuses: [403],
    title: 'IP address not allowed',
    description:
      'The tenant allows requests only from the addresses in its `settings.ipAllowlist`, and this one came from elsewhere.',
  },
  invitation_expired: {
    statuses: [403],
    title: 'Invitation expired',
    description:
      'The invitation to this tenant was not accepted in time. Ask an owner or admin to resend it.',
  },
  mfa_required: {
    statuses: [403],
    title: 'MFA required',
    description:
      'The tenant requires multi-factor authentication and the caller has no MFA method enrolled. `enrol` says how; sign in again afterwards.',
  },
  role_above_own: {
    statuses: [403],
    title: 'Role above own',
    description: 'Nobody grants a role above their own or changes a member ranked above them.',
  },
  scope_above_own: {
    statuses: [403],
    title: 'Scope above own',
    description:
      'An API key can hold only permissions its creator holds; `scopes` lists the ones the caller lacks.',
  },
  person_required: {
    statuses: [403],
    title: 'Person required',
    description:
      'The operation is about a signed-in person (their profile, their own tenants) and an API key is no person; call it with a Cognito ID token.',
  },
  tenant_isolation_violation: {
    statuses: [403],
    title: 'Tenant isolation violation',
    description: 'A data access outside the current tenant was refused before it left the process.',
  },
  quota_exceeded: {
    statuses: [403, 429],
    title: 'Quota exceeded',
    description:
      'A plan limit is reached. Counted resources (users, agents, storage) answer 403 until something is deleted or the plan changes; monthly resources (runs, tokens, API calls) answer 429 with `Retry-After` until the month ends. The body names the `resource`, `limit`, `used`, `period` and the `upgrade` that would help.',
  },
  not_found: {
    statuses: [404],
    title: 'Not found',
    description: 'Nothing is here.',
  },
  route_not_found: {
    statuses: [404],
    title: 'Route not found',
    description: 'No operation has this path. The reference at `/docs` lists every operation.',
  },
  platform_admin_not_found: {
    statuses: [404],
    title: 'Platform admin not found',
    description: 'No platform-admin record for this user.',
  },
  secret_not_found: {
    statuses: [404],
    title: 'Secret not found',
    description: 'This secret setting is not set.',
  },
  person_not_found: {
    statuses: [404],
    title: 'Person not found',
    description:
      'No one with this email has a Tenantry sign-in: invite them into a tenant first, then try again.',
  },
  user_not_found: {
    statuses: [404],
    title: 'User not found',
    description: 'No user with this id in the tenant.',
  },
  api_key_not_found: {
    statuses: [404],
    title: 'API key not found',
    description: 'No API key with this id in the tenant.',
  },
  hierarchy_too_deep: {
    statuses: [409],
    title: 'Hierarchy too deep',
    description:
      'The tenant is as far below its root partner as a tenant may be (`maxDepth` levels): it cannot have children.',
  },
  tenant_has_children: {
    statuses: [409],
    title: 'Tenant has children',
    description:
      'Tenants are below this one (a partner’s customers): it can be deleted once each of them is deleted and purged.',
  },
  allocation_exceeds_limit: {
    statuses: [409],
    title: 'Allocation exceeds the limit',
    description:
      'What the partner would give its children of `resource` passes its own limit (`limit`): `allocated` to the others, `requested` for this one.',
  },
  child_has_subscription: {
    statuses: [409],
    title: 'The child pays for a subscription',
    description:
      'The child tenant pays for a subscription of its own (`subscriptionStatus`): its owner ends it in the billing portal before its partner pays for it.',
  },
  billed_by_partner: {
    statuses: [409],
    title: 'Billed by the partner',
    description:
      'The tenant’s partner (`partnerId`) pays for it: its plan is the partner’s to change, and it checks out no subscription of its own.',
  },
  pool_nested: {
    statuses: [409],
    title: 'A pool cannot be pooled',
    description:
      'A tenant that draws `resource` from its own partner’s pool cannot pool it with its children, and a child that pools `resource` with its own children cannot draw it from a pool: one counter is the pool of one partner and its direct children.',
  },
  child_not_found: {
    statuses: [404],
    title: 'Child tenant not found',
    description: 'No tenant with this id is below the caller’s tenant.',
  },
  delegation_not_found: {
    statuses: [404],
    title: 'Delegation not found',
    description:
      'No delegation between the caller’s tenant and the tenant named (or not the one named by `delegationId`).',
  },
  delegation_exists: {
    statuses: [409],
    title: 'Delegation exists',
    description:
      'A delegation between the two tenants is pending or in force (`delegationId`, `delegationStatus`): end it before asking for another.',
  },
  delegation_not_pending: {
    statuses: [409],
    title: 'Delegation not pending',
    description: 'Only a pending delegation can be approved; this one is `delegationStatus`.',
  },
  delegation_inactive: {
    statuses: [403],
    title: 'Delegation not in force',
    description:
      'The caller acts in this tenant only through its partner’s (`partnerId`) delegation, which is not in force (`delegationStatus`: pending, expired, declined, withdrawn or revoked; or the partner is not active, `partnerStatus`).',
  },
  project_not_found: {
    statuses: [404],
    title: 'Project not found',
    description:
      'No project with this id in the tenant (or not the one a project-limited API key is limited to).',
  },
  project_not_empty: {
    statuses: [409],
    title: 'Project not empty',
    description: 'The project still has agents (`agentCount`): move or delete them first.',
  },
  project_key_not_allowed: {
    statuses: [403],
    title: 'API key limited to a project',
    description:
      'The API key is limited to one project (`projectId`) and may use only the routes of projects, agents, memory and runs.',
  },
  agent_not_found: {
    statuses: [404],
    title: 'Agent not found',
    description: 'No agent with this id in the tenant.',
  },
  memory_not_found: {
    statuses: [404],
    title: 'Memory item not found',
    description: 'No memory item with this id for the agent.',
  },
  run_not_found: {
    statuses: [404],
    title: 'Run not found',
    description: 'No run with this id in the tenant.',
  },
  method_not_allowed: {
    statuses: [405],
    title: 'Method not allowed',
    description: 'The path exists but not with this method; `Allow` lists the methods it has.',
  },
  concurrent_modification: {
    statuses: [409],
    title: 'Concurrent modification',
    description: 'Someone changed the same record at the same moment; read it again and retry.',
  },
  subscription_exists: {
    statuses: [409],
    title: 'Subscription exists',
    description:
      'The tenant already has a subscription: change or cancel its plan in the customer portal (`POST /v1/tenants/{tenantId}/billing/portal`).',
  },
  slug_taken: {
    statuses: [409],
    title: 'Slug taken',
    description: 'Another tenant has this slug.',
  },
  email_taken: {
    statuses: [409],
    title: 'Email taken',
    description: 'A user with this email address already exists.',
  },
  already_member: {
    statuses: [409],
    title: 'Already a member',
    description: 'This user is already a member of the tenant.',
  },
  already_invited: {
    statuses: [409],
    title: 'Already invited',
    description:
      'This person has an invitation to the tenant that they have not accepted yet; resend it (`POST …/users/{userId}/resend-invitation`) rather than inviting again.',
  },
  already_suspended: {
    statuses: [409],
    title: 'Already suspended',
    description: 'The tenant is already suspended.',
  },
  not_suspended: {
    statuses: [409],
    title: 'Not suspended',
    description: 'Only a suspended tenant can be reactivated.',
  },
  override_below_plan: {
    statuses: [400],
    title: 'Override below the plan',
    description:
      'A limit override is lower than the plan’s own limit (or limits what the plan leaves unlimited); send `allowBelowPlan: true` to mean it.',
  },
  single_tenant_mode: {
    statuses: [403],
    title: 'One tenant only',
    description:
      'The deployment runs as a single tenant (`SINGLE_TENANT`): new tenants cannot be signed up or created from an account.',
  },
  import_invalid: {
    statuses: [400],
    title: 'Import file refused',
    description:
      'The import file is not one of the formats (`tenantry-export/1`, `tenantry-import/1`), or a line of it is wrong: the detail names the line. Nothing was imported.',
  },
  import_target_not_empty: {
    statuses: [409],
    title: 'Tenant not empty',
    description: 'An import goes into a new or an empty tenant: this one has agents of its own.',
  },
  import_exceeds_plan: {
    statuses: [409],
    title: 'Import over the plan',
    description: 'The file has more agents than the tenant’s plan allows; change the plan first.',
  },
  logo_invalid: {
    statuses: [400],
    title: 'Logo refused',
    description:
      'A logo is a PNG, JPEG or WebP image of at most 64 KB, each side from 16 to 1,024 pixels, whose bytes are the type it claims (SVG is not accepted: it can carry scripts). The detail says what was wrong.',
  },
  domain_invalid: {
    statuses: [400],
    title: 'Not a domain name',
    description:
      'The domain is not a host name a tenant can claim: an IP address, a wildcard, a single label, a label over 63 or a name over 253 characters, a scheme, port or path, or characters a host name cannot have. The detail says which.',
  },
  domain_not_allowed: {
    statuses: [400],
    title: 'Domain not allowed',
    description:
      'The domain is one of the platform’s own (a tenant’s subdomain there is its slug), or under a name that never reaches the internet (`localhost`, `.local`, `.internal`, `.invalid`, `.arpa`, `.onion`).',
  },
  domain_confusable: {
    statuses: [400],
    title: 'Domain can pass for another',
    description:
      'An internationalized label mixes scripts (Latin with Cyrillic, say), or is spelled only with letters that look Latin: such a name can pass for another, as browsers refuse to show it.',
  },
  domain_not_found: {
    statuses: [404],
    title: 'Domain not found',
    description: 'No custom domain of this name in the tenant.',
  },
  domain_exists: {
    statuses: [409],
    title: 'Domain added already',
    description: 'The domain is one of the tenant’s already.',
  },
  domain_taken: {
    statuses: [409],
    title: 'Domain held by another tenant',
    description:
      'Another tenant has verified the domain. It can be claimed once that tenant removes it, or once its TXT record is gone and its claim lapses (at risk, suspended, then released).',
  },
  domain_limit: {
    statuses: [409],
    title: 'Custom domain limit',
    description: 'A tenant has at most 20 custom domains.',
  },
  webhook_url_not_allowed: {
    statuses: [400],
    title: 'Webhook URL not allowed',
    description:
      'Webhooks are delivered over https to public addresses only: not to private, loopback, link-local or reserved ones, and not with credentials in the URL.',
  },
  webhook_not_found: {
    statuses: [404],
    title: 'Webhook endpoint not found',
    description: 'No webhook endpoint with this id in the tenant.',
  },
  webhook_endpoint_limit: {
    statuses: [409],
    title: 'Webhook endpoint limit',
    description: 'A tenant has at most 10 webhook endpoints.',
  },
  webhook_endpoint_disabled: {
    statuses: [409],
    title: 'Webhook endpoint disabled',
    description:
      'A disabled endpoint receives nothing, tests and retries included: enable it (`enabled: true`), then try again.',
  },
  webhook_delivery_not_found: {
    statuses: [404],
    title: 'Webhook delivery not found',
    description: 'No logged attempt with this id for the endpoint (the log keeps 30 days).',
  },
  webhook_delivery_not_retryable: {
    statuses: [409],
    title: 'Webhook delivery cannot be sent again',
    description:
      'The attempt was logged before the log kept what was sent, so there is nothing to send again.',
  },
  export_in_progress: {
    statuses: [409],
    title: 'Export in progress',
    description: 'An export of this tenant is already being written; one runs at a time.',
  },
  export_not_found: {
    statuses: [404],
    title: 'Export not found',
    description: 'No export with this id in the tenant (exports are kept `EXPORT_RETENTION_DAYS`).',
  },
  confirmation_mismatch: {
    statuses: [400],
    title: 'Confirmation does not match',
    description: 'Deleting a tenant needs its slug as `confirm`, exactly; nothing was changed.',
  },
  not_deleted: {
    statuses: [409],
    title: 'Not deleted',
    description: 'Only a deleted tenant can be restored.',
  },
  retention_ended: {
    statuses: [409],
    title: 'Retention window ended',
    description:
      'The deleted tenant is past its retention window (`purgeAfter`): it can no longer be restored, and its data is being purged.',
  },
  ip_allowlist_lockout: {
    statuses: [409],
    title: 'IP allowlist would lock you out',
    description:
      'The new `settings.ipAllowlist` does not include the address this request came from (`sourceIp`). Add it, or send `force: true` to apply the list anyway.',
  },
  last_platform_admin: {
    statuses: [409],
    title: 'Last platform admin',
    description: 'The last platform admin cannot be revoked; grant another one first.',
  },
  mfa_lockout: {
    statuses: [409],
    title: 'Requiring MFA would lock you out',
    description:
      'Turning on `settings.mfaRequired` needs the caller to have MFA enrolled first; enrol, or send `force: true` to turn it on anyway.',
  },
  not_invited: {
    statuses: [409],
    title: 'Not invited',
    description: 'The user has already accepted; only a pending invitation can be resent.',
  },
  last_owner: {
    statuses: [409],
    title: 'Last owner',
    description: 'The last owner of a tenant cannot be demoted or removed; make another owner first.',
  },
  run_completed: {
    statuses: [409],
    title: 'Run completed',
    description: 'The run is already completed.',
  },
  idempotency_in_progress: {
    statuses: [409],
    title: 'Idempotent request in progress',
    description: 'A request with this `Idempotency-Key` is still being processed; retry shortly.',
  },
  idempotency_answer_lost: {
    statuses: [409],
    title: 'Idempotent request took effect, answer lost',
    description:
      'The first request with this `Idempotency-Key` took effect, then failed or ended before its answer was stored. It is not run again: read the resource to see its state, and use a new key for a new request.',
  },
  payload_too_large: {
    statuses: [413],
    title: 'Payload too large',
    description: 'The request body is larger than the API accepts.',
  },
  unsupported_media_type: {
    statuses: [415],
    title: 'Unsupported media type',
    description: 'Send the body as `application/json`.',
  },
  idempotency_key_reused: {
    statuses: [422],
    title: 'Idempotency-Key reused',
    description: 'This `Idempotency-Key` was used with a different request; use a new key for a new request.',
  },
  rate_limited: {
    statuses: [429],
    title: 'Rate limited',
    description: 'Too many requests in the current window; wait `Retry-After` seconds.',
  },
  metering_contention: {
    statuses: [429],
    title: 'Metering contention',
    description:
      'The request could not be metered under heavy contention; retry after `Retry-After` seconds.',
  },
  internal_error: {
    statuses: [500],
    title: 'Internal Server Error',
    description: 'An unexpected error. Quote the `requestId` when reporting it.',
  },
  sso_not_configured: {
    statuses: [404],
    title: 'No identity provider',
    description: 'The tenant has no identity provider set; `PUT /v1/tenants/{tenantId}/sso` sets one.',
  },
  sso_discovery_failed: {
    statuses: [422],
    title: 'OpenID discovery failed',
    description:
      'The issuer did not serve an OpenID Connect discovery document at `/.well-known/openid-configuration` naming itself as issuer, with authorization, token and JWKS endpoints. The detail says what was wrong. Nothing was saved.',
  },
  sso_metadata_invalid: {
    statuses: [422],
    title: 'SAML metadata not usable',
    description:
      'The SAML metadata is not an identity provider’s: no EntityDescriptor with an IDPSSODescriptor, no sign-on URL with the HTTP-Redirect or HTTP-POST binding, no readable signing certificate, or every certificate expired; or it is over 256 KB or has a DOCTYPE. Nothing was saved.',
  },
  sso_unreachable: {
    statuses: [422],
    title: 'Provider unreachable',
    description:
      'The issuer or metadata URL cannot be called: not `https`, a private, loopback or reserved address, not resolving, or not answering within 5 s. Nothing was saved.',
  },
  sso_provider_refused: {
    statuses: [422],
    title: 'Cognito refused the provider',
    description:
      'Amazon Cognito refused the identity provider as configured (its message is in the detail): typically discovery or metadata it could not read. Nothing was saved.',
  },
  sso_domain_not_found: {
    statuses: [404],
    title: 'Domain not captured',
    description: 'The tenant captures no such email domain.',
  },
  sso_domain_exists: {
    statuses: [409],
    title: 'Domain captured already',
    description: 'The tenant captures this email domain already.',
  },
  sso_domain_taken: {
    statuses: [409],
    title: 'Domain captured by another tenant',
    description:
      'Another tenant has verified this email domain for its identity provider; a domain signs in through one tenant’s provider only. It is free again once that tenant removes it.',
  },
  sso_domain_limit: {
    statuses: [409],
    title: 'Too many captured domains',
    description: 'A tenant captures at most 20 email domains; remove one first.',
  },
  sso_required: {
    statuses: [403],
    title: 'Single sign-on required',
    description:
      'The tenant requires its identity provider for addresses of the domains it has captured, and this session was signed in with a password. Use single sign-on (`POST /v1/sso/discover` names where). The tenant’s break-glass owner, and addresses of other domains, keep their passwords.',
  },
  session_not_found: {
    statuses: [404],
    title: 'No such session',
    description: 'You have no open session with this id (it ended, expired, or was never yours).',
  },
  scim_filter_invalid: {
    statuses: [400],
    title: 'SCIM filter not valid',
    description:
      'The `filter` is not RFC 7644 filter syntax, or names an attribute these resources do not have. Answered in SCIM’s error format with `scimType: invalidFilter`.',
  },
  scim_patch_invalid: {
    statuses: [400],
    title: 'SCIM patch not valid',
    description:
      'A PATCH operation is not `add`, `remove` or `replace`, has a path that names nothing (`scimType: invalidPath` or `noTarget`), or leaves the resource invalid. Nothing was changed.',
  },
  scim_value_invalid: {
    statuses: [400],
    title: 'SCIM value not valid',
    description:
      'A value is missing or of the wrong kind (`userName` must be an email address; a group’s members must be users of the tenant). `scimType: invalidValue`; nothing was changed.',
  },
  scim_mutability: {
    statuses: [400],
    title: 'Attribute cannot change',
    description:
      'The request changes `userName` (the person’s address), which a membership keeps for life: deprovision the user and provision the new address. `scimType: mutability`.',
  },
  scim_domain_not_captured: {
    statuses: [400],
    title: 'Address outside the tenant’s domains',
    description:
      'A directory provisions addresses of the email domains its tenant has captured and verified (`/v1/tenants/{tenantId}/sso/domains`) and no others: a directory speaks for its own company’s people only. `scimType: invalidValue`.',
  },
  scim_user_exists: {
    statuses: [409],
    title: 'User exists',
    description:
      'The address is a member of the tenant already. Find it with `filter=userName eq "<address>"` and update it instead. `scimType: uniqueness`.',
  },
  scim_user_not_found: {
    statuses: [404],
    title: 'No such user',
    description: 'The tenant has no member with this id.',
  },
  scim_group_not_found: {
    statuses: [404],
    title: 'No such group',
    description: 'The tenant’s directory has no group with this id.',
  },
  service_unavailable: {
    statuses: [503],
    title: 'Service unavailable',
    description:
      'A service the API depends on (the database, the identity provider, Stripe) is busy, slow or unreachable. Nothing was acknowledged: retry after the seconds `Retry-After` gives, with the same `Idempotency-Key` for a POST.',
  },
} as const satisfies Record<string, ProblemSpec>;

export type ProblemCode = keyof typeof PROBLEMS;

/** The codes declared with status `S`: a typed error of status `S` accepts only these. */
export type ProblemCodeFor<S extends number> = {
  [K in ProblemCode]: S extends (typeof PROBLEMS)[K]['statuses'][number] ? K : never;
}[ProblemCode];

export const PROBLEM_CODES = Object.keys(PROBLEMS) as ProblemCode[];
