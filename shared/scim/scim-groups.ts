import { writeAudited } from '../audit/audited-transaction';
import { requestTime, type TenantContext } from '../context/tenant-context';
import { forgetMembership } from '../data/cached-records';
import { MembershipEntity } from '../data/entities/membership';
import { ScimGroupEntity, type ScimGroupItem } from '../data/entities/scim-group';
import { ConflictError, NotFoundError, ValidationError } from '../errors';
import { newId } from '../ids';
import type { RoleMapping } from '../sso/sso-service';
import { readSsoConnection } from '../sso/sso-service';
import { roleFor } from '../sso/sso-sign-in';
import { parsePatched, scimGroupInput, type ScimGroupInput, type ScimPatchInput } from './scim-schemas';
import {
  applyPatch,
  scimPage,
  toScimGroup,
  type ScimGroup,
  type ScimListQuery,
  type ScimListResponse,
} from './scim-resources';

/**
 * SCIM Groups: the tenant's directory groups and their members. Where the tenant's role mapping
 * (`PUT /v1/tenants/{id}/sso`, `roleMapping.rules`) names groups, the role of each member the
 * directory manages follows their groups as they change: the first rule one of their groups matches,
 * else the default role. Owners are never changed by a group, and no group makes an owner.
 */

const notFound = () =>
  new NotFoundError('The tenant’s directory has no group with this id.', 'scim_group_not_found');
const changedMeanwhile = () =>
  new ConflictError('The group was changed meanwhile; retry.', 'concurrent_modification');

const membersOf = (group: Pick<ScimGroupItem, 'members'>): string[] => [...(group.members ?? [])].sort();

async function groupOf(ctx: TenantContext, groupId: string): Promise<ScimGroupItem> {
  const result = await ScimGroupEntity.get({ tenantId: ctx.tenantId, groupId }).go({ consistent: true });
  if (!result.data) throw notFound();
  return result.data;
}

/** `excludedAttributes=members`: the lists directories read to match groups by name, without their members. */
function shown(group: ScimGroup, excluded: string | undefined): ScimGroup {
  const names = (excluded ?? '').split(',').map((name) => name.trim().toLowerCase());
  return names.includes('members') ? { ...group, members: [] } : group;
}

export async function listScimGroups(
  ctx: TenantContext,
  query: ScimListQuery & { excludedAttributes?: string | undefined },
): Promise<ScimListResponse<ScimGroup>> {
  const groups = await ScimGroupEntity.query
    .byTenant({ tenantId: ctx.tenantId })
    .go({ pages: 'all', consistent: true });
  const page = scimPage(
    groups.data.map((group) => toScimGroup(group)),
    query,
  );
  return { ...page, Resources: page.Resources.map((group) => shown(group, query.excludedAttributes)) };
}

export async function getScimGroup(
  ctx: TenantContext,
  groupId: string,
  excludedAttributes?: string | undefined,
): Promise<ScimGroup> {
  return shown(toScimGroup(await groupOf(ctx, groupId)), excludedAttributes);
}

/** The members named must be users of the tenant: the directory provisions them first. */
async function checkedMembers(ctx: TenantContext, input: ScimGroupInput): Promise<string[]> {
  const ids = [...new Set((input.members ?? []).map((member) => member.value))].sort();
  if (ids.length === 0) return ids;
  const found = await MembershipEntity.get(ids.map((userId) => ({ tenantId: ctx.tenantId, userId }))).go({
    consistent: true,
  });
  const known = new Set(found.data.map((member) => member.userId));
  const unknown = ids.filter((id) => !known.has(id));
  if (unknown.length > 0) {
    throw new ValidationError(
      `Members must be users of the tenant; unknown: ${unknown.slice(0, 5).join(', ')}.`,
      unknown.slice(0, 20).map((id) => ({ path: 'members', message: `${id} is not a user of the tenant` })),
      'scim_value_invalid',
    );
  }
  return ids;
}

