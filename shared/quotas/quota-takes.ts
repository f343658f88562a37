import { decodeTime } from 'ulid';
import { isConditionalFailure } from '../data/dynamo-errors';
import { QuotaCounterEntity } from '../data/entities/quota-counter';
import { QuotaTakeReceiptEntity } from '../data/entities/quota-take-receipt';
import { newId } from '../ids';
import type { TenantContext } from '../context/tenant-context';
import type { PeriodicResource } from '../model/plans';
import { addToPeriodCounter, addToUsageBucket, periodCounter, type Consumption } from './periodic-quota';
import { expiresAfterDays } from '../data/ttl';
import { platformDocumentClient } from '../data/clients';
import { TenantEntity } from '../data/entities/tenant';

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
 * A take is of one unit (a run) or of the amount a usage record names (`usage-api.ts`): that amount
 * is part of how it is pending (`<take id>+<amount>`), so whoever gives it back gives back all of it.
 */
export interface QuotaTake {
  takeId: string;
  /**
   * How it is pending on its counter: the take id on the tenant's own counter; `<tenant>/<take id>`
   * on a partner's pool (`pools.ts`), where the partner's takes and its children's meet, so whoever
   * settles it finds its receipt in its own tenant's partition.
   */
  member: string;
  consumption: Consumption;
  /** When it was taken (its month and hour). */
  at: Date;
}

/** What a take is unless it says otherwise: one unit of the resource. */
const TAKE_AMOUNT = 1;
/** Past this, the request that took a unit is over (the function's 10 s, and a wide margin). */
export const SETTLE_AFTER_MS = 60_000;
/** A receipt outlives the month its take counts in, and the settling of that month. */
const RECEIPT_DAYS = 62;

/**
 * Takes `amount` (one unit unless said) for the operation; answers the take and its receipt, for
 * the operation's commit.
 */
export async function takeForOperation(
  ctx: TenantContext,
  resource: PeriodicResource,
  now: Date,
  amount = TAKE_AMOUNT,
): Promise<{ take: QuotaTake; receipt: { Put: Record<string, unknown> } }> {
  // Its id carries the take's own time: the settling reads the take's age from it.
  const takeId = newId('quotaTake', now.getTime());
  const member = `${pendingMember(ctx, resource, takeId)}${amount === TAKE_AMOUNT ? '' : `+${amount}`}`;
  const consumption = await addToPeriodCounter(ctx, resource, amount, now, member);
  const receipt = QuotaTakeReceiptEntity.put({
    tenantId: ctx.tenantId,
    takeId,
    resource,
    period: consumption.period,
    expiresAt: expiresAfterDays(now, RECEIPT_DAYS),
  }).params() as Record<string, unknown>;
  return { take: { takeId, member, consumption, at: now }, receipt: { Put: receipt } };
}

/** A pending member read back: whose take, which, and of how much. */
export function parseMember(member: string): { takerId: string | undefined; takeId: string; amount: number } {
  const slash = member.indexOf('/');
  const plus = member.indexOf('+');
  const takeId = member.slice(slash + 1, plus < 0 ? undefined : plus);
  return {
    takerId: slash < 0 ? undefined : member.slice(0, slash),
    takeId,
    amount: plus < 0 ? TAKE_AMOUNT : Number(member.slice(plus + 1)),
  };
}

/** How a take of this tenant is pending on the counter its use goes on. */
function pendingMember(ctx: TenantContext, resource: PeriodicResource, takeId: string): string {
  const { key } = periodCounter(ctx, resource, '');
  return key.tenantId === ctx.tenantId ? takeId : `${ctx.tenantId}/${takeId}`;
}

/** The counter a take of this tenant is pending on, and the client for it. */
const counterOf = (ctx: TenantContext, take: Pick<QuotaTake, 'consumption'>) =>
  periodCounter(ctx, take.consumption.resource, take.consumption.period);

/**
 * The take was used: it is no longer pending (its unit stays counted), and its unit goes to the
 * usage of the hour it was taken in (side by side: two items, one round trip). A take's usage is
 * counted only when kept, so a take given back never touched the hour's usage.
 */
export async function keepTake(
  ctx: TenantContext,
  take: Pick<QuotaTake, 'member' | 'consumption' | 'at'>,
  /** Another tenant whose take the caller settles (a pooled child's, on its partner's counter). */
  taker?: Pick<TenantContext, 'tenantId' | 'plan'>,
) {
  const counter = counterOf(ctx, take);
  const kept = QuotaCounterEntity.patch(counter.key)
    .delete({ pending: [take.member] })
    .go({ response: 'none', ...counter.options })
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
    addToUsageBucket(
      taker ?? ctx,
      take.consumption.resource,
      take.consumption.amount,
      take.at,
      taker !== undefined,
    ),
  ]);
  return stillCounted;
}

/** Gives the take's unit back, if it is still pending (once); answers whether it did. */
export async function giveBackTake(
  ctx: TenantContext,
  take: Pick<QuotaTake, 'member' | 'consumption'>,
): Promise<boolean> {
  try {
    const counter = counterOf(ctx, take);
    await QuotaCounterEntity.update(counter.key)
      .subtract({ used: take.consumption.amount })
      .delete({ pending: [take.member] })
      .where((attr, op) => op.contains(attr.pending, take.member))
      .go({ response: 'none', ...counter.options });
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
  const owner = periodCounter(ctx, counter.resource, counter.period).key.tenantId;
  for (const member of counter.pending ?? []) {
    // A take of the counter's own tenant is its id; another's (a pooled child's) names its tenant.
    const parsed = parseMember(member);
    const takerId = parsed.takerId ?? owner;
    const { takeId, amount } = parsed;
    const takenAt = decodeTime(takeId.slice(takeId.indexOf('_') + 1));
    if (now.getTime() - takenAt < SETTLE_AFTER_MS) continue;
    const take: QuotaTake = {
      takeId,
      member,
      consumption: {
        resource: counter.resource,
        amount,
        period: counter.period,
        used: 0,
        limit: null,
      },
      at: new Date(takenAt),
    };
    const theirs = takerId === ctx.tenantId ? {} : { client: platformDocumentClient };
    const receipt = await QuotaTakeReceiptEntity.get({ tenantId: takerId, takeId }).go({
      consistent: true,
      ...theirs,
    });
    if (receipt.data) {
      // The unit goes to the hourly usage of the tenant that took it, kept for its plan's retention.
      const taker =
        takerId === ctx.tenantId
          ? undefined
          : {
              tenantId: takerId,
              plan: (await TenantEntity.get({ tenantId: takerId }).go(theirs)).data?.plan ?? ctx.plan,
            };
      await keepTake(ctx, take, taker);
      settled.kept += 1;
    } else if (await giveBackTake(ctx, take)) {
      settled.givenBack += 1;
    }
  }
  return settled;
}
