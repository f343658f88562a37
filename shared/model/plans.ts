/**
 * Plans as data, the one catalogue: what each plan allows and costs. `null` means unlimited. Periodic
 * limits are per calendar month (UTC); counted limits are totals at any moment. A tenant may carry
 * overrides per limit. Where each number comes from, and why: docs/plans.md.
 */
export const PLAN_IDS = ['free', 'starter', 'professional', 'business', 'enterprise', 'partner'] as const;
export type PlanId = (typeof PLAN_IDS)[number];

export const DEFAULT_PLAN: PlanId = 'free';

/** Resources counted as a standing total: a create takes, a delete gives back. */
export const COUNTED_RESOURCES = [
  'users',
  'agents',
  'projects',
  'apiKeys',
  'storageBytes',
  /** The tenants a partner created under it (its direct children). */
  'childTenants',
] as const;
/** How a metered resource is named and billed (see {@link METERED_RESOURCES}). */
export interface MeterDefinition {
  /** One unit, as people read it ("token"). */
  unit: string;
  /** More than one ("tokens"). */
  units: string;
  description: string;
  /**
   * The Stripe meter its overage is reported to: the event name `npm run stripe:setup` makes the
   * meter with and the monthly close sends the overage under.
   */
  stripeMeter: string;
}

/**
 * The monthly resources the platform's own services record through the usage API
 * (`POST /v1/tenants/{tenantId}/usage`, `docs/usage-api.md`): model gateways their tokens, tool
 * runners their tool calls. Each is declared here once; its limit and overage price are each plan's
 * (`limits`, `overagePrices` below). A new one is a line here and a number in each plan: the usage
 * API accepts it, the quota report, thresholds, usage series and monthly close count it, and Stripe
 * bills its overage, with no code.
 */
export const METERED_RESOURCES = {
  tokens: {
    unit: 'token',
    units: 'tokens',
    description: 'Model tokens, input and output together (a run reports its own when it completes).',
    stripeMeter: 'tenantry_tokens_overage',
  },
  toolCalls: {
    unit: 'tool call',
    units: 'tool calls',
    description: 'Calls the tenant’s agents make to tools through the platform’s tool runners.',
    stripeMeter: 'tenantry_toolCalls_overage',
  },
} as const satisfies Record<string, MeterDefinition>;
export type MeteredResource = keyof typeof METERED_RESOURCES;
/** The most one usage record may carry: larger amounts are split by the caller (or are a bug). */
export const MAX_USAGE_AMOUNT = 1_000_000_000;
export const METERED_RESOURCE_NAMES = Object.keys(METERED_RESOURCES) as [
  MeteredResource,
  ...MeteredResource[],
];
export function isMetered(resource: string): resource is MeteredResource {
  return Object.hasOwn(METERED_RESOURCES, resource);
}

/**
 * Resources consumed per calendar month; a new month is a new counter. Runs and API calls are
 * metered by Tenantry's own routes; the rest are the {@link METERED_RESOURCES}.
 */
export const PERIODIC_RESOURCES = [
  'runs',
  ...METERED_RESOURCE_NAMES.filter((resource) => resource === 'tokens'),
  'apiCalls',
  ...METERED_RESOURCE_NAMES.filter((resource) => resource !== 'tokens'),
] as readonly PeriodicResource[] as readonly [PeriodicResource, ...PeriodicResource[]];
export const QUOTA_RESOURCES = [...COUNTED_RESOURCES, ...PERIODIC_RESOURCES] as const;

export type CountedResource = (typeof COUNTED_RESOURCES)[number];
export type PeriodicResource = 'runs' | 'apiCalls' | MeteredResource;
export type QuotaResource = CountedResource | PeriodicResource;

/**
 * What a partner may give a child a slice of (its own limits, less what it gave): every quota but
 * the tenants below (a child's children are its own to give).
 */
