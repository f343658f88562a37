import { ForbiddenError, NotFoundError, ValidationError } from '../errors';
import { isIdOf } from '../ids';
import type { Principal } from '../context/tenant-context';
import {
  CURRENT_TENANT,
  RESOLUTION_STRATEGIES,
  type ResolutionStrategy,
} from '../model/resolution-strategies';

/**
 * Names the tenant a request acts on by the configured strategies (`RESOLUTION_STRATEGIES`, in
 * shared/model). Resolution only names one: access still needs a membership, a key or platform-admin
 * power (tenant-access.ts).
 */
export { RESOLUTION_STRATEGIES, type ResolutionStrategy };

/** The tenant a caller acts on when the request names none: a person's default, a key's own. */
export function defaultTenantOf(principal: Principal): string | undefined {
  return principal.type === 'apiKey' ? principal.tenantId : principal.homeTenantId;
}

/** The strategies that name a tenant explicitly: two of them naming different tenants is a mismatch. */
const EXPLICIT: ReadonlySet<ResolutionStrategy> = new Set(['path', 'header', 'host', 'query']);

export interface ResolutionConfig {
  /** The strategies that apply, in the order that decides which one a response names. */
  order: readonly ResolutionStrategy[];
  /** The header's name, lower case. */
  header: string;
  /** The query parameter's name; `undefined` turns the strategy off. */
  queryParameter: string | undefined;
  /** Hosts `<slug>.<base domain>` name the tenant with that slug. */
  baseDomains: readonly string[];
  defaultTenantId: string | undefined;
  /**
   * Single-tenant mode: the default tenant is the only one. A request that names another is refused
   * (`tenant_mismatch`); one that names none acts on it, whatever the credential's own tenant.
   */
  singleTenant: boolean;
  /** The platform's own domains: never a tenant's custom domain (no lookup is made for them). */
  platformDomains: readonly string[];
  /**
   * A header that carries the host the caller asked for, set by the deployment's own CDN in front of
   * the API (CloudFront's distribution tenants); `undefined`: the request's host alone.
   */
  forwardedHostHeader: string | undefined;
}

/** How hosts are looked up: a base domain's slug, and a verified custom domain (both cached). */
export interface HostLookups {
  tenantOfSlug(slug: string): Promise<string | null>;
  tenantOfDomain(domain: string): Promise<{ tenantId: string; serving: boolean } | null>;
}

/** What names the request's tenant. */
export interface ResolutionInput {
  pathTenantId: string | undefined;
  headers: Readonly<Record<string, string | undefined>>;
  query: Readonly<Record<string, string | undefined>> | undefined;
  /** The host the request was sent to (API Gateway's `requestContext.domainName`), port and all. */
  host: string | undefined;
  principal: Principal;
}

export interface ResolvedTenant {
  tenantId: string;
  /** The first strategy, in the configured order, that named it (the `Tenant-Resolved-By` header). */
  resolvedBy: ResolutionStrategy;
}

/** A DNS label as slugs are made (lower-case letters, digits, inner hyphens; at most 63). */
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** The host without its port, lower case, without a trailing dot. */
export function hostName(host: string): string {
  const bare = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : (host.split(':')[0] ?? '');
  return bare.toLowerCase().replace(/\.$/, '');
}

/** Hosts no tenant can have: local names, and the endpoints AWS serves the platform at. */
const ALWAYS_OWN = ['localhost', 'amazonaws.com', 'cloudfront.net'];

/**
 * Whether a host may be a tenant's custom domain: not an IP literal, not a name that never reaches the
 * internet, not one of the platform's own (its base domains, configured domains, AWS's endpoints).
 */
export function mayBeCustomDomain(
  name: string,
  config: Pick<ResolutionConfig, 'platformDomains' | 'baseDomains'>,
): boolean {
  if (name === '' || name.startsWith('[') || /^[0-9.]+$/.test(name) || !name.includes('.')) return false;
  const under = (domain: string) => name === domain || name.endsWith(`.${domain}`);
  return !(ALWAYS_OWN.some(under) || config.platformDomains.some(under) || config.baseDomains.some(under));
}

/** The slug a host names under one of the base domains, or `undefined` when it is under none. */
export function slugOfHost(host: string, baseDomains: readonly string[]): string | undefined {
  const name = hostName(host);
  for (const base of baseDomains) {
    if (!name.endsWith(`.${base}`)) continue;
    const label = name.slice(0, -base.length - 1);
    // Only one label below the base: `a.b.example.com` names no tenant (nor does a malformed label).
    if (!LABEL.test(label)) {
      throw new NotFoundError(`No tenant answers at ${name}.`, 'tenant_host_unknown');
    }
    return label;
  }
  return undefined;
}

