import { auditSourceOf } from '../audit/actor';
import { auditedAlsoIn, writeAudited } from '../audit/audited-transaction';
import { principalId, requestTime, type TenantContext } from '../context/tenant-context';
import { forgetGrantedDelegations, loadTenant } from '../data/cached-records';
import { platformDocumentClient } from '../data/clients';
import { ChildTenantEntity } from '../data/entities/child-tenant';
import { DelegationEntity, type DelegationItem } from '../data/entities/delegation';
import {
  delegationStatus,
  type DelegatedRole,
  type DelegationState,
  type DelegationStatus,
} from '../model/delegations';
import { readPage, tenantList, type Page } from '../data/page';
import type { TransactionEntities, TransactionItem } from '../data/service';
import { ConflictError, NotFoundError } from '../errors';
import { announce } from '../events/publish';
import { newId } from '../ids';

const DAY_MS = 86_400_000;

export interface DelegationView {
  id: string;
  /** `granted`: this tenant let a partner in; `held`: this tenant (the partner) may act in a child. */
  side: 'granted' | 'held';
  partner: { id: string; name: string };
  child: { id: string; name: string };
  /** The highest role the partner's people act under in the child (each acts under no more than their own role in the partner). */
  role: DelegatedRole;
  durationDays: number;
  reason: string | null;
  status: DelegationStatus;
  requestedBy: { id: string; email: string | null };
  requestedAt: string;
  approvedBy: string | null;
  approvedAt: string | null;
  expiresAt: string | null;
  endedBy: string | null;
  endedAt: string | null;
}

/** A delegation that a new request may not replace: pending, or approved and not yet expired. */
function isLive(item: DelegationItem, now: Date): boolean {
  const status = delegationStatus(item, now);
  return status === 'pending' || status === 'active';
}

function toView(item: DelegationItem, now: Date): DelegationView {
  return {
    id: item.delegationId,
    side: item.side,
    partner: { id: item.partnerId, name: item.partnerName },
    child: { id: item.childId, name: item.childName },
    role: item.role,
    durationDays: item.durationDays,
    reason: item.reason ?? null,
    status: delegationStatus(item, now),
    requestedBy: { id: item.requestedBy, email: item.requestedByEmail ?? null },
    requestedAt: item.requestedAt,
    approvedBy: item.approvedBy ?? null,
    approvedAt: item.approvedAt ?? null,
    expiresAt: item.expiresAt ?? null,
    endedBy: item.endedBy ?? null,
    endedAt: item.endedAt ?? null,
  };
}

const delegationNotFound = () =>
  new NotFoundError('No delegation between this tenant and the one named.', 'delegation_not_found');

/** The two records of a delegation: the `granted` one in the child's partition, the `held` one in the partner's. */
function keysOf(item: Pick<DelegationItem, 'partnerId' | 'childId'>) {
  return {
    granted: { tenantId: item.childId, side: 'granted' as const, counterpartId: item.partnerId },
    held: { tenantId: item.partnerId, side: 'held' as const, counterpartId: item.childId },
  };
}

/**
 * Both records of a delegation changed alike in one transaction, each on the condition that it is
 * still the delegation (and the state) that was read: a race between the two sides (an approval
 * and a withdrawal) has one winner.
 */
function updateBoth(
  entities: TransactionEntities,
  current: DelegationItem,
  set: Partial<
    Pick<DelegationItem, 'status' | 'approvedBy' | 'approvedAt' | 'expiresAt' | 'endedBy' | 'endedAt'>
  >,
): { granted: TransactionItem; held: TransactionItem } {
  const keys = keysOf(current);
  const update = (key: typeof keys.granted | typeof keys.held) =>
    entities.delegation
      .patch(key)
      .set(set)
      .where(
        (attr, op) =>
          `${op.eq(attr.delegationId, current.delegationId)} AND ${op.eq(attr.status, current.status)}`,
      )
      .commit();
  return { granted: update(keys.granted), held: update(keys.held) };
}

const changedMeanwhile = () =>
  new ConflictError('The delegation changed meanwhile; read it again.', 'concurrent_modification');

export interface DelegationRequest {
  childId: string;
  role: DelegatedRole;
  durationDays: number;
  reason?: string | undefined;
}

/**
 * A partner asks for access to a tenant below it (its child, or deeper): a pending delegation, in
 * both tenants' partitions and audit logs in one transaction, which the child's owners are told of
 * and one of them approves. Refused while another delegation between the two is pending or live
 * (409 `delegation_exists`); an ended or expired one is replaced.
 */
