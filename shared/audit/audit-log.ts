import type { CreateEntityItem } from 'electrodb';
import { AuditEventEntity, type AuditEventItem } from '../data/entities/audit-event';
import { readPage, tenantList } from '../data/page';
import { allConditions } from '../data/filters';
import { newId } from '../ids';
import type { TenantContext } from '../context/tenant-context';
import type { Actor, AuditSource } from './actor';
import { expiresAfterDays } from '../data/ttl';

export interface AuditChange {
  action: string;
  targetType: string;
  targetId: string;
  before?: Record<string, unknown> | undefined;
  after?: Record<string, unknown> | undefined;
}

/**
 * Keeps only the fields that changed, on both sides, so an audit event says what moved and no more.
 */
export function changedFields(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): { before: Record<string, unknown>; after: Record<string, unknown> } {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  const b: Record<string, unknown> = {};
  const a: Record<string, unknown> = {};
  for (const key of keys) {
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) {
      b[key] = before[key] ?? null;
      a[key] = after[key] ?? null;
    }
  }
  return { before: b, after: a };
}

/** {@link changedFields} of two versions of a record, looking only at the fields a change names. */
export function changedFieldsOf<T extends object>(
  current: T,
  next: T,
  fields: readonly string[],
): { before: Record<string, unknown>; after: Record<string, unknown> } {
  const project = (item: T) => Object.fromEntries(fields.map((key) => [key, item[key as keyof T]]));
  return changedFields(project(current), project(next));
}

/** The audit item for a change, ready to put alone or inside the change's transaction. */
export function auditEventItem(
  tenantId: string,
  source: AuditSource,
  change: AuditChange,
  // The request's one "now" when the change is a request's; the clock for work that is not.
  now: Date = source.meta.receivedAt ?? new Date(),
): CreateEntityItem<typeof AuditEventEntity> {
  return {
    tenantId,
    auditId: newId('audit', now.getTime()),
    action: change.action,
    actorType: source.actor.type,
    actorId: source.actor.id,
    actorTenantId: source.actor.tenantId,
    actorIsPlatformAdmin: source.actor.isPlatformAdmin,
    targetType: change.targetType,
    targetId: change.targetId,
    before: change.before,
    after: change.after,
    sourceIp: source.meta.sourceIp,
    userAgent: source.meta.userAgent,
    requestId: source.meta.requestId,
    occurredAt: now.toISOString(),
    expiresAt: expiresAfterDays(now, source.retentionDays),
  };
}

/** Writes an audit event on its own, for acts that are not a DynamoDB write (a platform admin's read). */
export async function recordAuditEvent(
  tenantId: string,
  source: AuditSource,
  change: AuditChange,
): Promise<void> {
  await AuditEventEntity.create(auditEventItem(tenantId, source, change)).go({ response: 'none' });
}

export interface AuditQuery {
  limit: number;
  cursor?: string | undefined;
  action?: string | undefined;
  actorId?: string | undefined;
}

export interface AuditEventView {
  id: string;
  action: string;
  actor: { type: Actor['type']; id: string; tenantId?: string | undefined; platformAdmin: boolean };
  target: { type: string; id: string };
  before?: Record<string, unknown> | undefined;
  after?: Record<string, unknown> | undefined;
  sourceIp?: string | undefined;
  userAgent?: string | undefined;
  requestId?: string | undefined;
  occurredAt: string;
}

/**
 * An event as the reader may see it: a platform admin's own address and user agent are shown to
 * platform admins only, never to the tenant whose log records the admin's act.
 */
function toView(item: AuditEventItem, reader: TenantContext): AuditEventView {
  const hideSource = item.actorIsPlatformAdmin === true && !reader.principal.isPlatformAdmin;
  return {
    id: item.auditId,
    action: item.action,
    actor: {
      type: item.actorType,
      id: item.actorId,
      tenantId: item.actorTenantId,
      platformAdmin: item.actorIsPlatformAdmin ?? false,
    },
    target: { type: item.targetType, id: item.targetId },
    before: item.before as Record<string, unknown> | undefined,
    after: item.after as Record<string, unknown> | undefined,
    sourceIp: hideSource ? undefined : item.sourceIp,
    userAgent: hideSource ? undefined : item.userAgent,
    requestId: item.requestId,
    occurredAt: item.occurredAt,
  };
}

/** The tenant's audit log, newest first, filtered by action and actor. */
export async function listAuditEvents(
  ctx: TenantContext,
  query: AuditQuery,
): Promise<{ items: AuditEventView[]; nextCursor: string | null }> {
  return readPage(
    tenantList(ctx, 'audit'),
    query,
    (from) =>
      AuditEventEntity.query
        .byTenant({ tenantId: ctx.tenantId })
        .where((attr, op) =>
          allConditions([
            query.action ? op.eq(attr.action, query.action) : '',
            query.actorId ? op.eq(attr.actorId, query.actorId) : '',
          ]),
        )
        .go({ ...from, order: 'desc' }),
    (item) => toView(item, ctx),
  );
}

/** The most events one export returns; a larger log is exported in ranges (later: to S3). */
export const AUDIT_EXPORT_LIMIT = 10_000;

/** The whole audit log (up to the export limit), oldest first, one JSON object a line. */
export async function exportAuditEvents(
  ctx: TenantContext,
): Promise<{ ndjson: string; count: number; truncated: boolean }> {
  const result = await AuditEventEntity.query
    .byTenant({ tenantId: ctx.tenantId })
    .go({ order: 'asc', count: AUDIT_EXPORT_LIMIT + 1, pages: 'all' });
  const events = result.data.slice(0, AUDIT_EXPORT_LIMIT).map((item) => toView(item, ctx));
  return {
    ndjson: events.map((event) => JSON.stringify(event)).join('\n') + (events.length ? '\n' : ''),
    count: events.length,
    truncated: result.data.length > AUDIT_EXPORT_LIMIT,
  };
}
