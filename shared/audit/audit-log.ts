import type { CreateEntityItem } from 'electrodb';
import { AuditEventEntity, type AuditEventItem } from '../data/entities/audit-event';
import { readPage, tenantList } from '../data/page';
import { allConditions } from '../data/filters';
import { newId } from '../ids';
import type { TenantContext } from '../context/tenant-context';
import type { Actor, AuditSource } from './actor';
import { stringify } from 'csv-stringify/sync';
import { EmailClaimEntity } from '../data/entities/email-claim';
import { MembershipEntity } from '../data/entities/membership';
import { assertTimeRange } from '../errors';
import { idBoundAt } from '../ids';

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
    ...(source.actor.email ? { actorEmail: source.actor.email } : {}),
    ...(source.actor.actingFor
      ? {
          actorActingFor: source.actor.actingFor.tenantId,
          actorDelegationId: source.actor.actingFor.delegationId,
        }
      : {}),
    targetType: change.targetType,
    targetId: change.targetId,
    before: change.before,
    after: change.after,
    sourceIp: source.meta.sourceIp,
    userAgent: source.meta.userAgent,
    requestId: source.meta.requestId,
    occurredAt: now.toISOString(),
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
  /** The acting person, by email (their id, through the directory). */
  actorEmail?: string | undefined;
  /** Events at or after this time, and at or before `to`. */
  from?: string | undefined;
  to?: string | undefined;
}

