import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { TenantContext } from '../context/tenant-context';
import { platformDocumentClient } from '../data/clients';
import { isPoolable, type QuotaResource } from '../model/plans';

/**
 * Where a tenant's use of a resource is counted, and under which ceiling. Most tenants count their
 * own use on their own counters. A partner's child that draws on the partner's pool of a monthly
 * resource (`TenantContext.pools`) counts it on the partner's own counter of it, the one the partner
 * counts its own use on, under the partner's limit: the pool is that counter, so the same
 * conditional update (and for a hot pool, the same leases) admits the partner and all its pooled
 * children together and never past the partner's ceiling. The child's hourly usage stays in its own
 * partition (what the partner sees of each child, and bills by).
 */

/** The partner's pool the tenant draws this resource from, if it does. */
export function poolOf(ctx: Pick<TenantContext, 'pools'>, resource: QuotaResource) {
  return isPoolable(resource) ? ctx.pools?.[resource] : undefined;
}

/** Whether the tenant draws this resource from its partner's pool. */
export function isPooled(ctx: Pick<TenantContext, 'pools'>, resource: QuotaResource): boolean {
  return poolOf(ctx, resource) !== undefined;
}

/** The tenant whose counter of this resource the tenant's use goes on: its partner's for a pool. */
export function counterOwner(
  ctx: Pick<TenantContext, 'tenantId' | 'pools'>,
  resource: QuotaResource,
): string {
  return poolOf(ctx, resource)?.tenantId ?? ctx.tenantId;
}

/**
 * The client a counter of this resource is written with: the tenant's own (guarded to its partition)
 * for its own counter; the platform's for a pool's, the one item of another partition a tenant's
 * request writes, named by the tenant's own record and not by anything in the request.
 */
export function counterClient(
  ctx: Pick<TenantContext, 'pools'>,
  resource: QuotaResource,
): DynamoDBDocumentClient | undefined {
  return isPooled(ctx, resource) ? platformDocumentClient : undefined;
}
