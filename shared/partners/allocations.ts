import { auditSourceOf } from '../audit/actor';
import { auditedAlsoIn, writeAudited } from '../audit/audited-transaction';
import { requestTime, type TenantContext } from '../context/tenant-context';
import { forgetTenant } from '../data/cached-records';
import { platformDocumentClient } from '../data/clients';
import { ChildTenantEntity } from '../data/entities/child-tenant';
import { TenantEntity } from '../data/entities/tenant';
import type { TransactionEntities } from '../data/service';
import { ConflictError, NotFoundError, ValidationError } from '../errors';
import { ownLimits, poolsDrawn, type LimitSources } from '../model/entitlements';
import {
  ALLOCATABLE_RESOURCES,
  POOLABLE_RESOURCES,
  type Allocation,
  type AllocatableResource,
  type PoolableResource,
} from '../model/plans';

export interface AllocationView {
  childId: string;
  /** What the child was given: its limit for each resource named, whatever its plan's. */
  allocation: Allocation;
  /** The monthly resources it draws from the partner's pool (its use counted on the partner's counter). */
  pooled: PoolableResource[];
  /** What the partner has given all its children, by resource, after this change. */
  partnerAllocated: Allocation;
}

/** How many times an allocation that met another on the partner's record is tried again. */
const ATTEMPTS = 5;

/** Another allocation changed the partner's slices since they were read: read again. */
class AllocationRaced extends ConflictError {
  constructor() {
    super('Other allocations kept changing the limits; retry.', 'concurrent_modification');
  }
}

/**
 * What a partner has given its children after one child's slices change from `before` to `next`:
 * the others' untouched, this child's replaced. Resources at zero are left out.
 */
export function totalsAfter(given: Allocation, before: Allocation, next: Allocation): Allocation {
  const totals: Allocation = {};
  for (const resource of ALLOCATABLE_RESOURCES) {
    const total = (given[resource] ?? 0) - (before[resource] ?? 0) + (next[resource] ?? 0);
    if (total > 0) totals[resource] = total;
  }
  return totals;
}

/**
 * The write of a partner's new totals given to its children, for a transaction: conditioned on the
 * allocation version read with them (a concurrent change fails it, and the caller reads again).
 */
export function partnerTotalsUpdate(
  entities: Pick<TransactionEntities, 'tenant'>,
  partnerId: string,
  totals: Allocation,
  version: number | undefined,
) {
  return entities.tenant
    .patch({ tenantId: partnerId })
    .set({ allocatedToChildren: totals, allocationVersion: (version ?? 0) + 1 })
    .where((attr, op) =>
      version === undefined ? op.notExists(attr.allocationVersion) : op.eq(attr.allocationVersion, version),
    )
    .commit();
}

/** The first resource whose total would pass the partner's own limit, if any. */
function overAllocated(
  limits: ReturnType<typeof ownLimits>,
  totals: Allocation,
  next: Allocation,
): { resource: AllocatableResource; limit: number; total: number } | undefined {
  for (const resource of Object.keys(next) as AllocatableResource[]) {
    const limit = limits[resource];
    const total = totals[resource] ?? 0;
    if (limit !== null && total > limit) return { resource, limit, total };
  }
  return undefined;
}

/**
 * One counter is the pool of one partner and its direct children: a partner that draws a resource
 * from its own partner's pool cannot pool it on, and a child that pools it with its own children
 * cannot start drawing it from a pool (their use would be on a counter nobody is limited by).
 */
async function assertPoolable(
  partner: LimitSources,
  childId: string,
  pooled: PoolableResource[],
): Promise<void> {
  const drawn = poolsDrawn(partner).find((resource) => pooled.includes(resource));
  if (drawn) {
    throw new ConflictError(
      `This tenant draws ${drawn} from its own partner’s pool: it cannot pool it with its children.`,
      'pool_nested',
      { resource: drawn },
    );
  }
  const grandchildren = await ChildTenantEntity.query
    .byTenant({ tenantId: childId })
    .go({ pages: 'all', client: platformDocumentClient });
  const pooling = grandchildren.data
    .filter((item) => item.depth === 1)
    .flatMap((item) => item.pooled ?? [])
    .find((resource): resource is PoolableResource => pooled.includes(resource as PoolableResource));
  if (pooling) {
    throw new ConflictError(
      `The child pools ${pooling} with its own children: it cannot draw it from a pool.`,
      'pool_nested',
      { resource: pooling },
    );
  }
}

