import { QuotaCounterEntity, STANDING_PERIOD } from '../data/entities/quota-counter';
import type { TransactionEntities } from '../data/service';
import type { TenantContext } from '../context/tenant-context';
import type { CountedResource } from '../model/plans';
import { ceilingOf } from './quota-policies';
import { QuotaExceededError } from './quota-exceeded-error';
import { emitThresholdEvents } from './thresholds';

type QuotaWriter = TransactionEntities['quotaCounter'];

/**
 * The counter update that takes `amount` of a counted resource, for the same TransactWriteItems as
 * the create it pays for: conditional on `used + amount <= limit`, so concurrent creates cannot pass
 * the limit together. An amount above the limit on its own is refused before any write.
 */
export function takeCounted(
  quota: QuotaWriter,
  ctx: TenantContext,
  resource: CountedResource,
  amount: number,
  now: Date,
) {
  const ceiling = ceilingOf(ctx, resource);
  if (ceiling !== null && amount > ceiling) {
    throw new QuotaExceededError({
      resource,
      limit: ceiling,
      used: 0,
      period: STANDING_PERIOD,
      plan: ctx.plan,
    });
  }
  const update = quota
    .update({ tenantId: ctx.tenantId, resource, period: STANDING_PERIOD })
    .add({ used: amount })
    .set({ updatedAt: now.toISOString() });
  return ceiling === null
    ? update.commit()
    : update
        .where((attr, op) => `${op.notExists(attr.used)} OR ${op.lte(attr.used, ceiling - amount)}`)
        .commit();
}

/** The counter update that gives `amount` back (a delete), never below zero. */
export function giveBackCounted(
  quota: QuotaWriter,
  ctx: Pick<TenantContext, 'tenantId'>,
  resource: CountedResource,
  amount: number,
  now: Date,
) {
  return quota
    .update({ tenantId: ctx.tenantId, resource, period: STANDING_PERIOD })
    .subtract({ used: amount })
    .set({ updatedAt: now.toISOString() })
    .where((attr, op) => op.gte(attr.used, amount))
    .commit();
}

export async function countedUse(ctx: TenantContext, resource: CountedResource): Promise<number> {
  const result = await QuotaCounterEntity.get({
    tenantId: ctx.tenantId,
    resource,
    period: STANDING_PERIOD,
  }).go({
    consistent: true,
  });
  return result.data?.used ?? 0;
}

/** The error to answer when the counter update of a transaction was refused. */
export async function countedQuotaError(
  ctx: TenantContext,
  resource: CountedResource,
): Promise<QuotaExceededError> {
  return new QuotaExceededError({
    resource,
    limit: ceilingOf(ctx, resource) ?? 0,
    used: await countedUse(ctx, resource),
    period: STANDING_PERIOD,
    plan: ctx.plan,
  });
}

/**
 * After a committed take: emit the threshold events the standing total has reached. The total is
 * read after the commit, so concurrent creates may see the same total; every reached threshold is
 * offered and the event item's `attribute_not_exists` keeps each one to a single event.
 */
export async function afterCountedTake(
  ctx: TenantContext,
  resource: CountedResource,
  now: Date,
): Promise<void> {
  const limit = ctx.limits[resource];
  if (limit === null) return;
  const used = await countedUse(ctx, resource);
  await emitThresholdEvents(ctx, { resource, period: STANDING_PERIOD, before: 0, after: used, limit }, now);
}
