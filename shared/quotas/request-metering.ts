import { requestTime, type TenantContext } from '../context/tenant-context';
import { ceilingOf } from './quota-policies';
import { getConfig } from '../config';
import { countMeteredInBlock } from '../observability/metrics';
import { ratePolicyLimit, type RatePolicyName } from '../model/rate-policies';
import { giveBackUnspent, takeBlock, type MeterPlan } from './api-call-counter';
import { oweCapacity, takeOwedCapacity } from './capacity-ledger';
import { minuteOf, monthPeriod } from './periods';
import type { RateLimitState } from './rate-limited-error';

/**
 * A block of API calls an instance has leased for one tenant, one minute: spent locally, one per
 * request, without a write. `windowAfter` is the minute's count once the block was taken.
 */
interface Lease {
  period: string;
  minute: string;
  size: number;
  left: number;
  windowAfter: number;
  takenAtMs: number;
}

const leases = new Map<string, Lease>();
const blockSizes = new Map<string, number>();
const inflight = new Map<string, Promise<RateLimitState>>();
/** Requests a tenant makes on this instance in the current second: blocks grow only for hot tenants. */
const rates = new Map<string, { second: number; count: number }>();
/** From this many requests a second on one instance, a tenant is hot and its blocks may grow. */
const HOT_REQUESTS_PER_SECOND = 20;

function isHot(tenantId: string): boolean {
  const second = Math.floor(performance.now() / 1000);
  const rate = rates.get(tenantId);
  if (!rate || rate.second !== second) {
    if (rates.size > 1_000) rates.clear();
    rates.set(tenantId, { second, count: 1 });
    return false;
  }
  rate.count += 1;
  return rate.count >= HOT_REQUESTS_PER_SECOND;
}
/**
 * The largest block: at most a tenth of the per-minute limit (so ten instances can hold one each),
 * and `METERING_MAX_BLOCK` (100).
 */
const MAX_BLOCK = getConfig().metering.maxBlock;

function blockCap(rpm: number | null): number {
  return Math.max(1, Math.min(MAX_BLOCK, rpm === null ? MAX_BLOCK : Math.floor(rpm / 10)));
}

function stateOf(
  rpm: number | null,
  windowAfter: number,
  left: number,
  resetSeconds: number,
): RateLimitState {
  return { limit: rpm, remaining: rpm === null ? null : rpm - (windowAfter - left), resetSeconds };
}

/**
 * Meters one API request against the month's `apiCalls` counter, which also carries the current
 * minute's window (`windowMinute`, `windowCount`). A warm instance leases a block of calls with one
 * conditional UpdateItem (`ADD used B, windowCount B` if the minute and the month have room for B)
 * and spends it locally, one per request: a busy tenant costs one write per block, not one per
 * request, so one counter item's write limit no longer caps it. The block starts at 1 and, for a hot
 * tenant (20 requests a second or more on this instance), doubles while blocks run out within a
 * second (up to a tenth of the per-minute limit, and 100); it halves when one was left half unused.
 * What a block did not spend is given back to the month (and to its hour's usage) once its minute
 * is over. Zero over-admission holds: a block is only taken if the
 * window and the month have room for all of it; the price is under-use, at most one block less one
 * call per instance and minute, while blocks are held.
 * - the first request of a new minute moves the window (conditional on it not having moved already,
 *   so concurrent first requests agree), and the finished minute's count goes to its hour's usage
 *   bucket: a second write once a minute, not once a request;
 * - a refused request writes nothing; why it was refused comes back with the failed condition.
 * - a call of a route with a rate policy (`policy`, limited on the tenant's plan) takes no lease: its
 *   one call is taken by a write that also counts it in the policy's window of the same minute, if
 *   that has room, so the route's limit and the tenant's are one conditional update.
 * The updates are built by the counter's entity and sent with `ReturnValuesOnConditionCheckFailure`,
 * which ElectroDB does not expose.
 */