export async function createScimGroup(
  ctx: TenantContext,
  input: ScimGroupInput,
  now: Date = requestTime(ctx),
): Promise<ScimGroup> {
  const members = await checkedMembers(ctx, input);
  const item: ScimGroupItem = {
    tenantId: ctx.tenantId,
    groupId: newId('group', now.getTime()),
    displayName: input.displayName,
    ...(input.externalId ? { externalId: input.externalId } : {}),
    ...(members.length > 0 ? { members } : {}),
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
  await writeAudited(
    ctx,
    {
      action: 'directory.group_created',
      targetType: 'scimGroup',
      targetId: item.groupId,
      after: { displayName: item.displayName, members: members.length },
    },
    ({ scimGroup }) => ({ group: scimGroup.create(item).commit() }),
    { now },
  );
  await applyGroupRoles(ctx, members, now);
  return toScimGroup(item);
}

/** The group as the directory has it now; members added and removed have their roles follow. */
async function applyScimGroup(
  ctx: TenantContext,
  current: ScimGroupItem,
  input: ScimGroupInput,
  now: Date,
): Promise<ScimGroup> {
  const members = await checkedMembers(ctx, input);
  const before = membersOf(current);
  const added = members.filter((id) => !before.includes(id));
  const removed = before.filter((id) => !members.includes(id));
  const externalId = input.externalId || undefined;
  if (
    added.length === 0 &&
    removed.length === 0 &&
    input.displayName === current.displayName &&
    externalId === current.externalId
  ) {
    return toScimGroup(current);
  }
  await writeAudited(
    ctx,
    {
      action: 'directory.group_updated',
      targetType: 'scimGroup',
      targetId: current.groupId,
      before: { displayName: current.displayName },
      after: { displayName: input.displayName, added, removed },
    },
    ({ scimGroup }) => {
      let update = scimGroup.patch({ tenantId: ctx.tenantId, groupId: current.groupId }).set({
        displayName: input.displayName,
        ...(externalId ? { externalId } : {}),
        ...(members.length > 0 ? { members } : {}),
      });
      const gone = [
        ...(externalId ? [] : ['externalId' as const]),
        ...(members.length > 0 ? [] : ['members' as const]),
      ];
      if (gone.length > 0) update = update.remove(gone) as typeof update;
      return { group: update.where((attr, op) => op.eq(attr.updatedAt, current.updatedAt)).commit() };
    },
    { rejections: { group: changedMeanwhile }, now },
  );
  // A renamed group may match another rule: every member's role is looked at again then.
  const affected =
    input.displayName === current.displayName
      ? [...added, ...removed]
      : [...new Set([...members, ...removed])];
  await applyGroupRoles(ctx, affected, now);
  const next: ScimGroupItem = {
    ...current,
    displayName: input.displayName,
    externalId,
    members,
    updatedAt: now.toISOString(),
  };
  return toScimGroup(next);
}

export async function replaceScimGroup(
  ctx: TenantContext,
  groupId: string,
  input: ScimGroupInput,
  now: Date = requestTime(ctx),
): Promise<ScimGroup> {
  return applyScimGroup(ctx, await groupOf(ctx, groupId), input, now);
}

export async function patchScimGroup(
  ctx: TenantContext,
  groupId: string,
  patch: ScimPatchInput,
  now: Date = requestTime(ctx),
): Promise<ScimGroup> {
  const current = await groupOf(ctx, groupId);
  const patched = applyPatch(toScimGroup(current), patch);
  return applyScimGroup(ctx, current, parsePatched(scimGroupInput, patched), now);
}

export async function deleteScimGroup(
  ctx: TenantContext,
  groupId: string,
  now: Date = requestTime(ctx),
): Promise<void> {
  const current = await groupOf(ctx, groupId);
  await writeAudited(
    ctx,
    {
      action: 'directory.group_deleted',
      targetType: 'scimGroup',
      targetId: groupId,
      before: { displayName: current.displayName, members: membersOf(current).length },
    },
    ({ scimGroup }) => ({
      group: scimGroup
        .delete({ tenantId: ctx.tenantId, groupId })
        .where((attr, op) => op.eq(attr.updatedAt, current.updatedAt))
        .commit(),
    }),
    { rejections: { group: changedMeanwhile }, now },
  );
  await applyGroupRoles(ctx, membersOf(current), now);
}

/**
 * Makes the roles of these members follow their groups, where the tenant maps groups to roles: the
 * directory's members only (not those invited by hand), never an owner. Each change is conditional
 * on the role and status read, and audited.
 */
export async function applyGroupRoles(ctx: TenantContext, userIds: string[], now: Date): Promise<void> {
  if (userIds.length === 0) return;
  const connection = await readSsoConnection(ctx.tenantId);
  const mapping = connection?.roleMapping as RoleMapping | undefined;
  if (!connection || !mapping?.rules.length) return;
  const groups = (
    await ScimGroupEntity.query.byTenant({ tenantId: ctx.tenantId }).go({ pages: 'all', consistent: true })
  ).data;
  const members = await MembershipEntity.get(
    userIds.map((userId) => ({ tenantId: ctx.tenantId, userId })),
  ).go({
    consistent: true,
  });
  for (const member of members.data) {
    if (member.managedBy !== 'scim' || member.role === 'owner') continue;
    const names = groups
      .filter((group) => membersOf(group).includes(member.userId))
      .map((group) => group.displayName);
    const role = roleFor(names, mapping, connection.defaultRole);
    if (role === member.role) continue;
    await writeAudited(
      ctx,
      {
        action: 'user.role_changed',
        targetType: 'user',
        targetId: member.userId,
        before: { role: member.role },
        after: { role, via: 'scim', groups: names },
      },
      ({ membership }) => ({
        membership: membership
          .patch({ tenantId: ctx.tenantId, userId: member.userId })
          .set({ role })
          .where((attr, op) => `${op.eq(attr.role, member.role)} AND ${op.eq(attr.status, member.status)}`)
          .commit(),
      }),
      { rejections: { membership: changedMeanwhile }, now },
    );
    forgetMembership(ctx.tenantId, member.userId);
  }
}