export async function requestDelegation(
  ctx: TenantContext,
  input: DelegationRequest,
): Promise<DelegationView> {
  const now = requestTime(ctx);
  const [child, existing, partner] = await Promise.all([
    ChildTenantEntity.get({ tenantId: ctx.tenantId, childId: input.childId }).go({ consistent: true }),
    DelegationEntity.get({ tenantId: ctx.tenantId, side: 'held', counterpartId: input.childId }).go({
      consistent: true,
    }),
    // Only its name, for the child's people to read: admission read the record already (cached).
    loadTenant(ctx.tenantId),
  ]);
  if (!child.data) {
    throw new NotFoundError('No tenant with this id below this one.', 'child_not_found');
  }
  if (child.data.status === 'deleted') {
    throw new ConflictError('The tenant has been deleted.', 'tenant_deleted');
  }
  const previous = existing.data;
  if (previous && isLive(previous, now)) {
    throw new ConflictError(
      'A delegation to this tenant is pending or in force already; end it first.',
      'delegation_exists',
      { delegationId: previous.delegationId, delegationStatus: delegationStatus(previous, now) },
    );
  }
  const at = now.toISOString();
  const email = ctx.principal.type === 'user' ? ctx.principal.email : undefined;
  const base = {
    delegationId: newId('delegation', now.getTime()),
    partnerId: ctx.tenantId,
    childId: input.childId,
    partnerName: partner?.name ?? ctx.tenantId,
    childName: child.data.name,
    role: input.role,
    durationDays: input.durationDays,
    ...(input.reason ? { reason: input.reason } : {}),
    status: 'pending' as const,
    requestedBy: principalId(ctx.principal),
    ...(email ? { requestedByEmail: email } : {}),
    requestedAt: at,
    createdAt: at,
    updatedAt: at,
  };
  const keys = keysOf(base);
  const change = {
    action: 'delegation.requested',
    targetType: 'delegation',
    targetId: base.delegationId,
    after: {
      partnerId: base.partnerId,
      childId: base.childId,
      role: base.role,
      durationDays: base.durationDays,
      ...(input.reason ? { reason: input.reason } : {}),
    },
  };
  // Put over an ended delegation or none; the one read, so two requests at once make one.
  const put = (entities: TransactionEntities, key: typeof keys.granted | typeof keys.held) =>
    entities.delegation
      .put({ ...base, ...key })
      .where((attr, op) =>
        previous ? op.eq(attr.delegationId, previous.delegationId) : op.notExists(attr.delegationId),
      )
      .commit();
  const exists = () =>
    new ConflictError('Another delegation to this tenant was asked for meanwhile.', 'delegation_exists');
  await writeAudited(
    ctx,
    change,
    (entities) => ({
      child: entities.childTenant
        .check({ tenantId: ctx.tenantId, childId: input.childId })
        .where((attr, op) => `${op.exists(attr.childId)} AND ${op.ne(attr.status, 'deleted')}`)
        .commit(),
      held: put(entities, keys.held),
      granted: put(entities, keys.granted),
      childAudit: auditedAlsoIn(entities, input.childId, auditSourceOf(ctx), change, now),
    }),
    {
      now,
      client: platformDocumentClient,
      rejections: {
        held: exists,
        granted: exists,
        child: () => new ConflictError('The tenant has been deleted.', 'tenant_deleted'),
      },
    },
  );
  await announce(
    input.childId,
    'delegation.requested',
    {
      delegationId: base.delegationId,
      partnerName: base.partnerName,
      role: base.role,
      durationDays: base.durationDays,
      requestedBy: email ?? base.requestedBy,
      ...(input.reason ? { reason: input.reason } : {}),
    },
    now,
  );
  return toView({ ...base, ...keys.held }, now);
}

/** The delegation between the caller's tenant and `counterpartId`, from the caller's partition. */
async function readDelegation(ctx: TenantContext, counterpartId: string): Promise<DelegationItem> {
  const [granted, held] = await Promise.all([
    DelegationEntity.get({ tenantId: ctx.tenantId, side: 'granted', counterpartId }).go({ consistent: true }),
    DelegationEntity.get({ tenantId: ctx.tenantId, side: 'held', counterpartId }).go({ consistent: true }),
  ]);
  const found = granted.data ?? held.data;
  if (!found) throw delegationNotFound();
  return found;
}

export async function getDelegation(ctx: TenantContext, counterpartId: string): Promise<DelegationView> {
  return toView(await readDelegation(ctx, counterpartId), requestTime(ctx));
}

