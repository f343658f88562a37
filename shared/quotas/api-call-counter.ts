import { ConditionalCheckFailedException, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { UpdateCommand, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { TenantContext } from '../context/tenant-context';
import { tenantDocumentClient } from '../data/clients';
import { QuotaCounterEntity } from '../data/entities/quota-counter';
import { allConditions } from '../data/filters';
import { TooManyRequestsError } from '../errors';
import { RATE_POLICY_NAMES, type RatePolicyName } from '../model/rate-policies';
import { logger } from '../observability/logger';
import type { CapacityUnits } from './capacity-ledger';
import { addToUsageBucket, periodQuotaExceeded } from './periodic-quota';
import { RateLimitedError, type RateLimitState } from './rate-limited-error';
import { emitThresholdEvents } from './thresholds';

/**
 * The API-call counter's protocol: the month's `apiCalls` counter item, which also carries the
 * current minute's window, is taken from with conditional UpdateItems (a block of calls if the
 * window and the month have room; the window moved by the first request of a minute) and given
 * back to when a block is retired unspent. The lease pool that decides how much to take and when
 * is `request-metering.ts`.
 */

interface MeterItem {
  used?: number;
  windowMinute?: string;
  windowCount?: number;
  windowReadUnits?: number;
  windowWriteUnits?: number;
  /** Each rate policy's count in the open minute (`policyWindow`), beside `windowCount`. */
  [policyWindow: `rateWindow_${string}`]: number | undefined;
}

/**
 * A rate policy's count in the open minute: an attribute of the counter beside `windowCount`, added
 * to by the write that admits a call of its routes and removed when the next minute opens.
 */
function policyWindow(policy: RatePolicyName): `rateWindow_${string}` {
  return `rateWindow_${policy}`;
}

/** A call of a route with a rate policy: the policy and its limit for the tenant's plan. */
export interface PolicyCall {
  policy: RatePolicyName;
  limit: number;
}

export interface MeterPlan {
  key: { tenantId: string; resource: 'apiCalls'; period: string };
  minute: string;
  period: string;
  rpm: number | null;
  ceiling: number | null;
  resetSeconds: number;
  updatedAt: string;
  owed: CapacityUnits;
  /**
   * Whether the minute's window is likely not open yet (this instance has seen no earlier request of
   * the tenant in this minute): the window is then moved first, and the open window's update is the
   * fallback, not the other way round. Either order is correct; the right guess saves a round trip.
   */
  newMinuteFirst: boolean;
  /** The route's rate policy: the block is then one call, counted in the policy's window too. */
  policy?: PolicyCall;
}

/** What a block left: the tenant's count in the minute, and the route's policy's. */
export interface TakenBlock {
  size: number;
  windowAfter: number;
  policyAfter?: number;
}

/**
 * Takes a block of up to `wanted` calls (at least 1) for this minute: all of it if the window and
 * the month have room, else as much as they have; none (429) if they have none. A call of a route
 * with a rate policy is a block of one, admitted only if the policy's window has room too.
 */
export async function takeBlock(
  ctx: TenantContext,
  plan: MeterPlan,
  wanted: number,
  now: Date,
): Promise<TakenBlock> {
  const { key, minute, period, rpm, ceiling, updatedAt, owed, policy } = plan;
  let size = policy ? 1 : wanted;
  for (let attempt = 0; attempt < 4; attempt += 1) {
    if (attempt === 0 && plan.newMinuteFirst) {
      // The window's state is unknown: the new minute's update states its own conditions (the window
      // not yet at this minute, the month's room); if it fails, the loop learns the state below.
      size = Math.max(1, Math.min(size, rpm ?? Number.POSITIVE_INFINITY));
      const opened = await openMinute(ctx, plan, size, now);
      if (opened) return opened;
      continue;
    }
    let old: MeterItem;
    try {
      const sameMinute = QuotaCounterEntity.update(key)
        .add({
          used: size,
          windowCount: size,
          readUnits: owed.read,
          writeUnits: owed.write,
          windowReadUnits: owed.read,
          windowWriteUnits: owed.write,
        })
        .set({ updatedAt })
        .where((attr, op) =>
          allConditions([
            op.eq(attr.windowMinute, minute),
            rpm === null ? '' : op.lte(attr.windowCount, rpm - size),
            ceiling === null ? '' : op.lte(attr.used, ceiling - size),
          ]),
        )
        .params({ response: 'updated_new' });
      const result = await send(policy ? countedInPolicy(sameMinute, policy, 'add') : sameMinute);
      const item = (result.Attributes ?? {}) as MeterItem;
      await afterCount(ctx, period, item.used ?? size, size, now);
      return {
        size,
        windowAfter: item.windowCount ?? size,
        ...(policy ? { policyAfter: item[policyWindow(policy.policy)] ?? size } : {}),
      };
    } catch (error) {
      old = refusedItem(error);
    }
    const monthRoom = ceiling === null ? Number.POSITIVE_INFINITY : ceiling - (old.used ?? 0);
    if (old.windowMinute === minute) {
      const windowRoom = rpm === null ? Number.POSITIVE_INFINITY : rpm - (old.windowCount ?? 0);
      const state = refusedState(plan, old);
      if (windowRoom <= 0) throw new RateLimitedError(state);
      if (policy && (old[policyWindow(policy.policy)] ?? 0) >= policy.limit) {
        throw new RateLimitedError(state, policy.policy);
      }
      if (monthRoom <= 0) throw periodQuotaExceeded(ctx, 'apiCalls', ceiling ?? 0, old.used ?? 0, now);
      size = Math.max(1, Math.min(size, windowRoom, monthRoom));
      continue;
    }
    if (monthRoom <= 0) throw periodQuotaExceeded(ctx, 'apiCalls', ceiling ?? 0, old.used ?? 0, now);
    size = Math.max(1, Math.min(size, monthRoom, rpm ?? Number.POSITIVE_INFINITY));
    const opened = await openMinute(ctx, plan, size, now);
    if (opened) return opened;
    // Another request opened this minute first: take the block on the hot path.
  }
  throw new TooManyRequestsError(
    'The request could not be metered under contention; retry.',
    1,
    'metering_contention',
  );
}

/**
 * Opens this minute's window with a block of `size` calls, moving the finished minute's count (and
 * its capacity units) to its hour's usage: if the window is not at this minute yet and the month has
 * room. `undefined` when another request opened it first or the month is full (the caller reads
 * why from the item).
 */
async function openMinute(
  ctx: TenantContext,
  plan: MeterPlan,
  size: number,
  now: Date,
): Promise<TakenBlock | undefined> {
  const { key, minute, period, ceiling, updatedAt, owed, policy } = plan;
  try {
    const newMinute = QuotaCounterEntity.update(key)
      .add({ used: size, readUnits: owed.read, writeUnits: owed.write })
      .set({
        windowMinute: minute,
        windowCount: size,
        windowReadUnits: owed.read,
        windowWriteUnits: owed.write,
        updatedAt,
      })
      .where((attr, op) =>
        allConditions([
          `(${op.notExists(attr.windowMinute)} OR ${op.ne(attr.windowMinute, minute)})`,
          ceiling === null ? '' : `(${op.notExists(attr.used)} OR ${op.lte(attr.used, ceiling - size)})`,
        ]),
      )
      .params({ response: 'all_old' });
    // The finished minute's policy windows go with it; the route's own starts at this call.
    const result = await send(policy ? countedInPolicy(newMinute, policy, 'open') : opened(newMinute));
    const previous = (result.Attributes ?? {}) as MeterItem;
    if (previous.windowMinute && previous.windowCount) {
      const closed = new Date(`${previous.windowMinute}:00.000Z`);
      // Three items, written side by side: the request waits for one round trip, not three.
      await Promise.all([
        addToUsageBucket(ctx, 'apiCalls', previous.windowCount, closed),
        previous.windowReadUnits
          ? addToUsageBucket(ctx, 'readUnits', previous.windowReadUnits, closed)
          : undefined,
        previous.windowWriteUnits
          ? addToUsageBucket(ctx, 'writeUnits', previous.windowWriteUnits, closed)
          : undefined,
      ]);
    }
    await afterCount(ctx, period, (previous.used ?? 0) + size, size, now);
    return { size, windowAfter: size, ...(policy ? { policyAfter: size } : {}) };
  } catch (error) {
    refusedItem(error);
    return undefined;
  }
}

/** Sends an update the entity built, asking DynamoDB for the item as it was when the condition failed. */
function send(params: object) {
  return tenantDocumentClient.send(
    new UpdateCommand({ ...(params as UpdateCommandInput), ReturnValuesOnConditionCheckFailure: 'ALL_OLD' }),
  );
}

function refusedItem(error: unknown): MeterItem {
  if (!(error instanceof ConditionalCheckFailedException)) throw error;
  return error.Item ? (unmarshall(error.Item as Record<string, AttributeValue>) as MeterItem) : {};
}

async function afterCount(
  ctx: TenantContext,
  period: string,
  used: number,
  taken: number,
  now: Date,
): Promise<void> {
  await emitThresholdEvents(
    ctx,
    { resource: 'apiCalls', period, before: used - taken, after: used, limit: ctx.limits.apiCalls },
    now,
  );
}

/** The minute as the refused write found it: the tenant's count and the route's policy's. */
function refusedState(plan: MeterPlan, old: MeterItem): RateLimitState {
  const { rpm, resetSeconds, policy } = plan;
  return {
    limit: rpm,
    remaining: rpm === null ? null : Math.max(0, rpm - (old.windowCount ?? 0)),
    resetSeconds,
    ...(policy
      ? {
          route: {
            policy: policy.policy,
            limit: policy.limit,
            remaining: Math.max(0, policy.limit - (old[policyWindow(policy.policy)] ?? 0)),
          },
        }
      : {}),
  };
}

type UpdateParams = UpdateCommandInput & { UpdateExpression: string };

/**
 * Adds clauses to an update the entity built (ElectroDB knows no attribute named at run time): each
 * action's items go after that action's own, or as a new action.
 */
function withClauses(
  params: object,
  actions: { SET?: string; ADD?: string; REMOVE?: string },
  names: Record<string, string>,
  values: Record<string, unknown>,
  condition?: string,
): UpdateParams {
  const built = params as UpdateParams;
  let expression = built.UpdateExpression;
  for (const [action, items] of Object.entries(actions)) {
    if (!items) continue;
    const at = expression.search(new RegExp(`(^| )${action} `));
    if (at < 0) {
      expression = `${expression} ${action} ${items}`;
      continue;
    }
    const start = at + (expression[at] === ' ' ? 1 : 0) + action.length + 1;
    const next = expression.slice(start).search(/ (SET|ADD|REMOVE|DELETE) /);
    const end = next < 0 ? expression.length : start + next;
    expression = `${expression.slice(0, end)}, ${items}${expression.slice(end)}`;
  }
  return {
    ...built,
    UpdateExpression: expression,
    ExpressionAttributeNames: { ...built.ExpressionAttributeNames, ...names },
    ExpressionAttributeValues: { ...built.ExpressionAttributeValues, ...values },
    ...(condition
      ? {
          ConditionExpression: built.ConditionExpression
            ? `(${built.ConditionExpression}) AND ${condition}`
            : condition,
        }
      : {}),
  };
}

/** The policy windows of a finished minute, removed as the next one opens (but `keep`). */
function removedWindows(keep?: RatePolicyName): { names: Record<string, string>; remove: string } {
  const others = RATE_POLICY_NAMES.filter((name) => name !== keep);
  return {
    names: Object.fromEntries(others.map((name, index) => [`#rateWindow${index}`, policyWindow(name)])),
    remove: others.map((_, index) => `#rateWindow${index}`).join(', '),
  };
}

/** A minute opened by a call of a route without a policy: every policy's window starts empty. */
function opened(params: object): UpdateParams {
  const { names, remove } = removedWindows();
  return withClauses(params, { REMOVE: remove }, names, {});
}

/**
 * A call counted in its route's policy window: added to it (if it has room) in the open minute, or
 * starting it as the minute opens.
 */
function countedInPolicy(params: object, call: PolicyCall, mode: 'add' | 'open'): UpdateParams {
  const names = { '#policyWindow': policyWindow(call.policy) };
  if (mode === 'add') {
    return withClauses(
      params,
      { ADD: '#policyWindow :policyOne' },
      names,
      { ':policyOne': 1, ':policyMax': call.limit - 1 },
      '(attribute_not_exists(#policyWindow) OR #policyWindow <= :policyMax)',
    );
  }
  const removed = removedWindows(call.policy);
  return withClauses(
    params,
    { SET: '#policyWindow = :policyOne', ...(removed.remove ? { REMOVE: removed.remove } : {}) },
    { ...names, ...removed.names },
    { ':policyOne': 1 },
  );
}

/**
 * Gives an unspent part of a block back: to the month's counter, and to its minute's window while
 * that minute is still the open one (else to its hour's usage, where the closed minute went).
 * Under-use, never over-admission: a give-back that fails leaves the calls counted as used.
 */
export async function giveBackUnspent(
  ctx: TenantContext,
  lease: { period: string; minute: string },
  unspent: number,
  minute: string,
  period: string,
): Promise<void> {
  const at = new Date(`${lease.minute}:00.000Z`);
  try {
    await send(
      QuotaCounterEntity.update({ tenantId: ctx.tenantId, resource: 'apiCalls', period: lease.period })
        .subtract({ used: unspent })
        .where((attr, op) => op.gte(attr.used, unspent))
        .params({ response: 'none' }),
    );
    // The block's minute is closed (its count went to its hour) unless it is still the open one.
    if (lease.minute !== minute || lease.period !== period) {
      await addToUsageBucket(ctx, 'apiCalls', -unspent, at);
    } else {
      await send(
        QuotaCounterEntity.update({ tenantId: ctx.tenantId, resource: 'apiCalls', period })
          .subtract({ windowCount: unspent })
          .where(
            (attr, op) =>
              `${op.eq(attr.windowMinute, lease.minute)} AND ${op.gte(attr.windowCount, unspent)}`,
          )
          .params({ response: 'none' }),
      );
    }
  } catch (error) {
    // Under-use, never over-admission: a give-back that fails leaves the calls counted as used.
    logger.warn('Could not give back an unspent block of API calls', {
      tenantId: ctx.tenantId,
      unspent,
      error,
    });
  }
}
