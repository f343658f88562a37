import { principalId, type TenantContext } from '../context/tenant-context';
import { QuotaCounterEntity } from '../data/entities/quota-counter';
import { UsageEventEntity, type UsageEventItem } from '../data/entities/usage-event';
import { allConditions } from '../data/filters';
import { readPage, tenantList, type Page, type PageQuery } from '../data/page';
import { assertTimeRange } from '../errors';
import { idBoundAt, newId } from '../ids';
import { type MeteredResource, type QuotaPolicy } from '../model/plans';
import { counterOwner, poolOf } from './pools';
import { ceilingNow, policyStanding } from './quota-policies';
import { periodCounter } from './periodic-quota';
import { monthPeriod, startOfNextMonth } from './periods';
import type { QuotaTake } from './quota-takes';

/**
 * The usage API, for the platform's own services (model gateways, tool runners): may a tenant spend
 * N more units of a metered resource, and the record of what it spent, with the guarantees of every
 * monthly quota (`periodic-quota.ts`, `quota-takes.ts`). The record's units are taken in admission,
 * by the one conditional update of the month's counter that admits or refuses them (so concurrent
 * records never pass the ceiling together); the operation's first write, the usage event, commits
 * the take's receipt and the Idempotency-Key's record with it, so the event exists exactly when its
 * units count, and a retry with the same key is answered without counting again.
 */

export interface UsageAmount {
  resource: MeteredResource;
  amount: number;
}

export interface UsageRecordInput extends UsageAmount {
  description: string;
}

/** Where a metered resource stands this month. */
export interface MeteredStanding {
  resource: MeteredResource;
  period: string;
  used: number;
  limit: number | null;
  /** The ceiling records are admitted under: the limit and the plan's overage allowance. */
  enforcedLimit: number | null;
  /** What may still be recorded this month (`null`: unlimited). */
  remaining: number | null;
  /** Units past the limit this month (billed as overage). */
  overage: number;
  resetsAt: string;
  /** The partner whose pool the tenant draws the resource from, if it does. */
  pooledFrom: string | null;
  /** The plan's policy at the limit, and where the tenant stands against its time past it. */
  policy: QuotaPolicy;
  overSince: string | null;
  overageEndsAt: string | null;
  suspendsAt: string | null;
}

function standing(
  ctx: TenantContext,
  resource: MeteredResource,
  counter: { used: number; overSince?: string | undefined },
  now: Date,
): MeteredStanding {
  const limit = ctx.limits[resource];
  const ceiling = ceilingNow(ctx, resource, counter, now);
  const used = counter.used;
  return {
    resource,
    period: monthPeriod(now),
    used,
    limit,
    enforcedLimit: ceiling,
    remaining: ceiling === null ? null : Math.max(0, ceiling - used),
    overage: limit === null ? 0 : Math.max(0, used - limit),
    resetsAt: startOfNextMonth(now).toISOString(),
    pooledFrom: poolOf(ctx, resource)?.tenantId ?? null,
    ...policyStanding(ctx, resource, counter),
  };
}

/** The units of `amount`, added to `before`, that fall past the limit. */
function pastLimit(limit: number | null, before: number, amount: number): number {
  if (limit === null) return 0;
  return Math.max(0, Math.min(amount, before + amount - limit));
}

export interface UsageCheck extends MeteredStanding {
  amount: number;
  /**
   * What recording `amount` now would do: `within_limit`; `overage` (admitted, some of it past the
   * limit, billed as overage); `refused` (429 `quota_exceeded`).
   */
  outcome: 'within_limit' | 'overage' | 'refused';
  /** Of `amount`, the units that would be overage. */
  wouldBeOverage: number;
}

/**
 * Would `amount` of `resource` be admitted now? One strongly consistent read of the month's counter
 * (the pool's, for a pooled resource); nothing is taken. A check is advice: a record made after it
 * is admitted or refused by its own conditional update.
 */
export async function checkUsage(ctx: TenantContext, input: UsageAmount, now: Date): Promise<UsageCheck> {
  const { key, options } = periodCounter(ctx, input.resource, monthPeriod(now));
  const counter = await QuotaCounterEntity.get(key).go({ consistent: true, ...options });
  const used = counter.data?.used ?? 0;
  const current = standing(ctx, input.resource, { used, overSince: counter.data?.overSince }, now);
  const admitted = current.enforcedLimit === null || used + input.amount <= current.enforcedLimit;
  const wouldBeOverage = admitted ? pastLimit(current.limit, used, input.amount) : 0;
  return {
    ...current,
    amount: input.amount,
    outcome: !admitted ? 'refused' : wouldBeOverage > 0 ? 'overage' : 'within_limit',
    wouldBeOverage,
  };
}