/** Both sides' delegations of the tenant (those it granted, those it holds), a page at a time. */
export async function listDelegations(
  ctx: TenantContext,
  query: { limit: number; cursor?: string | undefined; side?: 'granted' | 'held' | undefined },
): Promise<Page<DelegationView>> {
  const now = requestTime(ctx);
  return readPage(
    tenantList(ctx, `delegations${query.side ?? ''}`),
    query,
    (from) =>
      (query.side
        ? DelegationEntity.query.byTenant({ tenantId: ctx.tenantId, side: query.side })
        : DelegationEntity.query.byTenant({ tenantId: ctx.tenantId })
      ).go(from),
    (item) => toView(item, now),
  );
}

/**
 * The child's owner approves a pending delegation, the one they were shown (`delegationId`): it is
 * in force from now for its duration. Audited in both tenants; the partner's owners are told.
 */
export async function approveDelegation(
  ctx: TenantContext,
  partnerId: string,
  input: { delegationId: string },
): Promise<DelegationView> {
  const now = requestTime(ctx);
  const current = await readDelegation(ctx, partnerId);
  if (current.side !== 'granted' || current.delegationId !== input.delegationId) throw delegationNotFound();
  if (current.status !== 'pending') {
    throw new ConflictError(
      `The delegation is ${delegationStatus(current, now)}: only a pending one can be approved.`,
      'delegation_not_pending',
      { delegationStatus: delegationStatus(current, now) },
    );
  }
  const approved: DelegationItem = {
    ...current,
    status: 'active',
    approvedBy: principalId(ctx.principal),
    approvedAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + current.durationDays * DAY_MS).toISOString(),
  };
  const change = {
    action: 'delegation.approved',
    targetType: 'delegation',
    targetId: current.delegationId,
    before: { status: current.status },
    after: { status: 'active', role: current.role, expiresAt: approved.expiresAt },
  };
  await writeAudited(
    ctx,
    change,
    (entities) => ({
      ...updateBoth(entities, current, {
        status: 'active',
        approvedBy: approved.approvedBy,
        approvedAt: approved.approvedAt,
        expiresAt: approved.expiresAt,
      }),
      partnerAudit: auditedAlsoIn(entities, current.partnerId, auditSourceOf(ctx), change, now),
    }),
    {
      now,
      client: platformDocumentClient,
      rejections: { granted: changedMeanwhile, held: changedMeanwhile },
    },
  );
  forgetGrantedDelegations(current.childId);
  await announce(
    current.partnerId,
    'delegation.approved',
    {
      delegationId: current.delegationId,
      childId: current.childId,
      childName: current.childName,
      role: current.role,
      expiresAt: approved.expiresAt ?? '',
    },
    now,
  );
  return toView(approved, now);
}

/**
 * Either side ends a delegation: the child declines a pending one or revokes one in force, the
 * partner withdraws its request or gives up one in force. Access ends at once in the function that
 * served this, within the membership cache's seconds elsewhere. Audited in both; the other side's
 * owners are told. Ending an ended delegation is answered with it, unchanged.
 */
export async function endDelegation(ctx: TenantContext, counterpartId: string): Promise<DelegationView> {
  const now = requestTime(ctx);
  const current = await readDelegation(ctx, counterpartId);
  const status = delegationStatus(current, now);
  if (status !== 'pending' && status !== 'active') return toView(current, now);
  const ended: DelegationState =
    status === 'pending' ? (current.side === 'granted' ? 'declined' : 'withdrawn') : 'revoked';
  const set = { status: ended, endedBy: principalId(ctx.principal), endedAt: now.toISOString() };
  const change = {
    action: `delegation.${ended}`,
    targetType: 'delegation',
    targetId: current.delegationId,
    before: { status },
    after: { status: ended },
  };
  const otherTenantId = current.side === 'granted' ? current.partnerId : current.childId;
  await writeAudited(
    ctx,
    change,
    (entities) => ({
      ...updateBoth(entities, current, set),
      otherAudit: auditedAlsoIn(entities, otherTenantId, auditSourceOf(ctx), change, now),
    }),
    {
      now,
      client: platformDocumentClient,
      rejections: { granted: changedMeanwhile, held: changedMeanwhile },
    },
  );
  forgetGrantedDelegations(current.childId);
  await announce(
    otherTenantId,
    'delegation.ended',
    {
      delegationId: current.delegationId,
      partnerName: current.partnerName,
      childName: current.childName,
      status: ended,
      endedBy: ctx.principal.type === 'user' ? (ctx.principal.email ?? set.endedBy) : set.endedBy,
    },
    now,
  );
  return toView({ ...current, ...set }, now);
}
