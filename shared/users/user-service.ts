import { writeAudited } from '../audit/audited-transaction';
import { announce } from '../events/publish';
import { readPage, tenantList } from '../data/page';
import { allConditions } from '../data/filters';
import { MembershipEntity, type MembershipItem } from '../data/entities/membership';
import { platformDocumentClient, tenantDocumentClient } from '../data/clients';
import { ConflictError, ForbiddenError, NotFoundError } from '../errors';
import { afterCountedTake, countedQuotaError, giveBackCounted, takeCounted } from '../quotas/counted-quota';
import { ensureDirectoryPerson } from '../identity/directory-person';
import { disableDirectoryUser, enableDirectoryUser } from '../identity/user-directory';
import { sendNewTemporaryPassword } from '../identity/temporary-password';
import { welcomeLink, type Welcome } from '../identity/welcome-email';
import { getConfig } from '../config';
import { logger } from '../observability/logger';
import { principalId, requestTime, type TenantContext } from '../context/tenant-context';
import type { Role } from '../model/roles';
import { forgetMembership, forgetTenant, loadTenant } from '../data/cached-records';
import { activeOwnerChange, ensureActiveOwnerCount } from './owner-count';
import { toUserView, type UserView } from './user-view';
import { assertMayGrant, assertMayManage, getMembership } from './member-access';

/** A platform admin outranks every tenant role. */
/**
 * Invitations, with the addresses they went to, are for those who may manage users (`users:invite`):
 * to members and viewers a pending invitation does not exist.
 */
function seesInvitations(ctx: TenantContext): boolean {
  return ctx.permissions.has('users:invite');
}

export async function getUser(ctx: TenantContext, userId: string): Promise<UserView> {
  const membership = await getMembership(ctx, userId);
  if (membership.status === 'invited' && !seesInvitations(ctx)) {
    throw new NotFoundError('No user with this id in the tenant.', 'user_not_found');
  }
  return toUserView(membership);
}

export interface ListUsersQuery {
  limit: number;
  cursor?: string | undefined;
  role?: Role | undefined;
  status?: MembershipItem['status'] | undefined;
}

export async function listUsers(
  ctx: TenantContext,
  query: ListUsersQuery,
): Promise<{ items: UserView[]; nextCursor: string | null }> {
  const invitations = seesInvitations(ctx);
  if (query.status === 'invited' && !invitations) {
    throw new ForbiddenError(`The ${ctx.role} role lacks the users:invite permission.`, 'permission_denied', {
      requiredPermission: 'users:invite',
    });
  }
  return readPage(
    tenantList(ctx, 'users'),
    query,
    (from) =>
      MembershipEntity.query
        .byTenant({ tenantId: ctx.tenantId })
        .where((attr, op) =>
          allConditions([
            query.role ? op.eq(attr.role, query.role) : '',
            query.status ? op.eq(attr.status, query.status) : '',
            invitations ? '' : op.ne(attr.status, 'invited'),
          ]),
        )
        .go(from),
    toUserView,
  );
}

/** Who an invitation is from, in its email and event: the inviting person's address, or the team. */
function inviter(ctx: TenantContext): string {
  return ctx.principal.type === 'user' && ctx.principal.email ? ctx.principal.email : 'Your team';
}

/**
 * The invitation event (`user.invited`, for webhooks and the invitee's email). A person whose sign-in
 * is new (`newAccount`) had the invitation in the email that brought their temporary password, and
 * gets no second one (see the catalogue's notice).
 */
function announceInvitation(
  ctx: TenantContext,
  invitee: { email: string; role: Role },
  newAccount: boolean,
  now: Date,
): Promise<void> {
  return announce(ctx.tenantId, 'user.invited', { ...invitee, invitedBy: inviter(ctx), newAccount }, now);
}

/** The invitation as the email with a temporary password tells it (see `welcomeEmail`). */
async function invitationWelcome(
  ctx: TenantContext,
  invitee: { email: string; role: Role },
): Promise<Welcome> {
  const tenant = await loadTenant(ctx.tenantId);
  return {
    kind: 'invitation',
    // The name the tenant gives itself, and its colour: its branding carried into the email.
    tenantName: tenant?.profile?.displayName ?? tenant?.name ?? ctx.tenantId,
    tenantSlug: tenant?.slug ?? ctx.tenantId,
    link: welcomeLink(getConfig().email.consoleUrl, ctx.tenantId, invitee.email),
    role: invitee.role,
    invitedBy: inviter(ctx),
    ...(tenant?.profile?.primaryColor ? { brandColor: tenant.profile.primaryColor } : {}),
  };
}

export interface InviteUserInput {
  email: string;
  role: Role;
  name?: string | undefined;
}

