import { parse } from 'scim2-parse-filter';
import { writeAudited } from '../audit/audited-transaction';
import { requestTime, type TenantContext } from '../context/tenant-context';
import { forgetMembership, forgetTenant } from '../data/cached-records';
import { tenantDocumentClient } from '../data/clients';
import { EmailClaimEntity } from '../data/entities/email-claim';
import { MembershipEntity, type MembershipItem } from '../data/entities/membership';
import { ConflictError, NotFoundError, ValidationError } from '../errors';
import { claimPerson, normalizedEmail } from '../identity/directory-person';
import { afterCountedTake, countedQuotaError, takeCounted } from '../quotas/counted-quota';
import { readSsoConnection } from '../sso/sso-service';
import { tenantCapturing } from '../sso/sso-domains';
import { activeOwnerChange, ensureActiveOwnerCount } from '../users/owner-count';
import { removeUser } from '../users/user-service';
import { endDirectorySessions } from './scim-sessions';
import { parsePatched, scimUserInput, type ScimPatchInput, type ScimUserInput } from './scim-schemas';
import {
  applyPatch,
  scimPage,
  toScimUser,
  type ScimListQuery,
  type ScimListResponse,
  type ScimUser,
} from './scim-resources';

/**
 * SCIM Users (RFC 7644 §3) over the tenant's memberships: the tenant's directory provisions, changes
 * and deprovisions its people. A provisioned person is an active member (counted in `users`) who
 * signs in through the tenant's provider; `active: false` disables the membership and ends their
 * sessions in the tenant; DELETE removes it. Only addresses of the tenant's verified captured domains
 * are provisioned: a directory speaks for its own company's people.
 */

const notFound = () => new NotFoundError('No user with this id in the tenant.', 'user_not_found');
const changedMeanwhile = () =>
  new ConflictError('The user was changed meanwhile; retry.', 'concurrent_modification');
const lastOwner = () => new ConflictError('The last owner cannot be deactivated.', 'last_owner');

async function membershipOf(ctx: TenantContext, userId: string): Promise<MembershipItem> {
  const result = await MembershipEntity.get({ tenantId: ctx.tenantId, userId }).go({ consistent: true });
  if (!result.data) throw notFound();
  return result.data;
}

/** `userName eq "<address>"`, the lookup every directory makes before it provisions: read directly. */
function userNameLookup(filter: string | undefined): string | null {
  if (!filter) return null;
  try {
    const parsed = parse(filter);
    if (
      parsed.op === 'eq' &&
      parsed.attrPath.toLowerCase() === 'username' &&
      typeof parsed.compValue === 'string'
    )
      return normalizedEmail(parsed.compValue);
  } catch {
    // Not valid: the general path refuses it with its reason.
  }
  return null;
}

export async function listScimUsers(
  ctx: TenantContext,
  query: ScimListQuery,
): Promise<ScimListResponse<ScimUser>> {
  const address = userNameLookup(query.filter);
  if (address !== null) {
    const claim = await EmailClaimEntity.get({ email: address }).go();
    const member = claim.data
      ? (
          await MembershipEntity.get({ tenantId: ctx.tenantId, userId: claim.data.userId }).go({
            consistent: true,
          })
        ).data
      : null;
    return scimPage(member ? [toScimUser(member)] : [], query);
  }
  const members = await MembershipEntity.query
    .byTenant({ tenantId: ctx.tenantId })
    .go({ pages: 'all', consistent: true });
  return scimPage(members.data.map(toScimUser), query);
}

export async function getScimUser(ctx: TenantContext, userId: string): Promise<ScimUser> {
  return toScimUser(await membershipOf(ctx, userId));
}

/** The attributes a SCIM user sets on its membership ('' and null mean none). */
function attributesOf(
  input: ScimUserInput,
): Pick<MembershipItem, 'externalId' | 'givenName' | 'familyName' | 'name'> {
  const text = (value: string | null | undefined) => (value ? value : undefined);
  const givenName = text(input.name?.givenName);
  const familyName = text(input.name?.familyName);
  const formatted =
    text(input.name?.formatted) ?? ([givenName, familyName].filter(Boolean).join(' ') || undefined);
  return {
    externalId: text(input.externalId),
    givenName,
    familyName,
    name: text(input.displayName) ?? formatted,
  };
}

async function assertCaptured(ctx: TenantContext, email: string): Promise<void> {
  if ((await tenantCapturing(email)) === ctx.tenantId) return;
  throw new ValidationError(
    `${email} is not in an email domain this tenant has captured and verified; add the domain at /v1/tenants/${ctx.tenantId}/sso/domains first.`,
    [{ path: 'userName', message: 'must be an address of a verified captured domain' }],
    'scim_domain_not_captured',
  );
}