export const ALLOCATABLE_RESOURCES = QUOTA_RESOURCES.filter(
  (resource): resource is Exclude<QuotaResource, 'childTenants'> => resource !== 'childTenants',
);
export type AllocatableResource = (typeof ALLOCATABLE_RESOURCES)[number];
/** Slices by resource: a child's (what it was given), or a partner's total (what it gave). */
export type Allocation = Partial<Record<AllocatableResource, number>>;
/**
 * What a partner may pool with a child instead of slicing: the monthly consumables (runs, tokens),
 * whose use the child then counts on the partner’s own counter, under the partner’s limit. Standing
 * totals (users, agents, storage) are sliced, and API calls are not pooled: their counter also
 * carries each tenant’s own per-minute window.
 */
export const POOLABLE_RESOURCES = ['runs', 'tokens'] as const;
export type PoolableResource = (typeof POOLABLE_RESOURCES)[number];
export function isPoolable(resource: string): resource is PoolableResource {
  return (POOLABLE_RESOURCES as readonly string[]).includes(resource);
}

export const LIMIT_NAMES = [...QUOTA_RESOURCES, 'requestsPerMinute'] as const;
export type LimitName = QuotaResource | 'requestsPerMinute';
export type Limits = Record<LimitName, number | null>;

/** What a plan sells beyond its limits: only what the API checks (a feature is sold once it exists). */
export const FEATURE_FLAGS = ['auditExport', 'webhooks', 'customDomains', 'sso', 'partners'] as const;
export type FeatureFlag = (typeof FEATURE_FLAGS)[number];

/** Each feature as people read it (the console's plan cards, emails). */
export const FEATURE_NAMES: Record<FeatureFlag, string> = {
  auditExport: 'Audit log export (NDJSON, CSV)',
  webhooks: 'Webhooks',
  customDomains: 'Custom domains (verified by DNS, served over TLS)',
  sso: 'Single sign-on through your identity provider (OIDC or SAML)',
  partners: 'Partner hierarchy (tenants of your own customers, under yours)',
};

/** A price in the currency's minor unit (cents). */
export interface Money {
  amount: number;
  currency: 'usd';
}

/** What one block of a monthly resource past its limit costs (within the plan's grace). */
export interface OveragePrice {
  /** Units per billed block (e.g. 1,000 tokens). */
  per: number;
  price: Money;
}

/**
 * What happens at a monthly resource's limit, per plan and resource (`docs/usage-api.md`, "Quota
 * policies"):
 * - `refuse`: nothing is admitted past the limit;
 * - `overage`: use past the limit is admitted up to `upToPercent` of it more, billed as overage;
 *   with `forHours`, only for that many hours from the first unit past the limit, then refused until
 *   the next month;
 * - `suspend`: overage is admitted as above, and a tenant still past the limit `afterHours` after it
 *   first went past it is suspended (its owners are told when it goes past, with the time), until it
 *   moves to a plan it is within or the next month begins.
 */
export type QuotaPolicy =
  | { kind: 'refuse' }
  | { kind: 'overage'; upToPercent: number; forHours: number | null }
  | { kind: 'suspend'; upToPercent: number; afterHours: number };
export const QUOTA_POLICY_KINDS = ['refuse', 'overage', 'suspend'] as const;

/**
 * The classes of a tenant's data kept for a time: its audit log, its usage records (the usage API's
 * log), its runs that ended, and its agents' memory items.
 */
export const DATA_CLASSES = ['auditEvents', 'usageEvents', 'runs', 'memoryItems'] as const;
export type DataClass = (typeof DATA_CLASSES)[number];

/**
 * Days each data class is kept, counted from the item's creation, while the tenant is active
 * (`null`: for as long as the tenant exists). A suspended tenant's data is kept whole; a deleted
 * tenant's is kept until its purge at the end of the deletion window, which removes all of it. The
 * daily `data-retention` job deletes what is past its days (`jobs/data-retention.ts`); the table
 * of every plan's numbers is in docs/plans.md.
 */
export type Retention = {
  auditEvents: number;
  usageEvents: number;
  /** At least the months the daily reconciliation recounts runs for (this one and the last). */
  runs: number | null;
  memoryItems: number | null;
};

