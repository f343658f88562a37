import { runWithTenantContext, type TenantContext } from '../context/tenant-context';
import { loadTenant } from '../data/cached-records';
import { ChildTenantEntity } from '../data/entities/child-tenant';
import { NotFoundError } from '../errors';
import type { HealthReasonCode, HealthStatus } from '../model/operator-figures';
import { poolsDrawn } from '../model/entitlements';
import type { QuotaResource } from '../model/plans';
import { systemContextOf } from '../tenancy/system-context';
import { healthAndQuotas } from './tenant-health';

/** What a partner sees of a child's health: the verdict and its reasons' codes, no figures or names. */
export interface ChildHealthView {
  childId: string;
  status: HealthStatus;
  reasons: Array<{ code: HealthReasonCode; severity: 'warning' | 'critical' }>;
  /**
   * Its use of each quota against its limit (this month's for the monthly ones): what the partner
   * gave it, pools with it and may pay for. Figures of use only, none of what it is used for.
   */
  usage: Array<{
    resource: QuotaResource;
    period: string;
    used: number;
    limit: number | null;
    pooledFrom: string | null;
  }>;
  checkedAt: string;
}

const childNotFound = () => new NotFoundError('No tenant with this id below this one.', 'child_not_found');

/**
 * A tenant below the caller's, as healthy as its own health report says (`tenantHealth`), reduced
 * to what a partner may know without a delegation: the status and the reasons' codes and severities
 * (a quota used up, a failed payment, errors, a disabled endpoint), none of their figures, addresses
 * or words. The child is proved to be below the caller from the caller's own partition first; its
 * report is then computed in the child's partition as the platform's work for the partner (a system
 * context of the child, as jobs act), reading nothing else.
 */
export async function childHealth(ctx: TenantContext, childId: string): Promise<ChildHealthView> {
  const below = await ChildTenantEntity.get({ tenantId: ctx.tenantId, childId }).go({ consistent: true });
  if (!below.data) throw childNotFound();
  const child = await loadTenant(childId);
  if (!child) throw childNotFound();
  // The partner's record, for a child that draws on its pool (the partner is the caller).
  const partner = poolsDrawn(child).length > 0 ? await loadTenant(ctx.tenantId) : null;
  const childCtx: TenantContext = {
    ...systemContextOf(child, ctx.requestId, `partner:${ctx.tenantId}`, partner ?? undefined),
    ...(ctx.receivedAt ? { receivedAt: ctx.receivedAt } : {}),
  };
  const { health, quotas } = await runWithTenantContext(childCtx, () => healthAndQuotas(childCtx));
  return {
    childId,
    status: health.status,
    reasons: health.reasons.map((reason) => ({ code: reason.code, severity: reason.severity })),
    usage: quotas.map(({ resource, period, used, limit, pooledFrom }) => ({
      resource,
      period,
      used,
      limit,
      pooledFrom,
    })),
    checkedAt: health.checkedAt,
  };
}
