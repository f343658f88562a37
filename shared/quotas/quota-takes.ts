import { decodeTime } from 'ulid';
import { isConditionalFailure } from '../data/dynamo-errors';
import { QuotaCounterEntity } from '../data/entities/quota-counter';
import { QuotaTakeReceiptEntity } from '../data/entities/quota-take-receipt';
import { newId } from '../ids';
import type { TenantContext } from '../context/tenant-context';
import type { PeriodicResource } from '../model/plans';
import { addToPeriodCounter, addToUsageBucket, type Consumption } from './periodic-quota';
import { expiresAfterDays } from '../data/ttl';

/**
 * A monthly quota taken for an operation (a run's start, the routes that declare `consumes`): one
 * unit, taken before the operation by one conditional update of the month's counter that also
 * records the take as pending there, a durable intent in the same write. The operation's first
 * write commits the take's receipt (`data/operation-commit.ts`). Then:
 * - the request ends, its operation committed: the take is kept (no longer pending);
 * - it fails before its operation committed: the take is given back;
 * - it dies: the take stays pending, and once its request cannot be running any more
 *   ({@link SETTLE_AFTER_MS}) the next take of the resource, or the daily reconciliation, settles it
 *   against its receipt: kept with one, given back without.
 * Giving back is conditional on the take still being pending, so it happens once whoever does it.
 */
export interface QuotaTake {
  takeId: string;
  consumption: Consumption;
  /** When it was taken (its month and hour). */
  at: Date;
}

/** What one take is: one unit of the resource. */
const TAKE_AMOUNT = 1;
/** Past this, the request that took a unit is over (the function's 10 s, and a wide margin). */
export const SETTLE_AFTER_MS = 60_000;
/** A receipt outlives the month its take counts in, and the settling of that month. */
const RECEIPT_DAYS = 62;

/** Takes one unit for the operation; answers the take and its receipt, for the operation's commit. */
export async function takeForOperation(
  ctx: TenantContext,
  resource: PeriodicResource,
  now: Date,
): Promise<{ take: QuotaTake; receipt: { Put: Record<string, unknown> } }> {
  const takeId = newId('quotaTake', now.getTime());
  const consumption = await addToPeriodCounter(ctx, resource, TAKE_AMOUNT, now, takeId);
  const receipt = QuotaTakeReceiptEntity.put({
    tenantId: ctx.tenantId,
    takeId,
    resource,
    period: consumption.period,
    expiresAt: expiresAfterDays(now, RECEIPT_DAYS),
  }).params() as Record<string, unknown>;
  return { take: { takeId, consumption, at: now }, receipt: { Put: receipt } };
}

const counterKey = (ctx: TenantContext, take: Pick<QuotaTake, 'consumption'>) => ({
  tenantId: ctx.tenantId,
  resource: take.consumption.resource,
  period: take.consumption.period,
});

/**
 * The take was used: it is no longer pending (its unit stays counted), and its unit goes to the
 * usage of the hour it was taken in (side by side: two items, one round trip). A take's usage is
 * counted only when kept, so a take given back never touched the hour's usage.
 */
export async function keepTake(ctx: TenantContext, take: Pick<QuotaTake, 'takeId' | 'consumption' | 'at'>) {
  const kept = QuotaCounterEntity.patch(counterKey(ctx, take))
    .delete({ pending: [take.takeId] })
    .go({ response: 'none' })
    .then(
      () => true,
      (error: unknown) => {
        // No counter any more (a purge): nothing is pending, no usage to count.
        if (!isConditionalFailure(error)) throw error;
        return false;
      },
    );
  const [stillCounted] = await Promise.all([
    kept,
    addToUsageBucket(ctx, take.consumption.resource, take.consumption.amount, take.at),
  ]);
  return stillCounted;
}

/** Gives the take's unit back, if it is still pending (once); answers whether it did. */
export async function giveBackTake(ctx: TenantContext, take: QuotaTake): Promise<boolean> {
  try {
    await QuotaCounterEntity.update(counterKey(ctx, take))
      .subtract({ used: take.consumption.amount })
      .delete({ pending: [take.takeId] })
      .where((attr, op) => op.contains(attr.pending, take.takeId))
      .go({ response: 'none' });
  } catch (error) {
    if (isConditionalFailure(error)) return false;
    throw error;
  }
  return true;
}

/**
 * Settles the pending takes of a counter whose requests are over: each is kept if its operation
 * committed (its receipt exists), and given back if not. Takes still young are left alone.
 */
export async function settleStaleTakes(
  ctx: TenantContext,
  counter: { resource: PeriodicResource; period: string; pending?: Iterable<string> | undefined },
  now: Date,
): Promise<{ kept: number; givenBack: number }> {
  const settled = { kept: 0, givenBack: 0 };
  for (const takeId of counter.pending ?? []) {
    const takenAt = decodeTime(takeId.slice(takeId.indexOf('_') + 1));
    if (now.getTime() - takenAt < SETTLE_AFTER_MS) continue;
    const take: QuotaTake = {
      takeId,
      consumption: {
        resource: counter.resource,
        amount: TAKE_AMOUNT,
        period: counter.period,
        used: 0,
        limit: null,
      },
      at: new Date(takenAt),
    };
    const receipt = await QuotaTakeReceiptEntity.get({ tenantId: ctx.tenantId, takeId }).go({
      consistent: true,
    });
    if (receipt.data) {
      await keepTake(ctx, take);
      settled.kept += 1;
    } else if (await giveBackTake(ctx, take)) {
      settled.givenBack += 1;
    }
  }
  return settled;
}