/** The host a request asked for: the CDN's forwarded header where one is configured, else its own. */
export function requestHost(
  headers: Readonly<Record<string, string | undefined>>,
  host: string | undefined,
  config: Pick<ResolutionConfig, 'forwardedHostHeader'>,
): string | undefined {
  return (config.forwardedHostHeader ? headers[config.forwardedHostHeader] : undefined) || host;
}

/**
 * The tenant a host names: the one whose slug it is under a base domain, or whose active custom domain
 * it is; `undefined` for the platform's own hosts (IP literals, local names, its own domains), which
 * leave the naming to the other strategies. Any other host names a tenant or is a 404 — one no tenant
 * holds, or holds but does not serve now (verified, not yet active; suspended) — never another tenant.
 */
export async function tenantOfHost(
  host: string,
  config: Pick<ResolutionConfig, 'baseDomains' | 'platformDomains'>,
  lookups: HostLookups,
): Promise<string | undefined> {
  const name = hostName(host);
  const unknown = () => new NotFoundError(`No tenant answers at ${name}.`, 'tenant_host_unknown');
  const slug = slugOfHost(name, config.baseDomains);
  if (slug !== undefined) {
    const tenantId = await lookups.tenantOfSlug(slug);
    if (!tenantId) throw unknown();
    return tenantId;
  }
  if (!mayBeCustomDomain(name, config)) return undefined;
  const held = await lookups.tenantOfDomain(name);
  if (!held?.serving) throw unknown();
  return held.tenantId;
}

/**
 * The tenant the request names, and by which strategy. Every explicit strategy (path, header, host,
 * query) that names one must name the same (else `403 tenant_mismatch`); a malformed id is a 400 and
 * an unknown host a 404 before anything is read for it. An API key names its own tenant: a request
 * naming another is refused later, when the grant is checked. With nothing explicit, the credential
 * (a key's tenant, a person's default) and then the deployment's default apply, as configured.
 */
export async function resolveTenant(
  input: ResolutionInput,
  config: ResolutionConfig,
  lookups: HostLookups,
): Promise<ResolvedTenant | undefined> {
  const named: Array<{ by: ResolutionStrategy; tenantId: string }> = [];
  for (const by of config.order) {
    const tenantId = await nameBy(by, input, config, lookups);
    if (tenantId !== undefined) named.push({ by, tenantId });
  }
  const explicit = named.filter((entry) => EXPLICIT.has(entry.by));
  if (config.singleTenant && config.defaultTenantId) {
    const other = explicit.find((entry) => entry.tenantId !== config.defaultTenantId);
    if (other) {
      throw new ForbiddenError(
        `This deployment serves one tenant; the request's ${words(other.by, config)} names another.`,
        'tenant_mismatch',
      );
    }
    const [chosen] = explicit;
    return chosen
      ? { tenantId: chosen.tenantId, resolvedBy: chosen.by }
      : { tenantId: config.defaultTenantId, resolvedBy: 'default' };
  }
  const [first] = explicit;
  if (first) {
    const other = explicit.find((entry) => entry.tenantId !== first.tenantId);
    if (other) {
      throw new ForbiddenError(
        `The request's ${words(first.by, config)} and ${words(other.by, config)} name different tenants.`,
        'tenant_mismatch',
      );
    }
    return { tenantId: first.tenantId, resolvedBy: first.by };
  }
  const [fallback] = named;
  return fallback ? { tenantId: fallback.tenantId, resolvedBy: fallback.by } : undefined;
}

function words(by: ResolutionStrategy, config: ResolutionConfig): string {
  if (by === 'header') return `${config.header} header`;
  if (by === 'query') return `${config.queryParameter ?? 'tenant'} query parameter`;
  return by;
}

/** A tenant id a request names, checked before it is looked up: a malformed one is a 400. */
function tenantIdNamed(value: string | undefined, where: string): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (!isIdOf('tenant', value)) {
    throw new ValidationError('The tenant named by the request is not a tenant id.', [
      { path: where, message: 'must be a tenant id (ten_…)' },
    ]);
  }
  return value;
}

async function nameBy(
  by: ResolutionStrategy,
  input: ResolutionInput,
  config: ResolutionConfig,
  lookups: HostLookups,
): Promise<string | undefined> {
  switch (by) {
    case 'path':
      // `current` names nothing: the other strategies do (`/v1/tenants/current/agents` at a host).
      return input.pathTenantId === CURRENT_TENANT
        ? undefined
        : tenantIdNamed(input.pathTenantId, 'tenantId');
    case 'header':
      return tenantIdNamed(input.headers[config.header], config.header);
    case 'query':
      return config.queryParameter
        ? tenantIdNamed(input.query?.[config.queryParameter], config.queryParameter)
        : undefined;
    case 'host': {
      const host = requestHost(input.headers, input.host, config);
      return host ? tenantOfHost(host, config, lookups) : undefined;
    }
    case 'credential':
      return defaultTenantOf(input.principal);
    case 'default':
      return config.defaultTenantId;
  }
}
