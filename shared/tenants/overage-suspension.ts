import { runWithTenantContext } from '../context/tenant-context';
import { ConflictError } from '../errors';
import { PLANS } from '../model/plans';
import { logger } from '../observability/logger';
import { sustainedOverage } from '../quotas/quota-policies';
import { systemContextAndRecord } from '../tenancy/system-context';
import { reactivateTenant, suspendTenant } from './tenant-lifecycle';

/**
 * A `suspend` quota policy's suspension and its end (`quotas/quota-policies.ts`): a tenant still past
 * a resource's limit the policy's hours after it first went past is suspended, by the system
 * (audited, its running runs cancelled, its owners told, as any suspension); one a quota policy
 * suspended is reactivated once it is no longer past: a larger plan or overrides, or a new month.
 * Run by the use that finds the suspension due, by admission when a request reaches a tenant the
 * policy suspended, after a platform admin's plan change, and by the daily and monthly jobs.
 * Answers what it did.
 */
export async function enforceQuotaPolicies(
  tenantId: string,
  now: Date,
  requestId = `quota-policy:${now.toISOString()}`,
): Promise<'suspended' | 'reactivated' | 'unchanged'> {
  const found = await systemContextAndRecord(tenantId, requestId, 'quota-policy');
  if (!found) return 'unchanged';
  const ctx = { ...found.ctx, receivedAt: now };
  const { status, suspendedBy } = found.tenant;
  // Only an active tenant is suspended, and only a quota policy's suspension is lifted.
  if (status !== 'active' && !(status === 'suspended' && suspendedBy === 'quota_policy')) return 'unchanged';
  return runWithTenantContext(ctx, async () => {
    const sustained = await sustainedOverage(ctx, now);
    try {
      if (ctx.tenantStatus === 'active') {
        const [first] = sustained;
        if (!first) return 'unchanged';
        await suspendTenant(
          ctx,
          {
            reason: `Past its limit of ${first.limit.toLocaleString('en-US')} ${first.resource} this month since ${first.overSince}: suspended by the ${PLANS[ctx.plan].name} plan’s quota policy until the next month begins or it moves to a larger plan.`,
            by: 'quota_policy',
          },
          now,
        );
        return 'suspended';
      }
      if (sustained.length > 0) return 'unchanged';
      await reactivateTenant(ctx, 'quota_policy');
      return 'reactivated';
    } catch (error) {
      // Suspended or reactivated by someone else meanwhile.
      if (error instanceof ConflictError) return 'unchanged';
      throw error;
    }
  });
}

/** The same, where it must not fail its caller (a change that already happened). */
export function enforceQuotaPoliciesAfter(tenantId: string, now: Date): Promise<void> {
  return enforceQuotaPolicies(tenantId, now).then(
    () => undefined,
    (error: unknown) =>
      logger.error('Quota policies could not be enforced after a change', { error, tenantId }),
  );
}
