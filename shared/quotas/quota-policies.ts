import type { TenantContext } from '../context/tenant-context';
import { isConditionalFailure } from '../data/dynamo-errors';
import { QuotaCounterEntity } from '../data/entities/quota-counter';
import { announce } from '../events/publish';
import {
  ceilingUnder,
  isPeriodic,
  PERIODIC_RESOURCES,
  quotaPolicyOf,
  type PeriodicResource,
  type QuotaPolicy,
  type QuotaResource,
} from '../model/plans';
import { logger } from '../observability/logger';
import { monthPeriod } from './periods';
import { poolOf } from './pools';

/**
 * Quota policies (`QuotaPolicy`, plan data): what happens at a monthly resource's limit. The amount
 * past it (`upToPercent`) is the ceiling every admission's conditional update checks (`ceilingOf`).
 * Time past it is counted on the month's counter itself: `overSince`, set once, when the month's use
 * first goes past the limit, so a new month (a new counter) starts with none, and the policy's hours
 * are the counter's:
 * - `overage` for some hours: the admission's condition admits overage only while `overSince` is
 *   absent or within the hours (`overageWindowStart`);
 * - `suspend` after some hours: the tenant's owners are told when `overSince` is set, with the time;
 *   a tenant still past the limit then is suspended (`tenants/overage-suspension.ts`); a larger plan,
 *   or the next month, lifts the suspension.
 * A pool's resource follows the partner's plan's amount only: time is the partner's own to count.
 */

/** The policy a tenant's use of a monthly resource is under. */
export function policyFor(
  ctx: Pick<TenantContext, 'plan' | 'hardLimits' | 'pools'>,
  resource: PeriodicResource,
): QuotaPolicy {
  const pool = poolOf(ctx, resource);
  if (pool) {
    const theirs = quotaPolicyOf(pool.plan, resource);
    if (pool.hard || theirs.kind === 'refuse') return { kind: 'refuse' };
    return { kind: 'overage', upToPercent: theirs.upToPercent, forHours: null };
  }
  // A partner's slice is hard: nothing past it.
  if (ctx.hardLimits?.has(resource)) return { kind: 'refuse' };
  return quotaPolicyOf(ctx.plan, resource);
}

/**
 * The ceiling a use of the resource is admitted under, the one rule every admission reads: a
 * counted resource's limit; a monthly one's under its policy ({@link policyFor}: its plan's, a
 * pool's partner's, nothing past a partner's slice).
 */
export function ceilingOf(
  ctx: Pick<TenantContext, 'plan' | 'limits' | 'hardLimits' | 'pools'>,
  resource: QuotaResource,
): number | null {
  const limit = ctx.limits[resource];
  return isPeriodic(resource) ? ceilingUnder(policyFor(ctx, resource), limit) : limit;
}

const HOUR_MS = 3_600_000;

/** The hours a policy counts past the limit, if it counts any. */
function hoursOf(policy: QuotaPolicy): number | null {
  if (policy.kind === 'overage') return policy.forHours;
  if (policy.kind === 'suspend') return policy.afterHours;
  return null;
}

/** When the policy's time past the limit ends: overage refused from then, or the tenant suspended. */
export function overageEndsAt(policy: QuotaPolicy, overSince: string | undefined): Date | null {
  const hours = hoursOf(policy);
  if (hours === null || !overSince) return null;
  return new Date(Date.parse(overSince) + hours * HOUR_MS);
}

/**
 * For `overage` with hours: the earliest `overSince` whose overage is still admitted at `now` (the
 * admission's conditional update admits past the limit only from a later one, or none).
 */
export function overageWindowStart(policy: QuotaPolicy, now: Date): string | null {
  if (policy.kind !== 'overage' || policy.forHours === null) return null;
  return new Date(now.getTime() - policy.forHours * HOUR_MS + 1).toISOString();
}

/**
 * The ceiling a use is admitted under now, knowing the counter: `ceilingOf`, but the limit itself
 * once an `overage` policy's hours past it are over.
 */
export function ceilingNow(
  ctx: Pick<TenantContext, 'plan' | 'limits' | 'hardLimits' | 'pools'>,
  resource: PeriodicResource,
  counter: { overSince?: string | undefined } | undefined,
  now: Date,
): number | null {
  const policy = policyFor(ctx, resource);
  const ends = policy.kind === 'overage' ? overageEndsAt(policy, counter?.overSince) : null;
  if (ends && now >= ends) return ctx.limits[resource];
  return ceilingOf(ctx, resource);
}

