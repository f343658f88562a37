/**
 * Where a tenant's custom domain is in its life (shared/custom-domains/ moves it):
 * - `claimed`: added; nothing checked yet. The answer names the TXT record to add.
 * - `verifying`: checked at least once, and the TXT record with the domain's token was not found (or
 *   another tenant holds the domain): the findings say what was seen and what to change.
 * - `verified`: the TXT record proves control; the domain is the tenant's alone. Serving it waits for
 *   the host's CNAME (and any CAA records) to allow it.
 * - `provisioning`: the serving resource (in AWS a CloudFront distribution tenant with a managed
 *   certificate) is being made.
 * - `active`: the host names the tenant (`Tenant-Resolved-By: host`) and is served over TLS.
 * - `at_risk`: a daily re-check no longer found the TXT record; the host still answers.
 * - `suspended`: the record stayed gone past the grace: the host no longer names the tenant.
 * - `releasing`: removed (by the tenant, or released after a suspension's grace); the serving resource is
 *   being taken down, after which the domain may be claimed again.
 */
export const DOMAIN_STATES = [
  'claimed',
  'verifying',
  'verified',
  'provisioning',
  'active',
  'at_risk',
  'suspended',
  'releasing',
] as const;
export type DomainState = (typeof DOMAIN_STATES)[number];

/** The states in which the host names its tenant. */
export const SERVING_DOMAIN_STATES: ReadonlySet<DomainState> = new Set(['active', 'at_risk']);

/** Where the verification record lives: `<prefix>.<host>`. */
export const DOMAIN_CHALLENGE_PREFIX = '_tenantry-challenge';
/** The TXT value is `<this>=<token>`. */
export const DOMAIN_CHALLENGE_VALUE_PREFIX = 'tenantry-domain-verification';
