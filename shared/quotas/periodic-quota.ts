import { QuotaCounterEntity } from '../data/entities/quota-counter';
import { UsageBucketEntity, type CAPACITY_SERIES } from '../data/entities/usage-bucket';
import { isConditionalFailure } from '../data/dynamo-errors';
import type { TransactionEntities } from '../data/service';
import { requestTime, type TenantContext } from '../context/tenant-context';
import { PLANS, type PeriodicResource } from '../model/plans';
import { counterClient, counterOwner, poolOf } from './pools';
import { afterUse, ceilingNow, ceilingOf, overageWindowStart, policyFor } from './quota-policies';
import { hourBucket, monthPeriod, secondsUntil, startOfNextMonth } from './periods';
import { QuotaExceededError } from './quota-exceeded-error';
import { emitThresholdEvents } from './thresholds';
import { expiresAfterDays } from '../data/ttl';
import { platformDocumentClient } from '../data/clients';

export interface Consumption {
  resource: PeriodicResource;
  amount: number;
  period: string;
  used: number;
  limit: number | null;
  /** The takes pending on the counter after this one (`quota-takes.ts`), when it was a take. */
  pending?: string[];
  /** When the month's use went past the limit, under a policy that counts time past it. */
  overSince?: string;
}

/**
 * The month's counter a tenant's use of a resource goes on (its partner's for a pool), the
 * client it is read and written with, and whose threshold events its crossings are.
 */
export function periodCounter(ctx: TenantContext, resource: PeriodicResource, period: string) {
  const owner = counterOwner(ctx, resource);
  const client = counterClient(ctx, resource);
  const pool = poolOf(ctx, resource);
  return {
    key: { tenantId: owner, resource, period },
    options: client ? { client } : {},
    thresholdsOf: pool ? { tenantId: pool.tenantId, plan: pool.plan, client } : ctx,
  };
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
  /** A take for an operation, recorded as pending in the same write (quota-takes.ts). */
  pendingMember?: string,
): Promise<Consumption> {
  const period = monthPeriod(now);
  const limit = ctx.limits[resource];
  const ceiling = ceilingOf(ctx, resource);
  const counter = periodCounter(ctx, resource, period);
  // An `overage` policy with hours admits past the limit only within them (`quota-policies.ts`).
  const windowStart = limit === null ? null : overageWindowStart(policyFor(ctx, resource), now);
  const update = QuotaCounterEntity.update(counter.key)
    .add({ used: amount, ...(pendingMember ? { pending: [pendingMember] } : {}) })
    .set({ updatedAt: now.toISOString() });
  try {
    const result = await (
      ceiling === null && !pendingMember
        ? update
        : update.where((attr, op) => {
            const room =
              ceiling === null
                ? ''
                : windowStart === null || limit === null
                  ? `${op.notExists(attr.used)} OR ${op.lte(attr.used, ceiling - amount)}`
                  : `${op.notExists(attr.used)} OR ${op.lte(attr.used, limit - amount)} OR (${op.lte(attr.used, ceiling - amount)} AND (${op.notExists(attr.overSince)} OR ${op.gte(attr.overSince, windowStart)}))`;
            // A take is added once: the SDK sends an update again after a timeout, and one that
            // had been applied must not add its amount twice.
            const once = pendingMember ? `NOT ${op.contains(attr.pending, pendingMember)}` : '';
            return room && once ? `(${room}) AND ${once}` : room || once;
          })
    ).go({ response: 'all_new', ...counter.options });
    const used = result.data?.used ?? amount;
    await emitThresholdEvents(
      counter.thresholdsOf,
      { resource, period, before: used - amount, after: used, limit },
      now,
    );
    const overSince = await afterUse(
      ctx,
      resource,
      { ...counter, used, overSince: result.data?.overSince },
      now,
    );
    const pending = result.data?.pending;
    return {
      resource,
      amount,
      period,
      used,
      limit,
      ...(pending ? { pending: [...pending] } : {}),
      ...(overSince ? { overSince } : {}),
    };
  } catch (error) {
    if (!isConditionalFailure(error) || (ceiling === null && !pendingMember)) throw error;
    const current = await QuotaCounterEntity.get(counter.key).go({ consistent: true, ...counter.options });
    // The take was applied by an attempt whose answer was lost: it is taken, once.
    if (pendingMember && current.data && [...(current.data.pending ?? [])].includes(pendingMember)) {
      const used = current.data.used;
      return { resource, amount, period, used, limit, pending: [...(current.data.pending ?? [])] };
    }
    if (ceiling === null) throw error;
    const enforced = ceilingNow(ctx, resource, current.data ?? undefined, now) ?? ceiling;
    throw periodQuotaExceeded(ctx, resource, enforced, current.data?.used ?? 0, now);
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
    // A pool's counter is in the partner's partition: the transaction is sent with
    // `counterClient(ctx, resource)`.
    counter: writers.quotaCounter
      .update(periodCounter(ctx, resource, monthPeriod(now)).key)
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
  const counter = periodCounter(ctx, resource, period);
  const current = await QuotaCounterEntity.get(counter.key).go({ consistent: true, ...counter.options });
  const used = current.data?.used ?? amount;
  const limit = ctx.limits[resource];
  await emitThresholdEvents(
    counter.thresholdsOf,
    { resource, period, before: used - amount, after: used, limit },
    now,
  );
  await afterUse(ctx, resource, { ...counter, used, overSince: current.data?.overSince }, now);
}

/** Adds to the hourly usage bucket: one atomic ADD, kept for the plan's retention. */
export async function addToUsageBucket(
  ctx: Pick<TenantContext, 'tenantId' | 'plan'>,
  resource: PeriodicResource | (typeof CAPACITY_SERIES)[number],
  amount: number,
  now: Date,
  /** The tenant is not the request's (a pooled child's take settled by its partner's request). */
  another = false,
): Promise<void> {
  await UsageBucketEntity.update({ tenantId: ctx.tenantId, resource, hour: hourBucket(now) })
    .add({ used: amount })
    .set({ expiresAt: retentionExpiry(ctx, now) })
    .go({ response: 'none', ...(another ? { client: platformDocumentClient } : {}) });
}

/** An hourly usage bucket (usage analytics, an aggregate) is kept by TTL as long as usage records are. */
export function retentionExpiry(ctx: Pick<TenantContext, 'plan'>, now: Date): number {
  return expiresAfterDays(now, PLANS[ctx.plan].retention.usageEvents);
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
  if (ceilingOf(ctx, resource) === null) return;
  const { key, options } = periodCounter(ctx, resource, monthPeriod(now));
  const counter = await QuotaCounterEntity.get(key).go(options);
  const used = counter.data?.used ?? 0;
  const ceiling = ceilingNow(ctx, resource, counter.data ?? undefined, now) as number;
  if (used >= ceiling) throw periodQuotaExceeded(ctx, resource, ceiling, used, now);
}
