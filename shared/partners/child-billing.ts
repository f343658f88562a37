import { auditSourceOf } from '../audit/actor';
import { auditedAlsoIn, writeAudited } from '../audit/audited-transaction';
import { requestTime, type TenantContext } from '../context/tenant-context';
import { forgetTenant } from '../data/cached-records';
import { platformDocumentClient } from '../data/clients';
import { ChildTenantEntity } from '../data/entities/child-tenant';
import { TenantEntity } from '../data/entities/tenant';
import type { TransactionEntities } from '../data/service';
import { ConflictError, NotFoundError, ValidationError } from '../errors';
import { PARTNER_PAYABLE_PLANS, type Payer } from '../model/child-billing';
import { DEFAULT_PLAN, type PlanId } from '../model/plans';

export interface ChildBillingView {
  childId: string;
  paidBy: Payer;
  plan: PlanId;
}

/** Subscription states that are over: a child with one of these has no subscription of its own to pay. */
const ENDED_SUBSCRIPTION = ['canceled', 'incomplete_expired'];

/**
 * Who pays for one of a partner's own children. `partner`: the partner pays, on the plan it names
 * (one with a list price); each month's close puts the child's plan and its overage on the partner's
 * next Stripe invoice, a line each naming the child (`billing/overage-report.ts`), and the child
 * cannot check out a subscription of its own. A child that pays for a subscription of its own now
 * must end it first (`409 child_has_subscription`): the partner does not cancel what its customer
 * bought. `child`: the child pays its own way again, from the free plan (it checks out what it
 * wants). The child's record, every ancestor's summary of it and the audit event in both tenants are
 * one transaction, conditioned on the child's record as read (a subscription arriving meanwhile
 * fails it).
 */
export async function setChildBilling(
  ctx: TenantContext,
  childId: string,
  input: { paidBy: Payer; plan?: PlanId | undefined },
): Promise<ChildBillingView> {
  const now = requestTime(ctx);
  const [summary, child] = await Promise.all([
    ChildTenantEntity.get({ tenantId: ctx.tenantId, childId }).go({ consistent: true }),
    TenantEntity.get({ tenantId: childId }).go({ client: platformDocumentClient, consistent: true }),
  ]);
  if (!summary.data || summary.data.depth !== 1 || !child.data) {
    throw new NotFoundError(
      'No tenant with this id directly below this one (a partner pays for its own children).',
      'child_not_found',
    );
  }
  const current = child.data;
  if (current.status === 'deleted') throw new ConflictError('The tenant has been deleted.', 'tenant_deleted');
  const paidBefore: Payer = current.billedTo === ctx.tenantId ? 'partner' : 'child';
  let plan: PlanId;
  if (input.paidBy === 'partner') {
    if (!input.plan || !PARTNER_PAYABLE_PLANS.includes(input.plan)) {
      throw new ValidationError('A partner pays for a child on a plan with a list price.', [
        { path: 'plan', message: `must be one of ${PARTNER_PAYABLE_PLANS.join(', ')}` },
      ]);
    }
    if (current.subscriptionId && !ENDED_SUBSCRIPTION.includes(current.subscriptionStatus ?? '')) {
      throw new ConflictError(
        'The tenant pays for a subscription of its own; its owner ends it (the billing portal) before its partner pays.',
        'child_has_subscription',
        { subscriptionStatus: current.subscriptionStatus ?? null },
      );
    }
    plan = input.plan;
  } else {
    if (input.plan !== undefined) {
      throw new ValidationError('A child that pays its own way chooses its plan itself (checkout).', [
        { path: 'plan', message: 'only with paidBy partner' },
      ]);
    }
    // Back on its own: where it was when its partner took over is gone; it starts from free.
    plan = paidBefore === 'partner' ? DEFAULT_PLAN : current.plan;
  }
  if (paidBefore === input.paidBy && plan === current.plan) return { childId, paidBy: input.paidBy, plan };
  const change = {
    action: 'tenant.billing_changed',
    targetType: 'tenant',
    targetId: childId,
    before: { paidBy: paidBefore, plan: current.plan },
    after: { paidBy: input.paidBy, plan },
  };
  const ancestors = current.ancestorIds ?? [];
  await writeAudited(
    ctx,
    change,
    (entities: TransactionEntities) => ({
      child: (input.paidBy === 'partner'
        ? entities.tenant.patch({ tenantId: childId }).set({ plan, billedTo: ctx.tenantId })
        : entities.tenant.patch({ tenantId: childId }).set({ plan }).remove(['billedTo'])
      )
        .where((attr, op) => op.eq(attr.updatedAt, current.updatedAt))
        .commit(),
      // Every ancestor's summary follows the plan; the parent's says who pays.
      ...Object.fromEntries(
        ancestors.map((ancestorId, index) => {
          const patch = entities.childTenant.patch({ tenantId: ancestorId, childId });
          const own = ancestorId === ctx.tenantId;
          return [
            `ancestor${index}`,
            (own && input.paidBy === 'partner'
              ? patch.set({ plan, billedTo: ctx.tenantId, updatedAt: now.toISOString() })
              : own
                ? patch.set({ plan, updatedAt: now.toISOString() }).remove(['billedTo'])
                : patch.set({ plan, updatedAt: now.toISOString() })
            ).commit(),
          ];
        }),
      ),
      childAudit: auditedAlsoIn(entities, childId, auditSourceOf(ctx), change, now),
    }),
    {
      now,
      client: platformDocumentClient,
      rejections: {
        child: () => new ConflictError('The tenant changed meanwhile; retry.', 'concurrent_modification'),
      },
    },
  );
  forgetTenant(childId);
  return { childId, paidBy: input.paidBy, plan };
}