/** Provisions a person: an active member (or disabled, if sent inactive) with the tenant's default role. */
export async function createScimUser(
  ctx: TenantContext,
  input: ScimUserInput,
  now: Date = requestTime(ctx),
): Promise<ScimUser> {
  const email = normalizedEmail(input.userName);
  await assertCaptured(ctx, email);
  const [{ userId, signIn }, connection] = await Promise.all([
    claimPerson(email, now),
    readSsoConnection(ctx.tenantId),
  ]);
  const item: MembershipItem = {
    tenantId: ctx.tenantId,
    userId,
    email,
    ...attributesOf(input),
    role: connection?.defaultRole ?? 'member',
    status: input.active === false ? 'disabled' : 'active',
    // A person with a password sign-in keeps it; one without gets theirs at their first single sign-on.
    cognitoUsername: signIn?.username ?? '',
    managedBy: 'scim',
    invitedBy: ctx.principal.type === 'apiKey' ? ctx.principal.keyId : ctx.principal.userId,
    invitedAt: now.toISOString(),
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
  const exists = new ConflictError(`${email} is a member of the tenant already.`, 'scim_user_exists');
  await writeAudited(
    ctx,
    {
      action: 'user.provisioned',
      targetType: 'user',
      targetId: userId,
      after: { email, role: item.role, status: item.status, via: 'scim' },
    },
    ({ membership, quotaCounter }) => ({
      quota: takeCounted(quotaCounter, ctx, 'users', 1, now),
      membership: membership.create(item).commit(),
    }),
    { rejections: { quota: () => countedQuotaError(ctx, 'users'), membership: () => exists }, now },
  );
  forgetMembership(ctx.tenantId, userId);
  await afterCountedTake(ctx, 'users', now);
  return toScimUser(item);
}

/**
 * Makes the membership what the directory says: its name parts, external id, and whether it is
 * active. The address cannot change (`mutability`). Deactivating disables the membership (an active
 * owner only while another remains) and ends the person's sessions in the tenant; reactivating
 * enables it. Conditional on the membership as read, so a racing change is a 409, never lost.
 */
async function applyScimUser(
  ctx: TenantContext,
  current: MembershipItem,
  input: ScimUserInput,
  now: Date,
): Promise<ScimUser> {
  if (normalizedEmail(input.userName) !== current.email) {
    throw new ValidationError(
      'userName is the person’s address, which a membership keeps; deprovision and provision the new address.',
      [{ path: 'userName', message: 'cannot change' }],
      'scim_mutability',
    );
  }
  const attributes = attributesOf(input);
  const status: MembershipItem['status'] =
    input.active === false ? 'disabled' : current.status === 'disabled' ? 'active' : current.status;
  const ownerDelta =
    current.role === 'owner' ? (status === 'active' ? 1 : 0) - (current.status === 'active' ? 1 : 0) : 0;
  const next: MembershipItem = { ...current, ...attributes, status, managedBy: 'scim' };
  const changed = (['externalId', 'givenName', 'familyName', 'name', 'status', 'managedBy'] as const).some(
    (key) => next[key] !== current[key],
  );
  if (!changed) return toScimUser(current);
  if (ownerDelta !== 0) await ensureActiveOwnerCount(ctx.tenantId, tenantDocumentClient);
  const set = {
    status,
    managedBy: 'scim' as const,
    ...Object.fromEntries(Object.entries(attributes).filter(([, value]) => value !== undefined)),
  };
  const removed = (['externalId', 'givenName', 'familyName', 'name'] as const).filter(
    (key) => attributes[key] === undefined && current[key] !== undefined,
  );
  const action =
    status === current.status
      ? 'user.updated'
      : status === 'disabled'
        ? 'user.deactivated'
        : 'user.reactivated';
  await writeAudited(
    ctx,
    {
      action,
      targetType: 'user',
      targetId: current.userId,
      before: { status: current.status, name: current.name ?? null, externalId: current.externalId ?? null },
      after: { status, name: next.name ?? null, externalId: next.externalId ?? null, via: 'scim' },
    },
    ({ membership, tenant }) => ({
      membership: membership
        .patch({ tenantId: ctx.tenantId, userId: current.userId })
        .set(set)
        .remove(removed)
        .where((attr, op) => op.eq(attr.updatedAt, current.updatedAt))
        .commit(),
      ...(ownerDelta === 0
        ? {}
        : { owners: activeOwnerChange(tenant, ctx.tenantId, ownerDelta > 0 ? 1 : -1) }),
    }),
    { rejections: { membership: changedMeanwhile, owners: lastOwner }, now },
  );
  forgetMembership(ctx.tenantId, current.userId);
  if (ownerDelta !== 0) forgetTenant(ctx.tenantId);
  if (status === 'disabled' && current.status !== 'disabled') await endDirectorySessions(ctx, current);
  return toScimUser({ ...next, updatedAt: now.toISOString() });
}

/** PUT: the user as the directory has it now, whole. */
export async function replaceScimUser(
  ctx: TenantContext,
  userId: string,
  input: ScimUserInput,
  now: Date = requestTime(ctx),
): Promise<ScimUser> {
  return applyScimUser(ctx, await membershipOf(ctx, userId), input, now);
}

/** RFC 7644 §3.5.2 PATCH, applied by scim-patch to the user as SCIM shows it, then saved as a PUT is. */
export async function patchScimUser(
  ctx: TenantContext,
  userId: string,
  patch: ScimPatchInput,
  now: Date = requestTime(ctx),
): Promise<ScimUser> {
  const current = await membershipOf(ctx, userId);
  const patched = applyPatch(toScimUser(current), patch);
  return applyScimUser(ctx, current, parsePatched(scimUserInput, patched), now);
}

/** DELETE: the membership goes, as when an admin removes a member (the last owner stays). */
export async function deleteScimUser(ctx: TenantContext, userId: string): Promise<void> {
  const current = await membershipOf(ctx, userId);
  await removeUser(ctx, userId);
  await endDirectorySessions(ctx, current);
}
