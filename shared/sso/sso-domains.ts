import { randomBytes } from 'node:crypto';
import { writeAudited } from '../audit/audited-transaction';
import { principalId, requestTime, type TenantContext } from '../context/tenant-context';
import { platformDocumentClient } from '../data/clients';
import { CustomDomainEntity } from '../data/entities/custom-domain';
import { SsoDomainEntity, type SsoDomainItem } from '../data/entities/sso-domain';
import { SsoDomainClaimEntity } from '../data/entities/sso-domain-claim';
import { ConflictError, NotFoundError } from '../errors';
import { DnsLookupError, dnsLookup, type DnsLookup } from '../custom-domains/dns-lookup';
import { displayDomain, normalizeDomain, pathDomain } from '../custom-domains/domain-name';
import { capturedDomainOf } from '../email-domain';
import { domainNameRules } from '../custom-domains/domain-service';

/** How many email domains one tenant may capture. */
export const MAX_SSO_DOMAINS = 20;

/** The custom-domain states in which the tenant has proven control of the host. */
const PROVEN_CUSTOM_DOMAIN = new Set(['verified', 'provisioning', 'active', 'at_risk']);

export interface SsoDomainView {
  domain: string;
  displayName: string;
  state: 'pending' | 'verified';
  verification: { type: 'TXT'; name: string; value: string };
  verifiedBy: 'dns' | 'customDomain' | null;
  verifiedAt: string | null;
  lastCheckedAt: string | null;
  found: string[];
  lookupError: string | null;
  createdAt: string;
}

export function ssoChallengeName(domain: string): string {
  return `_tenantry-sso.${domain}`;
}

function challengeValue(token: string): string {
  return `tenantry-sso-verification=${token}`;
}

function toView(item: SsoDomainItem): SsoDomainView {
  return {
    domain: item.domain,
    displayName: displayDomain(item.domain),
    state: item.state,
    verification: {
      type: 'TXT',
      name: ssoChallengeName(item.domain),
      value: challengeValue(item.verificationToken),
    },
    verifiedBy: item.verifiedBy ?? null,
    verifiedAt: item.verifiedAt ?? null,
    lastCheckedAt: item.lastCheckedAt ?? null,
    found: item.found ?? [],
    lookupError: item.lookupError ?? null,
    createdAt: item.createdAt,
  };
}

function notFound(): NotFoundError {
  return new NotFoundError('The tenant captures no such domain.', 'sso_domain_not_found');
}

function taken(domain: string): ConflictError {
  return new ConflictError(`${domain} is captured by another tenant.`, 'sso_domain_taken');
}

function stored(domain: string): string {
  const name = pathDomain(domain);
  if (name === null) throw notFound();
  return name;
}

async function readDomain(ctx: TenantContext, domain: string): Promise<SsoDomainItem> {
  const item = (
    await SsoDomainEntity.get({ tenantId: ctx.tenantId, domain: stored(domain) }).go({ consistent: true })
  ).data;
  if (!item) throw notFound();
  return item;
}

export async function listSsoDomains(ctx: TenantContext): Promise<{ items: SsoDomainView[] }> {
  const result = await SsoDomainEntity.query.byTenant({ tenantId: ctx.tenantId }).go({ pages: 'all' });
  return { items: result.data.map(toView) };
}

/** Whether the tenant has proven control of this very name through its custom domains. */
async function provenByCustomDomain(tenantId: string, domain: string): Promise<boolean> {
  const custom = (await CustomDomainEntity.get({ tenantId, domain }).go({ consistent: true })).data;
  return custom !== null && PROVEN_CUSTOM_DOMAIN.has(custom.state);
}

/**
 * Makes a pending domain verified, and the domain this tenant's alone: the record and the guard in
 * one transaction, the guard put only where absent or already this tenant's (two tenants racing to
 * verify one domain: one wins, the other is 409 `sso_domain_taken`). Audited.
 */
async function markVerified(
  ctx: TenantContext,
  item: SsoDomainItem,
  verifiedBy: 'dns' | 'customDomain',
  found: string[],
  now: Date,
): Promise<SsoDomainItem> {
  const at = now.toISOString();
  await writeAudited(
    ctx,
    {
      action: 'sso.domain_verified',
      targetType: 'ssoDomain',
      targetId: item.domain,
      before: { state: item.state },
      after: { state: 'verified', verifiedBy },
    },
    ({ ssoDomain, ssoDomainClaim }) => ({
      domain: ssoDomain
        .patch({ tenantId: ctx.tenantId, domain: item.domain })
        .set({ state: 'verified', verifiedBy, verifiedAt: at, lastCheckedAt: at, found })
        .remove(['lookupError'])
        .commit(),
      claim: ssoDomainClaim
        .put({ domain: item.domain, tenantId: ctx.tenantId, createdAt: at, updatedAt: at })
        .where((attr, op) => `${op.notExists(attr.tenantId)} OR ${op.eq(attr.tenantId, ctx.tenantId)}`)
        .commit(),
    }),
    {
      rejections: { domain: notFound, claim: () => taken(item.domain) },
      now,
      client: platformDocumentClient,
    },
  );
  return {
    ...item,
    state: 'verified',
    verifiedBy,
    verifiedAt: at,
    lastCheckedAt: at,
    found,
    lookupError: undefined,
    updatedAt: at,
  };
}