export interface AuditEventView {
  id: string;
  action: string;
  actor: {
    type: Actor['type'];
    id: string;
    email: string | null;
    tenantId?: string | undefined;
    platformAdmin: boolean;
    actingFor: { tenantId: string; delegationId: string } | null;
  };
  target: { type: string; id: string; email: string | null };
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
function toView(
  item: AuditEventItem,
  reader: TenantContext,
  emails: ReadonlyMap<string, string>,
): AuditEventView {
  const hideSource = item.actorIsPlatformAdmin === true && !reader.principal.isPlatformAdmin;
  const actorEmail = hideSource ? undefined : (item.actorEmail ?? emails.get(item.actorId));
  return {
    id: item.auditId,
    action: item.action,
    actor: {
      type: item.actorType,
      id: item.actorId,
      email: actorEmail ?? null,
      tenantId: item.actorTenantId,
      platformAdmin: item.actorIsPlatformAdmin ?? false,
      actingFor:
        item.actorActingFor && item.actorDelegationId
          ? { tenantId: item.actorActingFor, delegationId: item.actorDelegationId }
          : null,
    },
    target: {
      type: item.targetType,
      id: item.targetId,
      email: item.targetType === 'user' ? (emails.get(item.targetId) ?? null) : null,
    },
    before: item.before as Record<string, unknown> | undefined,
    after: item.after as Record<string, unknown> | undefined,
    sourceIp: hideSource ? undefined : item.sourceIp,
    userAgent: hideSource ? undefined : item.userAgent,
    requestId: item.requestId,
    occurredAt: item.occurredAt,
  };
}

/**
 * The emails of the people a page of events names, from their memberships (one batch read): for the
 * events written before the actor's email was kept, and for every event about a user. A person no
 * longer a member keeps the email their event recorded, or shows by id.
 */
async function emailsOf(ctx: TenantContext, items: readonly AuditEventItem[]): Promise<Map<string, string>> {
  const ids = new Set<string>();
  for (const item of items) {
    if (item.actorType === 'user' && !item.actorEmail) ids.add(item.actorId);
    if (item.targetType === 'user') ids.add(item.targetId);
  }
  const emails = new Map<string, string>();
  if (ids.size === 0) return emails;
  const found = await MembershipEntity.get([...ids].map((userId) => ({ tenantId: ctx.tenantId, userId }))).go(
    {
      attributes: ['userId', 'email'],
    },
  );
  for (const membership of found.data) emails.set(membership.userId, membership.email);
  return emails;
}

/**
 * The person an email names in the directory; `undefined` when no one has it. The address comes
 * lower-cased from the edge (`emailAddress`), as the directory keys it.
 */
async function userIdOf(email: string): Promise<string | undefined> {
  return (await EmailClaimEntity.get({ email }).go()).data?.userId;
}

/**
 * The tenant's audit log, newest first, filtered by action, by actor (id or email) and by time
 * (`from`/`to`: from the first id of `from` on, each event by its own time), with each person's email.
 */
export async function listAuditEvents(
  ctx: TenantContext,
  query: AuditQuery,
): Promise<{ items: AuditEventView[]; nextCursor: string | null }> {
  assertTimeRange(query.from, query.to);
  const actorId = query.actorEmail ? await userIdOf(query.actorEmail) : query.actorId;
  // An email no one has acted with: nothing to read.
  if (query.actorEmail && !actorId) return { items: [], nextCursor: null };
  // An id is never older than its event (ids are monotonic: one made for an earlier time takes the
  // latest time its process has seen), so `from` bounds the read safely; the event's own time
  // decides the rest.
  const since = query.from ? new Date(query.from) : undefined;
  const until = query.to ? new Date(query.to) : undefined;
  const low = idBoundAt('audit', since ? since.getTime() : 0, 'low');
  const page = await readPage(
    tenantList(ctx, 'audit'),
    query,
    (from) =>
      AuditEventEntity.query
        .byTenant({ tenantId: ctx.tenantId })
        .gte({ auditId: low })
        .where((attr, op) =>
          allConditions([
            query.action ? op.eq(attr.action, query.action) : '',
            actorId ? op.eq(attr.actorId, actorId) : '',
            since ? op.gte(attr.occurredAt, since.toISOString()) : '',
            until ? op.lte(attr.occurredAt, until.toISOString()) : '',
          ]),
        )
        .go({ ...from, order: 'desc' }),
    (item) => item,
  );
  const emails = await emailsOf(ctx, page.items);
  return { items: page.items.map((item) => toView(item, ctx, emails)), nextCursor: page.nextCursor };
}

/** The columns of the CSV export, one event a row (`before` and `after` as JSON). */
const CSV_COLUMNS = [
  'occurredAt',
  'action',
  'actorType',
  'actorId',
  'actorEmail',
  'platformAdmin',
  'targetType',
  'targetId',
  'targetEmail',
  'before',
  'after',
  'sourceIp',
  'userAgent',
  'requestId',
] as const;

/**
 * Events as CSV (RFC 4180, with a header row), by `csv-stringify`. A cell a spreadsheet would run as
 * a formula (starting with `=`, `+`, `-`, `@`, a tab or a return) gets a leading `'`, as OWASP
 * advises for CSV injection.
 */
export function auditCsv(events: readonly AuditEventView[]): string {
  const cell = (value: unknown): string => {
    const text =
      value === undefined || value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value);
    return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  };
  return stringify(
    events.map((event) =>
      [
        event.occurredAt,
        event.action,
        event.actor.type,
        event.actor.id,
        event.actor.email,
        event.actor.platformAdmin,
        event.target.type,
        event.target.id,
        event.target.email,
        event.before,
        event.after,
        event.sourceIp,
        event.userAgent,
        event.requestId,
      ].map(cell),
    ),
    { header: true, columns: [...CSV_COLUMNS], record_delimiter: 'windows' },
  );
}

/** The most events one export returns; a larger log is exported in ranges (later: to S3). */
export const AUDIT_EXPORT_LIMIT = 10_000;

/** The whole audit log (up to the export limit), oldest first, one JSON object a line. */
export async function exportAuditEvents(
  ctx: TenantContext,
  format: 'ndjson' | 'csv' = 'ndjson',
): Promise<{ body: string; contentType: string; count: number; truncated: boolean }> {
  const result = await AuditEventEntity.query
    .byTenant({ tenantId: ctx.tenantId })
    .go({ order: 'asc', count: AUDIT_EXPORT_LIMIT + 1, pages: 'all' });
  const items = result.data.slice(0, AUDIT_EXPORT_LIMIT);
  const emails = await emailsOf(ctx, items);
  const events = items.map((item) => toView(item, ctx, emails));
  return {
    body:
      format === 'csv'
        ? auditCsv(events)
        : events.map((event) => JSON.stringify(event)).join('\n') + (events.length ? '\n' : ''),
    contentType: format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson',
    count: events.length,
    truncated: result.data.length > AUDIT_EXPORT_LIMIT,
  };
}
