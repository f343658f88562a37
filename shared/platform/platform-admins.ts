import { forgetPlatformAdmin } from '../data/cached-records';
import { platformDocumentClient } from '../data/clients';
import { readPage } from '../data/page';
import { PlatformAdminEntity, type PlatformAdminItem } from '../data/entities/platform-admin';
import { PlatformAuditEventEntity, type PlatformAuditEventItem } from '../data/entities/platform-audit-event';
import type { TransactionEntities } from '../data/service';
import { writeTransaction } from '../data/transactions';
import { ConflictError, NotFoundError } from '../errors';
import { newId } from '../ids';
import type { RequestMeta } from '../context/tenant-context';

/** Who acts on the platform: a platform admin's user id, or `system:<tool>` for the CLI and the seed. */
export interface PlatformActor {
  id: string;
  meta: RequestMeta;
}

export interface PlatformAdminView {
  userId: string;
  grantedBy: string;
  grantedAt: string;
}

export interface PlatformAuditEventView {
  id: string;
  action: string;
  actorId: string;
  target: { type: string; id: string };
  sourceIp: string | null;
  userAgent: string | null;
  requestId: string | null;
  occurredAt: string;
}

function toView(item: PlatformAdminItem): PlatformAdminView {
  return { userId: item.userId, grantedBy: item.grantedBy, grantedAt: item.grantedAt };
}

function auditItem(
  entities: TransactionEntities,
  actor: PlatformActor,
  action: string,
  userId: string,
  now: Date,
) {
  return entities.platformAuditEvent
    .create({
      auditId: newId('audit', now.getTime()),
      action,
      actorId: actor.id,
      targetType: 'user',
      targetId: userId,
      sourceIp: actor.meta.sourceIp,
      userAgent: actor.meta.userAgent,
      requestId: actor.meta.requestId,
      occurredAt: now.toISOString(),
    })
    .commit();
}

export async function listPlatformAdmins(): Promise<{ items: PlatformAdminView[] }> {
  const result = await PlatformAdminEntity.query.byUser({}).go({ pages: 'all' });
  return { items: result.data.map(toView) };
}

/**
 * Records a platform admin (with the Cognito group claim, the user then holds platform-admin
 * power), counts it and audits the grant, in one transaction. Granting an existing admin changes
 * nothing.
 */
export async function grantPlatformAdmin(
  actor: PlatformActor,
  userId: string,
  now: Date = actor.meta.receivedAt ?? new Date(),
): Promise<PlatformAdminView> {
  const existing = await PlatformAdminEntity.get({ userId }).go({ consistent: true });
  if (existing.data) return toView(existing.data);
  const record = { userId, grantedBy: actor.id, grantedAt: now.toISOString() };
  try {
    await writeTransaction(
      platformDocumentClient,
      (entities) => ({
        admin: entities.platformAdmin.create(record).commit(),
        count: entities.platformAdminCount.upsert({}).add({ count: 1 }).commit(),
        audit: auditItem(entities, actor, 'platform_admin.granted', userId, now),
      }),
      { admin: () => new ConflictError('Granted meanwhile.', 'concurrent_modification') },
    );
  } catch (error) {
    // Granted by someone else at the same moment: the record is what was asked for.
    const granted = await PlatformAdminEntity.get({ userId }).go({ consistent: true });
    if (granted.data) return toView(granted.data);
    throw error;
  }
  forgetPlatformAdmin(userId);
  return toView(record);
}

/**
 * Deletes a platform-admin record and audits it, in one transaction; the count's condition keeps
 * the last admin. Power ends at once in this instance and within the record cache time elsewhere.
 */
export async function revokePlatformAdmin(
  actor: PlatformActor,
  userId: string,
  now: Date = actor.meta.receivedAt ?? new Date(),
): Promise<void> {
  await writeTransaction(
    platformDocumentClient,
    (entities) => ({
      admin: entities.platformAdmin
        .delete({ userId })
        .where((attr, op) => op.exists(attr.userId))
        .commit(),
      count: entities.platformAdminCount
        .patch({})
        .subtract({ count: 1 })
        .where((attr, op) => op.gt(attr.count, 1))
        .commit(),
      audit: auditItem(entities, actor, 'platform_admin.revoked', userId, now),
    }),
    {
      admin: () => new NotFoundError('No platform-admin record for this user.', 'platform_admin_not_found'),
      count: () => new ConflictError('The last platform admin cannot be revoked.', 'last_platform_admin'),
    },
  );
  forgetPlatformAdmin(userId);
}

function toAuditView(item: PlatformAuditEventItem): PlatformAuditEventView {
  return {
    id: item.auditId,
    action: item.action,
    actorId: item.actorId,
    target: { type: item.targetType, id: item.targetId },
    sourceIp: item.sourceIp ?? null,
    userAgent: item.userAgent ?? null,
    requestId: item.requestId ?? null,
    occurredAt: item.occurredAt,
  };
}

/** The platform's own audit log (grants and revocations of platform admins), newest first. */
export async function listPlatformAuditEvents(query: {
  limit: number;
  cursor?: string | undefined;
}): Promise<{ items: PlatformAuditEventView[]; nextCursor: string | null }> {
  return readPage(
    { name: 'platform-audit', partition: 'PLATFORM#AUDIT' },
    query,
    (from) => PlatformAuditEventEntity.query.byTime({}).go({ ...from, order: 'desc' }),
    toAuditView,
  );
}