/**
 * A partner gives one of its own children slices of its limits (a PUT: the slices named replace the
 * child's, a resource left out has none and follows the child's plan). The child's limit for each is
 * its slice, hard (no grace past it); the partner's own limit is what it has less what it gave. The
 * sum of what it gave never passes its own limit, however many allocations race: each is one
 * transaction conditioned on the partner's allocation version it read (a loser reads again and is
 * checked again), with the child's record, the partner's copy of it and the audit event in both.
 */
export async function allocateToChild(
  ctx: TenantContext,
  childId: string,
  input: { limits: Allocation; pooled?: PoolableResource[] | undefined },
): Promise<AllocationView> {
  const now = requestTime(ctx);
  const next: Allocation = Object.fromEntries(
    Object.entries(input.limits).filter(([, amount]) => typeof amount === 'number'),
  );
  const pooled = POOLABLE_RESOURCES.filter((resource) => input.pooled?.includes(resource));
  const both = pooled.find((resource) => next[resource] !== undefined);
  if (both) {
    throw new ValidationError(
      `A child either draws ${both} from the pool or is given a slice of it, not both.`,
      [{ path: 'pooled', message: `${both} is also in limits` }],
    );
  }
  for (let attempt = 1; ; attempt += 1) {
    const [summary, partner, child] = await Promise.all([
      ChildTenantEntity.get({ tenantId: ctx.tenantId, childId }).go({ consistent: true }),
      TenantEntity.get({ tenantId: ctx.tenantId }).go({ consistent: true }),
      TenantEntity.get({ tenantId: childId }).go({ client: platformDocumentClient, consistent: true }),
    ]);
    if (!summary.data || summary.data.depth !== 1 || !child.data || !partner.data) {
      throw new NotFoundError(
        'No tenant with this id directly below this one (a partner gives slices to its own children).',
        'child_not_found',
      );
    }
    if (child.data.status === 'deleted') {
      throw new ConflictError('The tenant has been deleted.', 'tenant_deleted');
    }
    if (pooled.length > 0) await assertPoolable(partner.data, childId, pooled);
    const before = (child.data.allocation ?? {}) as Allocation;
    const pooledBefore = child.data.pooled ?? [];
    // A child that stops drawing runs from the pool leaves this month's on the partner's counter:
    // the reconciliation recounts them there for two months more.
    const runsLeftPool = pooledBefore.includes('runs') && !pooled.includes('runs');
    const given = (partner.data.allocatedToChildren ?? {}) as Allocation;
    const totals = totalsAfter(given, before, next);
    const over = overAllocated(ownLimits(partner.data), totals, next);
    if (over) {
      throw new ConflictError(
        `The tenant’s ${over.resource} limit is ${over.limit}: its children would have ${over.total} of it.`,
        'allocation_exceeds_limit',
        {
          resource: over.resource,
          limit: over.limit,
          allocated: over.total - (next[over.resource] ?? 0),
          requested: next[over.resource] ?? 0,
        },
      );
    }
    const version = partner.data.allocationVersion;
    const change = {
      action: 'tenant.allocation_changed',
      targetType: 'tenant',
      targetId: childId,
      before: { allocation: before, pooled: pooledBefore },
      after: { allocation: next, pooled },
    };
    try {
      await writeAudited(
        ctx,
        change,
        (entities: TransactionEntities) => ({
          partner: partnerTotalsUpdate(entities, ctx.tenantId, totals, version),
          child: entities.tenant.patch({ tenantId: childId }).set({ allocation: next, pooled }).commit(),
          summary: entities.childTenant
            .patch({ tenantId: ctx.tenantId, childId })
            .set({ allocation: next, pooled, ...(runsLeftPool ? { poolEndedAt: now.toISOString() } : {}) })
            .commit(),
          childAudit: auditedAlsoIn(entities, childId, auditSourceOf(ctx), change, now),
        }),
        {
          now,
          client: platformDocumentClient,
          rejections: { partner: () => new AllocationRaced() },
        },
      );
      forgetTenant(ctx.tenantId);
      forgetTenant(childId);
      return { childId, allocation: next, pooled, partnerAllocated: totals };
    } catch (error) {
      if (!(error instanceof AllocationRaced) || attempt >= ATTEMPTS) throw error;
    }
  }
}
