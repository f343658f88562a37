import { forgetPlatformAdmin } from '../data/cached-records';
import { platformDocumentClient } from '../data/clients';
import { readPage } from '../data/page';
import { PlatformAdminEntity, type PlatformAdminItem } from '../data/entities/platform-admin';
import { PlatformAuditEventEntity, type PlatformAuditEventItem } from '../data/entities/platform-audit-event';
import type { TransactionEntities } from '../data/service';
import { writeTransaction } from '../data/transactions';
import { ConflictError, NotFoundError } from '../errors';
import { newId } from '../ids';
import { EmailClaimEntity } from '../data/entities/email-claim';
import { normalizedEmail } from '../identity/directory-person';
import { addToPlatformAdminGroup, removeFromPlatformAdminGroup } from '../identity/user-directory';
import type { RequestMeta } from '../context/tenant-context';

/** Who acts on the platform: a platform admin's user id, or `system:<tool>` for the CLI and the seed. */
export interface PlatformActor {
  id: string;
  /** The acting admin's email, where the actor is a person. */
  email?: string | undefined;
  meta: RequestMeta;
}

export interface PlatformAdminView {
  userId: string;
  email: string | null;
  grantedBy: string;
  grantedByEmail: string | null;
  grantedAt: string;
}

export interface PlatformAuditEventView {
  id: string;
  action: string;
  actorId: string;
  actorEmail: string | null;
  target: { type: string; id: string; email: string | null };
  sourceIp: string | null;
  userAgent: string | null;
  requestId: string | null;
  occurredAt: string;
}

function toView(item: PlatformAdminItem): PlatformAdminView {
  return {
    userId: item.userId,
    email: item.email ?? null,
    grantedBy: item.grantedBy,
    grantedByEmail: item.grantedByEmail ?? null,
    grantedAt: item.grantedAt,
  };
}

function auditItem(
  entities: TransactionEntities,
  actor: PlatformActor,
  action: string,
  target: { userId: string; email?: string | undefined },
  now: Date,
) {
  return entities.platformAuditEvent
    .create({
      auditId: newId('audit', now.getTime()),
      action,
      actorId: actor.id,
      ...(actor.email ? { actorEmail: actor.email } : {}),
      targetType: 'user',
      targetId: target.userId,
      ...(target.email ? { targetEmail: target.email } : {}),
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
  options: { now?: Date | undefined; email?: string | undefined } = {},
): Promise<PlatformAdminView> {
  const { now = actor.meta.receivedAt ?? new Date(), email } = options;
  const existing = await PlatformAdminEntity.get({ userId }).go({ consistent: true });
  if (existing.data) return toView(existing.data);
  const record = {
    userId,
    grantedBy: actor.id,
    grantedAt: now.toISOString(),
    ...(email ? { email } : {}),
    ...(actor.email ? { grantedByEmail: actor.email } : {}),
  };
  try {
    await writeTransaction(
      platformDocumentClient,
      (entities) => ({
        admin: entities.platformAdmin.create(record).commit(),
        count: entities.platformAdminCount.upsert({}).add({ count: 1 }).commit(),
        audit: auditItem(entities, actor, 'platform_admin.granted', { userId, email }, now),
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
  const email = (await PlatformAdminEntity.get({ userId }).go({ consistent: true })).data?.email;
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
      audit: auditItem(entities, actor, 'platform_admin.revoked', { userId, email }, now),
    }),
    {
      admin: () => new NotFoundError('No platform-admin record for this user.', 'platform_admin_not_found'),
      count: () => new ConflictError('The last platform admin cannot be revoked.', 'last_platform_admin'),
    },
  );
  forgetPlatformAdmin(userId);
  // The power ended with the record; the group claim goes too, so a new token no longer says it.
  if (email) await removeFromPlatformAdminGroup(email);
}

/**
 * Grants platform-admin power to the person with this email, as the console does: both halves of
 * it, the Cognito group (whose claim the authorizer reads) and the record (which the API checks),
 * the group first, so that a grant that fails half way leaves no power. The person must already
 * have a sign-in (an invitation into a tenant made one).
 */
export async function grantPlatformAdminByEmail(
  actor: PlatformActor,
  input: { email: string },
  now: Date = actor.meta.receivedAt ?? new Date(),
): Promise<PlatformAdminView> {
  const email = normalizedEmail(input.email);
  const claim = (await EmailClaimEntity.get({ email }).go({ consistent: true })).data;
  if (!claim) {
    throw new NotFoundError('No one with this email has a Tenantry sign-in.', 'person_not_found');
  }
  await addToPlatformAdminGroup(email);
  return grantPlatformAdmin(actor, claim.userId, { now, email });
}

function toAuditView(item: PlatformAuditEventItem): PlatformAuditEventView {
  return {
    id: item.auditId,
    action: item.action,
    actorId: item.actorId,
    actorEmail: item.actorEmail ?? null,
    target: { type: item.targetType, id: item.targetId, email: item.targetEmail ?? null },
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
