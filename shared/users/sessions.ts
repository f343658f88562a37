import { writeAudited } from '../audit/audited-transaction';
import { requestTime, type TenantContext, type UserPrincipal } from '../context/tenant-context';
import { forgetMembership, forgetSignOut } from '../data/cached-records';
import { isConditionalFailure } from '../data/dynamo-errors';
import type { MembershipItem } from '../data/entities/membership';
import {
  PersonSessionEntity,
  PersonSignOutEntity,
  type PersonSessionItem,
  type PersonSignOutItem,
} from '../data/entities/person-session';
import { expiresAfterDays } from '../data/ttl';
import { ConflictError, NotFoundError } from '../errors';
import { signOutEverywhere as revokeRefreshTokens } from '../identity/user-directory';
import { logger } from '../observability/logger';
import { REFRESH_TOKEN_DAYS } from '../model/user-pool-definition';
import { assertMayManage, getMembership } from './member-access';

/**
 * Where a person is signed in, and signing out. A session is one sign-in (the token's `auth_time`,
 * which refreshed tokens keep), recorded at its first request to each tenant with the browser and
 * address it came from. Signing out everywhere revokes the sign-in's refresh tokens at Cognito and
 * marks every sign-in until now as ended, which the API checks on every request (cached seconds), so
 * tokens already handed out stop working at once, not at their expiry. One session can be ended the
 * same way; an admin can end a member's sessions in their tenant.
 */

/** At most this many single sessions are remembered as ended (older ones expire with their tokens). */
const MAX_REVOKED = 100;

export interface SessionView {
  id: string;
  signedInAt: string;
  via: 'password' | 'sso';
  userAgent: string | null;
  sourceIp: string | null;
  tenants: string[];
  /** The session this request was made with. */
  current: boolean;
}

/** A session's id: `ses_` and its sign-in time in epoch seconds. */
export function sessionIdOf(signedInAt: string): string {
  return `ses_${Math.floor(Date.parse(signedInAt) / 1000)}`;
}

function signedInAtOf(sessionId: string): string | null {
  const match = /^ses_(\d{1,12})$/.exec(sessionId);
  return match ? new Date(Number(match[1]) * 1000).toISOString() : null;
}

/** Whether a sign-in has been signed out (everywhere since, or on its own). */
export function isSignInRevoked(signOut: PersonSignOutItem | null, signedInAt: string | undefined): boolean {
  if (!signOut || !signedInAt) return false;
  if (signOut.revokedBefore && signedInAt <= signOut.revokedBefore) return true;
  return [...(signOut.revokedSignIns ?? [])].includes(signedInAt);
}

/** Whether an admin of the tenant signed the member out after this sign-in. */
export function isSignedOutOfTenant(
  membership: Pick<MembershipItem, 'sessionsRevokedBefore'>,
  signedInAt: string | undefined,
): boolean {
  return !!membership.sessionsRevokedBefore && !!signedInAt && signedInAt <= membership.sessionsRevokedBefore;
}

/** The sign-in's first request to a tenant: its session is recorded, or learns the tenant. */
export async function noteSession(ctx: TenantContext, signedInAt: string): Promise<void> {
  const { principal } = ctx;
  if (principal.type !== 'user') return;
  const now = requestTime(ctx);
  await PersonSessionEntity.update({ userId: principal.userId, signedInAt })
    .set({
      via: principal.ssoTenantId ? 'sso' : 'password',
      ...(ctx.userAgent ? { userAgent: ctx.userAgent.slice(0, 512) } : {}),
      sourceIp: ctx.sourceIp,
      expiresAt: expiresAfterDays(now, REFRESH_TOKEN_DAYS),
    })
    .add({ tenants: [ctx.tenantId] })
    .go({ response: 'none' });
}

