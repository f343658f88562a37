import { auditSourceOf } from '../audit/actor';
import { auditedAlsoIn } from '../audit/audited-transaction';
import { requestTime, type TenantContext } from '../context/tenant-context';
import { ChildTenantEntity, type ChildTenantItem } from '../data/entities/child-tenant';
import { readPage, tenantList, type Page } from '../data/page';
import { ConflictError } from '../errors';
import type { Payer } from '../model/child-billing';
import { isPoolable, type Allocation, type PlanId, type PoolableResource } from '../model/plans';
import type { TenantStatus } from '../model/tenant-status';
import { afterCountedTake, countedQuotaError, takeCounted } from '../quotas/counted-quota';
import { readTenant } from '../tenants/tenant-mutation';
import { provisionTenant, type ProvisionedTenant } from '../tenants/tenant-provisioning';

/** How far below a root partner a tenant may be: a partner's customer's customer's… four levels. */
export const MAX_HIERARCHY_DEPTH = 4;

export interface ChildTenantView {
  id: string;
  name: string;
  slug: string;
  plan: PlanId;
  status: TenantStatus;
  parentId: string;
  /** 1 for the caller's own child, 2 for a grandchild… */
  depth: number;
  /** The slices of the caller's limits it gave this child (its own children only). */
  allocation: Allocation;
  /** The monthly resources it draws from the caller's pool (its own children only). */
  pooled: PoolableResource[];
  /** Who pays for it (its parent's copy: `partner` when the caller does). */
  paidBy: Payer;
  createdAt: string;
}

function toView(item: ChildTenantItem): ChildTenantView {
  return {
    id: item.childId,
    name: item.name,
    slug: item.slug,
    plan: item.plan,
    status: item.status,
    parentId: item.parentId,
    depth: item.depth,
    allocation: (item.allocation ?? {}) as Allocation,
    pooled: (item.pooled ?? []).filter(isPoolable),
    paidBy: item.billedTo && item.billedTo === item.parentId ? 'partner' : 'child',
    createdAt: item.createdAt,
  };
}

export interface ChildTenantInput {
  name: string;
  slug: string;
  owner: { email: string; name?: string | undefined };
}

/**
 * A partner creates a tenant for a customer, below itself: the customer's owner is invited by email
 * and owns it; the partner gets no access to it (a delegation the owner approves gives that). One
 * transaction makes the tenant as any provisioning does, takes one of the partner's `childTenants`,
 * records the child in the partner's partition and in each of its ancestors' (so each lists its
 * subtree from its own), and audits the creation in both the new tenant and the partner. The child
 * starts on the Free plan and buys its own.
 */
export async function createChildTenant(
  ctx: TenantContext,
  input: ChildTenantInput,
  now: Date = requestTime(ctx),
): Promise<ProvisionedTenant> {
  const parent = await readTenant(ctx);
  const ancestorIds = [...(parent.ancestorIds ?? []), parent.tenantId];
  if (ancestorIds.length > MAX_HIERARCHY_DEPTH) {
    throw new ConflictError(
      `A tenant may be at most ${MAX_HIERARCHY_DEPTH} levels below its root partner; this one is at the deepest already.`,
      'hierarchy_too_deep',
      { maxDepth: MAX_HIERARCHY_DEPTH },
    );
  }
  const source = auditSourceOf(ctx);
  const at = now.toISOString();
  const created = await provisionTenant({ ...input, plan: 'free' }, () => source, now, undefined, {
    parentId: parent.tenantId,
    ancestorIds,
    alsoWrite: (entities, tenant) => ({
      quota: takeCounted(entities.quotaCounter, ctx, 'childTenants', 1, now),
      ...Object.fromEntries(
        ancestorIds.map((ancestorId, index) => [
          `subtree${index}`,
          entities.childTenant
            .create({
              tenantId: ancestorId,
              childId: tenant.tenantId,
              parentId: parent.tenantId,
              depth: ancestorIds.length - index,
              name: tenant.name,
              slug: tenant.slug,
              plan: tenant.plan,
              status: tenant.status,
              createdAt: at,
              updatedAt: at,
            })
            .commit(),
        ]),
      ),
      partnerAudit: auditedAlsoIn(
        entities,
        ctx.tenantId,
        source,
        {
          action: 'tenant.child_created',
          targetType: 'tenant',
          targetId: tenant.tenantId,
          after: { name: tenant.name, slug: tenant.slug, owner: input.owner.email },
        },
        now,
      ),
    }),
    rejections: { quota: () => countedQuotaError(ctx, 'childTenants') },
  });
  await afterCountedTake(ctx, 'childTenants', now);
  return created;
}

/**
 * The caller's subtree, a page at a time, from its own partition: each tenant below it with its
 * name, plan and status (kept in step by every change of them), and where it hangs.
 */
export async function listChildTenants(
  ctx: TenantContext,
  query: { limit: number; cursor?: string | undefined },
): Promise<Page<ChildTenantView>> {
  return readPage(
    tenantList(ctx, 'children'),
    query,
    (from) => ChildTenantEntity.query.byTenant({ tenantId: ctx.tenantId }).go(from),
    toView,
  );
}