/** Where a tenant stands against a resource's policy, for the quota report and the usage check. */
export function policyStanding(
  ctx: Pick<TenantContext, 'plan' | 'limits' | 'hardLimits' | 'pools'>,
  resource: PeriodicResource,
  counter: { overSince?: string | undefined } | undefined,
) {
  const policy = policyFor(ctx, resource);
  const ends = overageEndsAt(policy, counter?.overSince);
  return {
    policy,
    overSince: counter?.overSince ?? null,
    overageEndsAt: policy.kind === 'overage' && ends ? ends.toISOString() : null,
    suspendsAt: policy.kind === 'suspend' && ends ? ends.toISOString() : null,
  };
}

/** The counter a use went on, as the admission's update left it. */
export interface CounterAfterUse {
  key: { tenantId: string; resource: PeriodicResource; period: string };
  options: Record<string, unknown>;
  used: number;
  overSince: string | undefined;
}

/**
 * After a use was admitted: the first time the month's use is past the limit under a policy that
 * counts time, when is recorded on the counter (once: conditional, whoever is first) and the owners
 * are told what happens and when (a `suspend` policy's suspension, once due, is its caller's:
 * {@link suspensionDue}). Never fails the use it follows (it was admitted): a failure is logged, and
 * the next use past the limit records it. Answers when the use went past the limit, as far as it knows.
 */
export async function afterUse(
  ctx: TenantContext,
  resource: PeriodicResource,
  counter: CounterAfterUse,
  now: Date,
): Promise<string | undefined> {
  const limit = ctx.limits[resource];
  const policy = policyFor(ctx, resource);
  if (limit === null || hoursOf(policy) === null || counter.used <= limit || poolOf(ctx, resource)) {
    return counter.overSince;
  }
  try {
    if (!counter.overSince) {
      const since = now.toISOString();
      const started = await QuotaCounterEntity.patch(counter.key)
        .set({ overSince: since })
        .where((attr, op) => op.notExists(attr.overSince))
        .go({ response: 'none', ...counter.options })
        .then(
          () => true,
          (error: unknown) => {
            if (isConditionalFailure(error)) return false;
            throw error;
          },
        );
      if (!started) {
        // Another use went past it at the same moment and told the owners: its time is the start.
        const stored = await QuotaCounterEntity.get(counter.key).go({ consistent: true, ...counter.options });
        return stored.data?.overSince ?? since;
      }
      await announce(
        ctx.tenantId,
        'quota.overage_started',
        {
          resource,
          period: counter.key.period,
          used: counter.used,
          limit,
          plan: ctx.plan,
          policy: policy.kind === 'suspend' ? 'suspend' : 'overage',
          endsAt: (overageEndsAt(policy, since) as Date).toISOString(),
        },
        now,
      );
      return since;
    }
  } catch (error) {
    logger.error('A quota policy could not act after a use', { error, resource });
  }
  return counter.overSince;
}

/** Whether a use that left the counter like this makes a `suspend` policy's suspension due now. */
export function suspensionDue(
  ctx: Pick<TenantContext, 'plan' | 'limits' | 'hardLimits' | 'pools'>,
  resource: PeriodicResource,
  counter: { used: number; overSince?: string | undefined },
  now: Date,
): boolean {
  const policy = policyFor(ctx, resource);
  const limit = ctx.limits[resource];
  const ends = overageEndsAt(policy, counter.overSince);
  return policy.kind === 'suspend' && limit !== null && counter.used > limit && ends !== null && now >= ends;
}

/**
 * The tenant's resources under `suspend` whose month is past the limit for longer than the policy's
 * hours, by its current plan and limits (a larger plan may have lifted them).
 */
export async function sustainedOverage(
  ctx: TenantContext,
  now: Date,
): Promise<Array<{ resource: PeriodicResource; limit: number; overSince: string }>> {
  const period = monthPeriod(now);
  const sustained: Array<{ resource: PeriodicResource; limit: number; overSince: string }> = [];
  for (const resource of PERIODIC_RESOURCES) {
    const limit = ctx.limits[resource];
    if (policyFor(ctx, resource).kind !== 'suspend' || limit === null || poolOf(ctx, resource)) continue;
    const counter = (
      await QuotaCounterEntity.get({ tenantId: ctx.tenantId, resource, period }).go({ consistent: true })
    ).data;
    if (counter?.overSince && suspensionDue(ctx, resource, counter, now)) {
      sustained.push({ resource, limit, overSince: counter.overSince });
    }
  }
  return sustained;
}