export interface Plan {
  id: PlanId;
  name: string;
  /** The monthly subscription price; `null` for a plan sold by contract (not through checkout). */
  monthlyPrice: Money | null;
  /** Overage prices of the monthly resources, for plans with a grace (none bill overage otherwise). */
  overagePrices: Partial<Record<PeriodicResource, OveragePrice>>;
  limits: Limits;
  /** How long each class of the tenant's data is kept while it is active (see {@link Retention}). */
  retention: Retention;
  features: readonly FeatureFlag[];
  /** Extra use of periodic resources allowed past the limit, billed as overage (percent of the limit). */
  graceOveragePercent: number;
  /**
   * The policy of a monthly resource where it is not the plan's grace (`overage` up to
   * `graceOveragePercent`, with no time limit; `refuse` with no grace): see {@link QuotaPolicy}.
   */
  quotaPolicies?: Partial<Record<PeriodicResource, QuotaPolicy>>;
  /** The plan a quota answer offers next; `null` where only a conversation with sales goes further. */
  upgradeTo: PlanId | null;
}

const MB = 1024 * 1024;
const GB = 1024 * MB;

/** Business: SSO without a contract (see docs/plans.md); the Partner plan builds on it. */
const BUSINESS: Plan = {
  id: 'business',
  name: 'Business',
  monthlyPrice: { amount: 79_900, currency: 'usd' },
  overagePrices: {
    runs: { per: 1, price: { amount: 1, currency: 'usd' } },
    tokens: { per: 1_000, price: { amount: 1, currency: 'usd' } },
    apiCalls: { per: 1_000, price: { amount: 2, currency: 'usd' } },
    toolCalls: { per: 1_000, price: { amount: 30, currency: 'usd' } },
  },
  limits: {
    users: 250,
    agents: 500,
    projects: 100,
    apiKeys: 250,
    storageBytes: 100 * GB,
    childTenants: 0,
    runs: 100_000,
    tokens: 100_000_000,
    apiCalls: 5_000_000,
    toolCalls: 1_000_000,
    requestsPerMinute: 3_000,
  },
  retention: { auditEvents: 180, usageEvents: 180, runs: 730, memoryItems: null },
  features: ['auditExport', 'webhooks', 'customDomains', 'sso'],
  graceOveragePercent: 25,
  upgradeTo: 'enterprise',
};