/**
 * Invites a person. One person may belong to many tenants: if the directory already knows the
 * email, the invitation is a membership for that identity (a removed person's sign-in is enabled
 * again); otherwise their sign-in is made first, once however many invitations race for the address
 * (`ensureDirectoryPerson`), with this tenant as its default (Cognito mails the temporary password in
 * the one invitation email).
 * Then, in one transaction: the `users` quota (invitations count), the `invited` membership and the
 * audit event. A sign-in is never deleted when the transaction fails: a racing invitation's
 * acknowledged membership may name it. The answer is the same whether or not the person was known,
 * and says nothing of their other tenants.
 */
export async function inviteUser(
  ctx: TenantContext,
  input: InviteUserInput,
  now: Date = requestTime(ctx),
): Promise<UserView> {
  assertMayGrant(ctx, input.role);
  const person = await ensureDirectoryPerson({
    ...input,
    tenantId: ctx.tenantId,
    now,
    welcome: await invitationWelcome(ctx, input),
  });
  const { userId, username } = person;
  const membership: MembershipItem = {
    tenantId: ctx.tenantId,
    userId,
    email: input.email,
    name: input.name,
    role: input.role,
    status: 'invited',
    cognitoUsername: username,
    invitedBy: principalId(ctx.principal),
    invitedAt: now.toISOString(),
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
  const alreadyThere = new ConflictError('This user is already a member.', 'already_member');
  try {
    await writeAudited(
      ctx,
      {
        action: 'user.invited',
        targetType: 'user',
        targetId: userId,
        after: { email: input.email, role: input.role },
      },
      ({ membership: memberships, quotaCounter }) => ({
        quota: takeCounted(quotaCounter, ctx, 'users', 1, now),
        membership: memberships.create(membership).commit(),
      }),
      { rejections: { quota: () => countedQuotaError(ctx, 'users'), membership: () => alreadyThere }, now },
    );
  } catch (error) {
    if (error !== alreadyThere) throw error;
    // An invitation not yet accepted is not a membership: say which, and what to do instead.
    const existing = await MembershipEntity.get({ tenantId: ctx.tenantId, userId }).go({ consistent: true });
    if (existing.data?.status === 'invited') {
      throw new ConflictError(
        'This person is invited already and has not accepted yet; resend the invitation instead.',
        'already_invited',
      );
    }
    throw error;
  }
  if (!person.enabled) await enableDirectoryUser(username);
  await afterCountedTake(ctx, 'users', now);
  if (input.role === 'owner') forgetTenant(ctx.tenantId);
  await announceInvitation(ctx, { email: input.email, role: input.role }, person.neverSignedIn, now);
  return toUserView(membership);
}

const lastOwner = () => new ConflictError('The last owner cannot be demoted or removed.', 'last_owner');
const changedMeanwhile = () =>
  new ConflictError('The user was changed meanwhile; retry.', 'concurrent_modification');

/**
 * Changes a role. Nobody grants a role above their own or touches a member ranked above them. The
 * tenant keeps a count of its active owners; demoting an active owner decrements it on the
 * condition that another active owner remains, in the same transaction, so two owners demoting each
 * other cannot leave none, and a pending invitation keeps no tenant owned.
 */
export async function changeUserRole(
  ctx: TenantContext,
  userId: string,
  input: { role: Role },
): Promise<UserView> {
  const current = await getMembership(ctx, userId);
  assertMayManage(ctx, current);
  assertMayGrant(ctx, input.role);
  if (current.role === input.role) return toUserView(current);
  const at = requestTime(ctx);
  const now = at.toISOString();
  // Only an active owner counts: a pending owner's role moves no count.
  const ownerDelta =
    current.status === 'active' ? (input.role === 'owner' ? 1 : 0) - (current.role === 'owner' ? 1 : 0) : 0;
  if (ownerDelta !== 0) await ensureActiveOwnerCount(ctx.tenantId, tenantDocumentClient);
  await writeAudited(
    ctx,
    {
      action: 'user.role_changed',
      targetType: 'user',
      targetId: userId,
      before: { role: current.role },
      after: { role: input.role },
    },
    ({ membership, tenant }) => ({
      membership: membership
        .patch({ tenantId: ctx.tenantId, userId })
        .set({ role: input.role })
        .where((attr, op) => `${op.eq(attr.role, current.role)} AND ${op.eq(attr.status, current.status)}`)
        .commit(),
      ...(ownerDelta === 0
        ? {}
        : { owners: activeOwnerChange(tenant, ctx.tenantId, ownerDelta > 0 ? 1 : -1) }),
    }),
    { rejections: { membership: changedMeanwhile, owners: lastOwner } },
  );
  forgetMembership(ctx.tenantId, userId);
  forgetTenant(ctx.tenantId);
  return toUserView({ ...current, role: input.role, updatedAt: now });
}

/**
 * Removes a user from the tenant: the membership goes (with the active-owner guard for active
 * owners) and the audit event is written in one transaction; then, if it was the person's last
 * membership, their Cognito user is disabled. Access ends with the membership, whatever Cognito
 * does, because every request reads the membership.
 */
export async function removeUser(ctx: TenantContext, userId: string): Promise<void> {
  const current = await getMembership(ctx, userId);
  assertMayManage(ctx, current);
  const now = requestTime(ctx);
  const activeOwner = current.role === 'owner' && current.status === 'active';
  if (activeOwner) await ensureActiveOwnerCount(ctx.tenantId, tenantDocumentClient);
  await writeAudited(
    ctx,
    {
      action: 'user.removed',
      targetType: 'user',
      targetId: userId,
      before: { email: current.email, role: current.role, status: current.status },
    },
    ({ membership, tenant, quotaCounter }) => ({
      membership: membership
        .delete({ tenantId: ctx.tenantId, userId })
        .where((attr, op) => `${op.eq(attr.role, current.role)} AND ${op.eq(attr.status, current.status)}`)
        .commit(),
      quota: giveBackCounted(quotaCounter, ctx, 'users', 1, now),
      ...(activeOwner ? { owners: activeOwnerChange(tenant, ctx.tenantId, -1) } : {}),
    }),
    { rejections: { membership: changedMeanwhile, owners: lastOwner } },
  );
  forgetMembership(ctx.tenantId, userId);
  forgetTenant(ctx.tenantId);
  // Sign-in ends only with the person's last membership; their other tenants keep them.
  const remaining = await MembershipEntity.query
    .byUser({ userId })
    .go({ client: platformDocumentClient, count: 1 });
  if (remaining.data.length > 0 || !current.cognitoUsername) return;
  await disableDirectoryUser(current.cognitoUsername).catch((error: unknown) =>
    logger.error('Membership removed but the Cognito user could not be disabled', { userId, error }),
  );
}

/**
 * The sign-in an invitation names is gone (the person's last other tenant was purged while this
 * invitation was made): it is made again, with the membership's own `usr_` id, and Cognito emails
 * its temporary password. Answers whether a sign-in was made; an existing one is left as it is.
 */
async function restoreSignIn(
  ctx: TenantContext,
  membership: MembershipItem,
  welcome: Welcome,
  now: Date,
): Promise<boolean> {
  const person = await ensureDirectoryPerson({
    email: membership.email,
    tenantId: ctx.tenantId,
    now,
    userId: membership.userId,
    welcome,
  });
  if (!person.created) return false;
  if (person.userId !== membership.userId) {
    logger.warn('A restored sign-in carries another user id than its invitation', {
      userId: membership.userId,
    });
  }
  if (person.username !== membership.cognitoUsername) {
    await MembershipEntity.patch({ tenantId: ctx.tenantId, userId: membership.userId })
      .set({ cognitoUsername: person.username })
      .go({ response: 'none' });
    forgetMembership(ctx.tenantId, membership.userId);
  }
  return true;
}

/**
 * Sends an invitation again: its expiry starts over, the invitation email goes out again, and a
 * person who has never signed in gets a new temporary password by email (sent by the API, whatever
 * the Cognito). Only a pending invitation can be resent. The sending is not swallowed: a mail service
 * that is down is a 503, and the resend may be retried.
 */
export async function resendInvitation(
  ctx: TenantContext,
  userId: string,
  now: Date = requestTime(ctx),
): Promise<UserView> {
  const current = await getMembership(ctx, userId);
  assertMayManage(ctx, current);
  if (current.status !== 'invited') throw new ConflictError('The user has already accepted.', 'not_invited');
  const invitedAt = now.toISOString();
  await writeAudited(
    ctx,
    { action: 'user.invitation_resent', targetType: 'user', targetId: userId },
    ({ membership }) => ({
      membership: membership
        .patch({ tenantId: ctx.tenantId, userId })
        .set({ invitedAt })
        .where((attr, op) => op.eq(attr.status, 'invited'))
        .commit(),
    }),
    {
      rejections: { membership: () => new ConflictError('The user has already accepted.', 'not_invited') },
      now,
    },
  );
  forgetMembership(ctx.tenantId, userId);
  const welcome = await invitationWelcome(ctx, current);
  const newPassword =
    (await sendNewTemporaryPassword({ username: current.cognitoUsername, email: current.email }, welcome)) ||
    (await restoreSignIn(ctx, current, welcome, now));
  await announceInvitation(ctx, current, newPassword, now);
  return toUserView({ ...current, invitedAt, updatedAt: invitedAt });
}