export interface UsageEventView {
  id: string;
  resource: string;
  amount: number;
  description: string;
  period: string;
  overage: number;
  recordedBy: { type: 'user' | 'apiKey'; id: string };
  idempotencyKey: string;
  countedIn: string | null;
  requestId: string | null;
  recordedAt: string;
}

function toView(item: UsageEventItem): UsageEventView {
  return {
    id: item.usageEventId,
    resource: item.resource,
    amount: item.amount,
    description: item.description,
    period: item.period,
    overage: item.overage ?? 0,
    recordedBy: { type: item.recordedByType, id: item.recordedBy },
    idempotencyKey: item.idempotencyKey,
    countedIn: item.countedIn ?? null,
    requestId: item.requestId ?? null,
    recordedAt: item.recordedAt,
  };
}

/**
 * Records usage the request's take admitted (`consumesBody` in admission): the usage event, whose
 * write commits the take's receipt and the Idempotency-Key's record. Answers the event and where
 * the resource stands after it.
 */
export async function recordUsage(
  ctx: TenantContext,
  input: UsageRecordInput,
  request: {
    take: QuotaTake | undefined;
    idempotencyKey: string | undefined;
    requestId?: string | undefined;
  },
  now: Date,
): Promise<{ event: UsageEventView; quota: MeteredStanding }> {
  const { take, idempotencyKey } = request;
  if (!take || take.consumption.resource !== input.resource || !idempotencyKey) {
    // Admission takes the body's amount and claims the key before any operation: not reachable.
    throw new Error('A usage record reached its operation without its take or its Idempotency-Key.');
  }
  const used = take.consumption.used;
  const owner = counterOwner(ctx, input.resource);
  const item = {
    tenantId: ctx.tenantId,
    usageEventId: newId('usageEvent', now.getTime()),
    resource: input.resource,
    amount: input.amount,
    description: input.description,
    period: take.consumption.period,
    takeId: take.takeId,
    ...(owner === ctx.tenantId ? {} : { countedIn: owner }),
    overage: pastLimit(ctx.limits[input.resource], used - input.amount, input.amount),
    recordedByType: ctx.principal.type === 'apiKey' ? ('apiKey' as const) : ('user' as const),
    recordedBy: principalId(ctx.principal),
    idempotencyKey,
    ...(request.requestId ? { requestId: request.requestId } : {}),
    recordedAt: now.toISOString(),
  };
  await UsageEventEntity.create(item).go({ response: 'none' });
  return {
    event: toView(item),
    quota: standing(ctx, input.resource, { used, overSince: take.consumption.overSince }, now),
  };
}

export interface UsageEventQuery extends PageQuery {
  resource?: MeteredResource | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

/** The usage log, newest first, by resource and time; kept for the plan's retention. */
export async function listUsageEvents(
  ctx: TenantContext,
  query: UsageEventQuery,
): Promise<Page<UsageEventView>> {
  assertTimeRange(query.from, query.to);
  const since = query.from ? new Date(query.from) : undefined;
  const until = query.to ? new Date(query.to) : undefined;
  // An id is never older than its record (ids are monotonic: one made for an earlier time takes the
  // latest time its process has seen), so `from` bounds the read safely; `to` cannot, and the
  // record's own time decides the rest.
  const low = idBoundAt('usageEvent', since ? since.getTime() : 0, 'low');
  return readPage(
    tenantList(ctx, 'usage-events'),
    query,
    (from) =>
      UsageEventEntity.query
        .byTenant({ tenantId: ctx.tenantId })
        .gte({ usageEventId: low })
        .where((attr, op) =>
          allConditions([
            query.resource ? op.eq(attr.resource, query.resource as string) : '',
            since ? op.gte(attr.recordedAt, since.toISOString()) : '',
            until ? op.lte(attr.recordedAt, until.toISOString()) : '',
          ]),
        )
        .go({ ...from, order: 'desc' }),
    toView,
  );
}