export async function meterRequest(
  ctx: TenantContext,
  now: Date = requestTime(ctx),
  policy?: RatePolicyName,
): Promise<RateLimitState> {
  const rpm = ctx.limits.requestsPerMinute;
  const ceiling = ceilingOf(ctx, 'apiCalls');
  const minute = minuteOf(now);
  const period = monthPeriod(now);
  const resetSeconds = 60 - now.getUTCSeconds();
  const policyLimit = policy ? ratePolicyLimit(policy, ctx.plan) : null;

  const hot = isHot(ctx.tenantId);
  if (policy && policyLimit !== null) {
    const lease = leases.get(ctx.tenantId);
    const owed = takeOwedCapacity(ctx.tenantId);
    try {
      const taken = await takeBlock(
        ctx,
        {
          key: { tenantId: ctx.tenantId, resource: 'apiCalls', period },
          minute,
          period,
          rpm,
          ceiling,
          resetSeconds,
          updatedAt: now.toISOString(),
          owed,
          newMinuteFirst: !hot && (!lease || lease.minute !== minute || lease.period !== period),
          policy: { policy, limit: policyLimit },
        },
        1,
        now,
      );
      return {
        ...stateOf(rpm, taken.windowAfter, 0, resetSeconds),
        route: { policy, limit: policyLimit, remaining: policyLimit - (taken.policyAfter ?? 1) },
      };
    } catch (error) {
      oweCapacity(ctx.tenantId, owed);
      throw error;
    }
  }
  // A block being taken for this tenant is waited for, not doubled: the requests of one instance
  // share its blocks (a Lambda instance serves one request at a time; the twin serves many).
  for (let waits = 0; waits < 10; waits += 1) {
    const lease = leases.get(ctx.tenantId);
    if (lease && lease.period === period && lease.minute === minute && lease.left > 0) {
      lease.left -= 1;
      countMeteredInBlock();
      return stateOf(rpm, lease.windowAfter, lease.left, resetSeconds);
    }
    const taking = inflight.get(ctx.tenantId);
    if (!taking) break;
    await taking.catch(() => undefined);
  }
  const stale = leases.get(ctx.tenantId);
  if (stale) await retireLease(ctx, stale, minute, period, hot);

  const key = { tenantId: ctx.tenantId, resource: 'apiCalls' as const, period };
  const updatedAt = now.toISOString();
  // What this tenant's earlier requests cost, carried by this write (see capacity-ledger.ts).
  const owed = takeOwedCapacity(ctx.tenantId);
  const size = Math.min(blockSizes.get(ctx.tenantId) ?? 1, blockCap(rpm));
  const take = takeLease(
    ctx,
    {
      key,
      minute,
      period,
      rpm,
      ceiling,
      resetSeconds,
      updatedAt,
      owed,
      // A lease of this minute says its window is open; none, or an older one, says it may not be,
      // unless the tenant is hot, when another instance has most likely opened it already.
      newMinuteFirst: !hot && (!stale || stale.minute !== minute || stale.period !== period),
    },
    size,
    now,
  );
  if (size > 1) inflight.set(ctx.tenantId, take);
  try {
    return await take;
  } finally {
    if (inflight.get(ctx.tenantId) === take) inflight.delete(ctx.tenantId);
  }
}

/** Takes a block and keeps what this request does not spend as the tenant's lease. */
async function takeLease(
  ctx: TenantContext,
  plan: MeterPlan,
  size: number,
  now: Date,
): Promise<RateLimitState> {
  const { minute, period, rpm, resetSeconds, owed } = plan;
  try {
    const taken = await takeBlock(ctx, plan, size, now);
    // Concurrent requests of one instance may each have taken a block: they pool what is left.
    const other = leases.get(ctx.tenantId);
    const pooled = other && other.period === period && other.minute === minute ? other : undefined;
    leases.set(ctx.tenantId, {
      period,
      minute,
      size: taken.size + (pooled?.size ?? 0),
      left: taken.size - 1 + (pooled?.left ?? 0),
      windowAfter: Math.max(taken.windowAfter, pooled?.windowAfter ?? 0),
      takenAtMs: performance.now(),
    });
    return stateOf(rpm, taken.windowAfter, taken.size - 1, resetSeconds);
  } catch (error) {
    oweCapacity(ctx.tenantId, owed);
    throw error;
  }
}

/**
 * A lease whose minute is over: its block size follows how fast it was spent, and what it did not
 * spend goes back to the month's counter and to its hour's usage.
 */
async function retireLease(
  ctx: TenantContext,
  lease: Lease,
  minute: string,
  period: string,
  hot: boolean,
): Promise<void> {
  leases.delete(ctx.tenantId);
  const size = blockSizes.get(ctx.tenantId) ?? 1;
  if (hot && lease.left === 0 && lease.minute === minute && performance.now() - lease.takenAtMs < 1_000) {
    blockSizes.set(ctx.tenantId, size * 2);
  } else if (lease.left > lease.size / 2) {
    blockSizes.set(ctx.tenantId, Math.max(1, Math.floor(size / 2)));
  }
  if (lease.left === 0) return;
  await giveBackUnspent(ctx, lease, lease.left, minute, period);
}
