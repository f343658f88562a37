import { QuotaCounterEntity } from '../data/entities/quota-counter';
import { UsageBucketEntity, type CAPACITY_SERIES } from '../data/entities/usage-bucket';
import { isConditionalFailure } from '../data/dynamo-errors';
import type { TransactionEntities } from '../data/service';
import { requestTime, type TenantContext } from '../context/tenant-context';
import { enforcedCeiling, PLANS, type PeriodicResource } from '../model/plans';
import { hourBucket, monthPeriod, secondsUntil, startOfNextMonth } from './periods';
import { QuotaExceededError } from './quota-exceeded-error';
import { emitThresholdEvents } from './thresholds';
import { expiresAfterDays } from '../data/ttl';

export interface Consumption {
  resource: PeriodicResource;
  amount: number;
  period: string;
  used: number;
  limit: number | null;
  /** The takes pending on the counter after this one (`quota-takes.ts`), when it was a take. */
  pending?: string[];
}

/** The 429 answer for a monthly resource: Retry-After until the month ends. */
export function periodQuotaExceeded(
  ctx: TenantContext,
  resource: PeriodicResource,
  ceiling: number,
  used: number,
  now: Date,
): QuotaExceededError {
  return new QuotaExceededError({
    resource,
    limit: ceiling,
    used,
    period: monthPeriod(now),
    plan: ctx.plan,
    retryAfterSeconds: secondsUntil(startOfNextMonth(now), now),
  });
}

/**
 * Adds `amount` to this month's counter with one conditional UpdateItem (`used + amount <= ceiling`),
 * with no read first: concurrent callers are serialised by DynamoDB and none overshoots. The month
 * is part of the key, so the first consumption of a month starts a fresh counter and the monthly
 * reset cannot race a request at midnight.
 */
export async function addToPeriodCounter(
  ctx: TenantContext,
  resource: PeriodicResource,
  amount: number,
  now: Date,
  takeId?: string,
): Promise<Consumption> {
  const period = monthPeriod(now);
  const limit = ctx.limits[resource];
  const ceiling = enforcedCeiling(ctx.plan, resource, limit, ctx.hardLimits?.has(resource));
  // A take for an operation is recorded as pending in the same write (quota-takes.ts).
  const update = QuotaCounterEntity.update({ tenantId: ctx.tenantId, resource, period })
    .add({ used: amount, ...(takeId ? { pending: [takeId] } : {}) })
    .set({ updatedAt: now.toISOString() });
  try {
    const result = await (
      ceiling === null
        ? update
        : update.where((attr, op) => `${op.notExists(attr.used)} OR ${op.lte(attr.used, ceiling - amount)}`)
    ).go({ response: 'updated_new' });
    const used = result.data?.used ?? amount;
    await emitThresholdEvents(ctx, { resource, period, before: used - amount, after: used, limit }, now);
    const pending = result.data?.pending;
    return { resource, amount, period, used, limit, ...(pending ? { pending: [...pending] } : {}) };
  } catch (error) {
    if (!isConditionalFailure(error) || ceiling === null) throw error;
    const current = await QuotaCounterEntity.get({ tenantId: ctx.tenantId, resource, period }).go({
      consistent: true,
    });
    throw periodQuotaExceeded(ctx, resource, ceiling, current.data?.used ?? 0, now);
  }
}

type Writers = Pick<TransactionEntities, 'quotaCounter' | 'usageBucket'>;

/**
 * The writes that record use which already happened (a run's tokens), for the same transaction as
 * the record of it: this month's counter and this hour's usage bucket, unconditionally. Use is never
 * refused after the fact; past the limit it is overage (billed within the plan's grace), and work
 * that would consume more is refused at its start ({@link assertPeriodicLeft}).
 */
export function recordPeriodic(
  writers: Writers,
  ctx: TenantContext,
  resource: PeriodicResource,
  amount: number,
  now: Date,
) {
  return {
    counter: writers.quotaCounter
      .update({ tenantId: ctx.tenantId, resource, period: monthPeriod(now) })
      .add({ used: amount })
      .set({ updatedAt: now.toISOString() })
      .commit(),
    bucket: writers.usageBucket
      .update({ tenantId: ctx.tenantId, resource, hour: hourBucket(now) })
      .add({ used: amount })
      .set({ expiresAt: retentionExpiry(ctx, now) })
      .commit(),
  };
}

/**
 * After {@link recordPeriodic} committed: the threshold events the use crossed, from the month's use
 * now (one read; none for an unlimited resource, which has no thresholds).
 */
export async function afterRecordedPeriodic(
  ctx: TenantContext,
  resource: PeriodicResource,
  amount: number,
  now: Date,
): Promise<void> {
  if (ctx.limits[resource] === null) return;
  const period = monthPeriod(now);
  const current = await QuotaCounterEntity.get({ tenantId: ctx.tenantId, resource, period }).go({
    consistent: true,
  });
  const used = current.data?.used ?? amount;
  const limit = ctx.limits[resource];
  await emitThresholdEvents(ctx, { resource, period, before: used - amount, after: used, limit }, now);
}

/** Adds to the hourly usage bucket: one atomic ADD, kept for the plan's retention. */
export async function addToUsageBucket(
  ctx: TenantContext,
  resource: PeriodicResource | (typeof CAPACITY_SERIES)[number],
  amount: number,
  now: Date,
): Promise<void> {
  await UsageBucketEntity.update({ tenantId: ctx.tenantId, resource, hour: hourBucket(now) })
    .add({ used: amount })
    .set({ expiresAt: retentionExpiry(ctx, now) })
    .go({ response: 'none' });
}

export function retentionExpiry(ctx: TenantContext, now: Date): number {
  return expiresAfterDays(now, PLANS[ctx.plan].retentionDays);
}

/**
 * Consumes a periodic resource: the month's counter, then the hour's usage bucket. (An operation's
 * take, `quota-takes.ts`, counts its hour's usage when it is kept.)
 */
export async function consumePeriodic(
  ctx: TenantContext,
  resource: PeriodicResource,
  amount: number,
  now: Date = requestTime(ctx),
): Promise<Consumption> {
  const consumption = await addToPeriodCounter(ctx, resource, amount, now);
  await addToUsageBucket(ctx, resource, amount, now);
  return consumption;
}

/**
 * Refuses when this month's use of a resource has already reached its ceiling (one read, no write):
 * for work that will consume it later, such as a run that must report its tokens.
 */
export async function assertPeriodicLeft(
  ctx: TenantContext,
  resource: PeriodicResource,
  now: Date,
): Promise<void> {
  const ceiling = enforcedCeiling(ctx.plan, resource, ctx.limits[resource], ctx.hardLimits?.has(resource));
  if (ceiling === null) return;
  const counter = await QuotaCounterEntity.get({
    tenantId: ctx.tenantId,
    resource,
    period: monthPeriod(now),
  }).go();
  const used = counter.data?.used ?? 0;
  if (used >= ceiling) throw periodQuotaExceeded(ctx, resource, ceiling, used, now);
}
