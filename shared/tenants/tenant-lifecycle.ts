import { getConfig } from '../config';
import { ChildTenantEntity } from '../data/entities/child-tenant';
import { principalId, requestTime, type TenantContext } from '../context/tenant-context';
import { ConflictError, ValidationError } from '../errors';
import { announce } from '../events/publish';
import { cancelRunningRuns } from '../runs/run-cancellation';
import { mutateTenant } from './tenant-mutation';
import type { TenantView } from './tenant-view';

const config = getConfig();

/**
 * A platform admin suspends a tenant. The tenant sees `reason`; `internalNote` stays with platform
 * admins (on the record, never in the tenant's audit log). From the next tenant read every request
 * is refused but reading the tenant, its audit log and its billing (owners and admins), and API keys
 * are refused everywhere. Its running runs are cancelled with the reason, and its owners are told by
 * email.
 */
export async function suspendTenant(
  ctx: TenantContext,
  input: { reason: string; internalNote?: string | undefined; by?: 'quota_policy' | undefined },
  now: Date = requestTime(ctx),
): Promise<TenantView> {
  const view = await mutateTenant(ctx, 'tenant.suspended', (current) => {
    if (current.status === 'suspended')
      throw new ConflictError('The tenant is already suspended.', 'already_suspended');
    return {
      status: 'suspended',
      statusReason: input.reason,
      internalNote: input.internalNote,
      ...(input.by ? { suspendedBy: input.by } : {}),
    };
  });
  const cancelled = await cancelRunningRuns(ctx, input.reason, now);
  await announce(ctx.tenantId, 'tenant.suspended', { reason: input.reason, runsCancelled: cancelled }, now);
  return view;
}

export async function reactivateTenant(
  ctx: TenantContext,
  /** Only a suspension of this cause (a quota policy's, lifted by itself). */
  only?: 'quota_policy',
): Promise<TenantView> {
  const view = await mutateTenant(ctx, 'tenant.reactivated', (current) => {
    if (current.status !== 'suspended' || (only && current.suspendedBy !== only))
      throw new ConflictError('Only a suspended tenant can be reactivated.', 'not_suspended');
    return { status: 'active', statusReason: '', internalNote: undefined, suspendedBy: undefined };
  });
  await announce(ctx.tenantId, 'tenant.reactivated', {}, requestTime(ctx));
  return view;
}

/**
 * Deletes a tenant, confirmed with its slug: it becomes `deleted` at once (every member's and key's
 * request is refused from the next tenant read), keeps its data until `purgeAfter` (the retention
 * window, `TENANT_DELETION_RETENTION_DAYS`). Billing reacts to its `tenant.deleted` event by cancelling
 * the subscription through its outbox. Audited; the status it had comes back on restoration.
 */
export async function deleteTenant(
  ctx: TenantContext,
  input: { confirm: string },
  now: Date = requestTime(ctx),
): Promise<TenantView> {
  // A partner's customers own their tenants: it goes only once none is below it (each deleted and
  // purged, its own owners' decision), so no tenant is left under a parent that is gone.
  const below = await ChildTenantEntity.query.byTenant({ tenantId: ctx.tenantId }).go({ limit: 1 });
  if (below.data.length > 0) {
    throw new ConflictError(
      'Tenants are below this one: it can be deleted once each of them is deleted and purged.',
      'tenant_has_children',
    );
  }
  const view = await mutateTenant(ctx, 'tenant.deleted', (current) => {
    if (input.confirm !== current.slug) {
      throw new ValidationError(
        'To delete the tenant, send its slug as confirm.',
        [{ path: 'confirm', message: 'must be the tenant’s slug, exactly' }],
        'confirmation_mismatch',
      );
    }
    return {
      status: 'deleted',
      statusBeforeDeletion: current.status === 'suspended' ? 'suspended' : 'active',
      // Billing cancels the subscription on `tenant.deleted`: its plan is offered again on restore.
      ...(current.subscriptionId ? { planBeforeDeletion: current.plan } : {}),
      deletedAt: now.toISOString(),
      deletedBy: principalId(ctx.principal),
      purgeAfter: new Date(now.getTime() + config.tenants.deletionRetentionDays * 86_400_000).toISOString(),
    };
  });
  await announce(ctx.tenantId, 'tenant.deleted', { purgeAfter: view.purgeAfter ?? '' }, now);
  return view;
}

/**
 * Restores a deleted tenant within its retention window, to the status it had (a suspension stays).
 * Its subscription was cancelled with the deletion: it is on the plan Stripe's cancellation left it
 * (Free); the paid plan it had is offered again (`resumablePlan`, in the owners' email and on the
 * console's billing page) until a plan is bought.
 */
export async function restoreTenant(ctx: TenantContext, now: Date = requestTime(ctx)): Promise<TenantView> {
  const view = await mutateTenant(ctx, 'tenant.restored', (current) => {
    if (current.status !== 'deleted')
      throw new ConflictError('Only a deleted tenant can be restored.', 'not_deleted');
    if (current.purgeAfter && current.purgeAfter <= now.toISOString()) {
      throw new ConflictError(
        'The tenant is past its retention window and can no longer be restored.',
        'retention_ended',
      );
    }
    const status = current.statusBeforeDeletion ?? 'active';
    return {
      status,
      ...(status === 'active' ? { statusReason: undefined } : {}),
      statusBeforeDeletion: undefined,
      deletedAt: undefined,
      deletedBy: undefined,
      purgeAfter: undefined,
    };
  });
  await announce(
    ctx.tenantId,
    'tenant.restored',
    {
      status: view.status,
      ...(view.resumablePlan ? { planBeforeDeletion: view.resumablePlan } : {}),
    },
    now,
  );
  return view;
}