/**
 * Adds an email domain for the tenant's identity provider, `pending` with a TXT record to add; a
 * domain the tenant has verified as a custom domain already is verified at once. A domain another
 * tenant has captured is refused.
 */
export async function addSsoDomain(
  ctx: TenantContext,
  input: { domain: string },
  now: Date = requestTime(ctx),
): Promise<SsoDomainView> {
  const domain = normalizeDomain(input.domain, domainNameRules());
  const [existing, claim] = await Promise.all([
    SsoDomainEntity.query
      .byTenant({ tenantId: ctx.tenantId })
      .go({ pages: 'all', attributes: ['domain'], consistent: true }),
    SsoDomainClaimEntity.get({ domain }).go({ consistent: true }),
  ]);
  if (existing.data.some((item) => item.domain === domain)) {
    throw new ConflictError(`${domain} is captured by this tenant already.`, 'sso_domain_exists');
  }
  if (claim.data && claim.data.tenantId !== ctx.tenantId) throw taken(domain);
  if (existing.data.length >= MAX_SSO_DOMAINS) {
    throw new ConflictError(`A tenant captures at most ${MAX_SSO_DOMAINS} domains.`, 'sso_domain_limit');
  }
  const item: SsoDomainItem = {
    tenantId: ctx.tenantId,
    domain,
    state: 'pending',
    verificationToken: randomBytes(18).toString('base64url'),
    createdBy: principalId(ctx.principal),
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
  await writeAudited(
    ctx,
    { action: 'sso.domain_added', targetType: 'ssoDomain', targetId: domain, after: { state: 'pending' } },
    ({ ssoDomain }) => ({ domain: ssoDomain.create(item).commit() }),
    {
      rejections: {
        domain: () => new ConflictError(`${domain} is captured by this tenant already.`, 'sso_domain_exists'),
      },
      now,
    },
  );
  if (await provenByCustomDomain(ctx.tenantId, domain)) {
    return toView(await markVerified(ctx, item, 'customDomain', [], now));
  }
  return toView(item);
}

export async function getSsoDomain(ctx: TenantContext, domain: string): Promise<SsoDomainView> {
  return toView(await readDomain(ctx, domain));
}

/**
 * Checks a pending domain now: the TXT values at `_tenantry-sso.<domain>` (or the tenant's custom
 * domain of the same name). Found: verified. Not found, or the lookup failed: stays pending, with what
 * was found or why the lookup failed recorded. A verified domain is answered as it is.
 */
export async function checkSsoDomain(
  ctx: TenantContext,
  domain: string,
  now: Date = requestTime(ctx),
  lookup: DnsLookup = dnsLookup(),
): Promise<SsoDomainView> {
  const item = await readDomain(ctx, domain);
  if (item.state === 'verified') return toView(item);
  if (await provenByCustomDomain(ctx.tenantId, item.domain)) {
    return toView(await markVerified(ctx, item, 'customDomain', [], now));
  }
  let found: string[] = [];
  let lookupError: string | undefined;
  try {
    found = await lookup.txt(ssoChallengeName(item.domain));
  } catch (error) {
    if (!(error instanceof DnsLookupError)) throw error;
    lookupError = error.message;
  }
  if (found.includes(challengeValue(item.verificationToken))) {
    return toView(await markVerified(ctx, item, 'dns', found, now));
  }
  const at = now.toISOString();
  const checked = { lastCheckedAt: at, found };
  const update = SsoDomainEntity.patch({ tenantId: ctx.tenantId, domain: item.domain }).set(checked);
  await (lookupError ? update.set({ lookupError }) : update.remove(['lookupError'])).go({ response: 'none' });
  return toView({ ...item, ...checked, lookupError, updatedAt: at });
}

/** Stops capturing a domain: the record and (if this tenant's) the guard, in one transaction. Audited. */
export async function removeSsoDomain(
  ctx: TenantContext,
  domain: string,
  now: Date = requestTime(ctx),
): Promise<void> {
  const item = await readDomain(ctx, domain);
  await writeAudited(
    ctx,
    {
      action: 'sso.domain_removed',
      targetType: 'ssoDomain',
      targetId: item.domain,
      before: { state: item.state },
    },
    ({ ssoDomain, ssoDomainClaim }) => ({
      domain: ssoDomain
        .delete({ tenantId: ctx.tenantId, domain: item.domain })
        .where((attr, op) => op.exists(attr.domain))
        .commit(),
      ...(item.state === 'verified'
        ? {
            claim: ssoDomainClaim
              .delete({ domain: item.domain })
              .where((attr, op) => op.eq(attr.tenantId, ctx.tenantId))
              .commit(),
          }
        : {}),
    }),
    { rejections: { domain: notFound, claim: notFound }, now, client: platformDocumentClient },
  );
}

/** The tenant that has captured an email address's domain, or `null`. */
export async function tenantCapturing(email: string): Promise<string | null> {
  const domain = capturedDomainOf(email);
  if (domain === null) return null;
  const claim = await SsoDomainClaimEntity.get({ domain }).go({ consistent: false });
  return claim.data?.tenantId ?? null;
}