export const PLANS: Readonly<Record<PlanId, Plan>> = {
  free: {
    id: 'free',
    name: 'Free',
    monthlyPrice: { amount: 0, currency: 'usd' },
    overagePrices: {},
    limits: {
      users: 3,
      agents: 3,
      projects: 1,
      apiKeys: 2,
      storageBytes: 10 * MB,
      childTenants: 0,
      runs: 100,
      tokens: 100_000,
      apiCalls: 10_000,
      toolCalls: 1_000,
      requestsPerMinute: 60,
    },
    retention: { auditEvents: 7, usageEvents: 7, runs: 90, memoryItems: 90 },
    features: [],
    graceOveragePercent: 0,
    upgradeTo: 'starter',
  },
  starter: {
    id: 'starter',
    name: 'Starter',
    monthlyPrice: { amount: 2_900, currency: 'usd' },
    overagePrices: {
      runs: { per: 1, price: { amount: 2, currency: 'usd' } },
      tokens: { per: 1_000, price: { amount: 1, currency: 'usd' } },
      apiCalls: { per: 1_000, price: { amount: 5, currency: 'usd' } },
      toolCalls: { per: 1_000, price: { amount: 50, currency: 'usd' } },
    },
    limits: {
      users: 10,
      agents: 10,
      projects: 3,
      apiKeys: 10,
      storageBytes: 1 * GB,
      childTenants: 0,
      runs: 2_000,
      tokens: 2_000_000,
      apiCalls: 100_000,
      toolCalls: 20_000,
      requestsPerMinute: 300,
    },
    retention: { auditEvents: 30, usageEvents: 62, runs: 180, memoryItems: null },
    features: [],
    graceOveragePercent: 10,
    // Tool calls past the limit for three days at most (docs/plans.md).
    quotaPolicies: { toolCalls: { kind: 'overage', upToPercent: 10, forHours: 72 } },
    upgradeTo: 'professional',
  },
  professional: {
    id: 'professional',
    name: 'Professional',
    monthlyPrice: { amount: 29_900, currency: 'usd' },
    overagePrices: {
      runs: { per: 1, price: { amount: 1, currency: 'usd' } },
      tokens: { per: 1_000, price: { amount: 1, currency: 'usd' } },
      apiCalls: { per: 1_000, price: { amount: 3, currency: 'usd' } },
      toolCalls: { per: 1_000, price: { amount: 40, currency: 'usd' } },
    },
    limits: {
      users: 50,
      agents: 100,
      projects: 20,
      apiKeys: 50,
      storageBytes: 10 * GB,
      childTenants: 0,
      runs: 20_000,
      tokens: 20_000_000,
      apiCalls: 1_000_000,
      toolCalls: 200_000,
      requestsPerMinute: 1_200,
    },
    retention: { auditEvents: 90, usageEvents: 90, runs: 365, memoryItems: null },
    features: ['auditExport', 'webhooks', 'customDomains'],
    graceOveragePercent: 20,
    // Tool calls past the limit for two days, then a suspension until a larger plan or the next month.
    quotaPolicies: { toolCalls: { kind: 'suspend', upToPercent: 20, afterHours: 48 } },
    upgradeTo: 'business',
  },
  business: BUSINESS,
  enterprise: {
    id: 'enterprise',
    name: 'Enterprise',
    monthlyPrice: null,
    overagePrices: {},
    limits: {
      users: null,
      agents: null,
      projects: null,
      apiKeys: null,
      storageBytes: null,
      childTenants: null,
      runs: null,
      tokens: null,
      apiCalls: null,
      toolCalls: null,
      requestsPerMinute: null,
    },
    retention: { auditEvents: 365, usageEvents: 365, runs: null, memoryItems: null },
    features: ['auditExport', 'webhooks', 'customDomains', 'sso', 'partners'],
    graceOveragePercent: 0,
    upgradeTo: null,
  },
  partner: {
    ...BUSINESS,
    id: 'partner',
    name: 'Partner',
    monthlyPrice: { amount: 99_900, currency: 'usd' },
    // Business's limits for its own use, and the tenants of its customers below it.
    limits: { ...BUSINESS.limits, childTenants: 100 },
    features: ['auditExport', 'webhooks', 'customDomains', 'sso', 'partners'],
    upgradeTo: null,
  },
};

/** The next plan up, for "how to upgrade" in a quota answer. */
export function nextPlan(plan: PlanId): PlanId | null {
  return PLANS[plan].upgradeTo;
}

export function isPeriodic(resource: QuotaResource): resource is PeriodicResource {
  return (PERIODIC_RESOURCES as readonly string[]).includes(resource);
}

export type LimitOverrides = Partial<Limits>;

/** The plan's limits with the tenant's overrides applied. */
export function effectiveLimits(plan: PlanId, overrides: LimitOverrides | undefined): Limits {
  return { ...PLANS[plan].limits, ...(overrides ?? {}) };
}

/**
 * The hard ceiling enforced for a resource: the limit, plus the plan's grace overage for periodic
 * resources (use past the limit is billed as overage). `null` is unlimited.
 */
export function enforcedCeiling(
  plan: PlanId,
  resource: QuotaResource,
  limit: number | null,
  /** A limit that is a partner's slice is hard: no grace past what was given. */
  hard = false,
): number | null {
  if (limit === null) return null;
  if (hard || !isPeriodic(resource)) return limit;
  return ceilingUnder(quotaPolicyOf(plan, resource), limit);
}

/** The ceiling a policy admits use under: the limit, and the overage it allows past it. */
export function ceilingUnder(policy: QuotaPolicy, limit: number | null): number | null {
  if (limit === null || policy.kind === 'refuse') return limit;
  return Math.floor(limit * (1 + policy.upToPercent / 100));
}

/** The policy at a monthly resource's limit on a plan: its own, or the plan's grace. */
export function quotaPolicyOf(plan: PlanId, resource: PeriodicResource): QuotaPolicy {
  const own = PLANS[plan].quotaPolicies?.[resource];
  if (own) return own;
  const grace = PLANS[plan].graceOveragePercent;
  return grace > 0 ? { kind: 'overage', upToPercent: grace, forHours: null } : { kind: 'refuse' };
}