function toView(item: PersonSessionItem, current: string | undefined): SessionView {
  return {
    id: sessionIdOf(item.signedInAt),
    signedInAt: item.signedInAt,
    via: item.via,
    userAgent: item.userAgent ?? null,
    sourceIp: item.sourceIp ?? null,
    tenants: [...(item.tenants ?? [])].sort(),
    current: item.signedInAt === current,
  };
}

/** The person's sessions still open, newest first. */
export async function listSessions(principal: UserPrincipal, now: Date): Promise<{ items: SessionView[] }> {
  const [sessions, signOut] = await Promise.all([
    PersonSessionEntity.query.byPerson({ userId: principal.userId }).go({ pages: 'all', order: 'desc' }),
    PersonSignOutEntity.get({ userId: principal.userId }).go({ consistent: true }),
  ]);
  const open = sessions.data.filter(
    (item) => item.expiresAt * 1000 > now.getTime() && !isSignInRevoked(signOut.data, item.signedInAt),
  );
  return { items: open.map((item) => toView(item, principal.signedInAt)) };
}

/**
 * Signs the person out everywhere: every sign-in until now is ended (the API refuses its tokens),
 * and Cognito revokes the sign-in's refresh tokens, so no session gets new ones.
 */
export async function signOutEverywhere(principal: UserPrincipal, now: Date): Promise<void> {
  await PersonSignOutEntity.update({ userId: principal.userId })
    .set({ revokedBefore: now.toISOString() })
    .go({ response: 'none' });
  forgetSignOut(principal.userId);
  if (principal.username) {
    await revokeRefreshTokens(principal.username).catch((error: unknown) =>
      // The sign-ins are ended at the API (committed above); Cognito's revocation is the second wall.
      logger.error('Signed out everywhere, but Cognito did not revoke the refresh tokens', { error }),
    );
  }
}

/** Ends one of the person's sessions: its tokens are refused from now on, the others go on. */
export async function endSession(principal: UserPrincipal, sessionId: string, now: Date): Promise<void> {
  const signedInAt = signedInAtOf(sessionId);
  const notFound = new NotFoundError('You have no open session with this id.', 'session_not_found');
  if (!signedInAt) throw notFound;
  const session = await PersonSessionEntity.get({ userId: principal.userId, signedInAt }).go({
    consistent: true,
  });
  if (!session.data || session.data.expiresAt * 1000 <= now.getTime()) throw notFound;
  const signOut = (await PersonSignOutEntity.get({ userId: principal.userId }).go({ consistent: true })).data;
  if (isSignInRevoked(signOut, signedInAt)) throw notFound;
  // Kept bounded: the oldest ended sessions are forgotten first (their tokens have expired by then).
  const kept = [...(signOut?.revokedSignIns ?? [])].sort().slice(-(MAX_REVOKED - 1));
  await PersonSignOutEntity.update({ userId: principal.userId })
    .set({ revokedSignIns: [...kept, signedInAt] })
    .go({ response: 'none' });
  forgetSignOut(principal.userId);
}

/**
 * An admin signs a member out of the tenant: the member's sign-ins until now are refused here (their
 * membership records when), audited. Their other tenants are theirs: nothing ends there. Nobody
 * signs out a member ranked above them.
 */
export async function signOutMember(ctx: TenantContext, userId: string): Promise<void> {
  const now = requestTime(ctx);
  assertMayManage(ctx, await getMembership(ctx, userId));
  try {
    await writeAudited(
      ctx,
      {
        action: 'user.signed_out',
        targetType: 'user',
        targetId: userId,
        after: { signedOutAt: now.toISOString() },
      },
      ({ membership }) => ({
        membership: membership
          .patch({ tenantId: ctx.tenantId, userId })
          .set({ sessionsRevokedBefore: now.toISOString() })
          .commit(),
      }),
      { now },
    );
  } catch (error) {
    if (error instanceof ConflictError || isConditionalFailure(error))
      throw new NotFoundError('No user with this id in the tenant.', 'user_not_found');
    throw error;
  }
  forgetMembership(ctx.tenantId, userId);
}
