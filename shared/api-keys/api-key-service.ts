import { writeAudited } from '../audit/audited-transaction';
import { forgetApiKey } from '../data/cached-records';
import { platformDocumentClient } from '../data/clients';
import { readPage, tenantList } from '../data/page';
import { ApiKeyEntity, type ApiKeyItem } from '../data/entities/api-key';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors';
import { newId } from '../ids';
import { afterCountedTake, countedQuotaError, giveBackCounted, takeCounted } from '../quotas/counted-quota';
import { principalId, requestTime, type TenantContext } from '../context/tenant-context';
import { PROJECT_KEY_SCOPES, type ApiKeyScope, type Role } from '../model/roles';
import { apiKeyHint, apiKeySecretHash, newApiKeySecret } from './key-secret';
import type { ApiKeyStatus } from '../model/api-key-status';
import { apiKeyStatusOf } from './key-use';

export interface ApiKeyView {
  id: string;
  name: string;
  /** The start of the secret, to recognise the key by; never enough to use it. */
  hint: string;
  scopes: ApiKeyScope[];
  /** The project the key is limited to; `null` for the whole tenant. */
  projectId: string | null;
  status: ApiKeyStatus;
  createdBy: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
  revokedBy: string | null;
}

/** A new key with its secret: the only answer that ever carries it. */
export type CreatedApiKeyView = ApiKeyView & { secret: string };

function toView(item: ApiKeyItem, now: Date): ApiKeyView {
  return {
    id: item.keyId,
    name: item.name,
    hint: item.hint,
    scopes: [...item.scopes].sort(),
    projectId: item.projectId ?? null,
    status: apiKeyStatusOf(item, now),
    createdBy: item.createdBy,
    createdAt: item.createdAt,
    expiresAt: item.validUntil ?? null,
    lastUsedAt: item.lastUsedAt ?? null,
    revokedAt: item.revokedAt ?? null,
    revokedBy: item.revokedBy ?? null,
  };
}

export interface CreateApiKeyInput {
  name: string;
  scopes: ApiKeyScope[];
  expiresAt?: string | undefined;
  /** Limits the key to one project of the tenant. */
  projectId?: string | undefined;
}

/** The role a new key records as its ceiling: the creator's (a platform admin's keys rank as owners). */
function ceilingRoleOf(ctx: TenantContext): Role {
  return ctx.role === 'platform_admin' ? 'owner' : ctx.role;
}

/**
 * Creates a key: scopes only among the creator's own permissions, an expiry in the future if any.
 * In one transaction: the `apiKeys` quota, the key's tenant item, the platform lookup item (by the
 * secret's hash) and the audit event, through the platform client since the lookup item is no
 * tenant's. The secret is in the answer and nowhere else.
 */
export async function createApiKey(
  ctx: TenantContext,
  input: CreateApiKeyInput,
  now: Date = requestTime(ctx),
): Promise<CreatedApiKeyView> {
  const beyond = input.scopes.filter((scope) => !ctx.permissions.has(scope));
  if (beyond.length > 0) {
    throw new ForbiddenError(
      `A key cannot hold permissions its creator lacks: ${beyond.join(', ')}.`,
      'scope_above_own',
      { scopes: beyond },
    );
  }
  if (input.projectId !== undefined) {
    const unusable = input.scopes.filter((scope) => !PROJECT_KEY_SCOPES.includes(scope));
    if (unusable.length > 0) {
      throw new ValidationError('A key limited to a project may hold only the scopes of its routes.', [
        { path: 'scopes', message: `${unusable.join(', ')}: only ${PROJECT_KEY_SCOPES.join(', ')}` },
      ]);
    }
  }
  if (input.expiresAt !== undefined && Date.parse(input.expiresAt) <= now.getTime()) {
    throw new ValidationError('A key cannot expire in the past.', [
      { path: 'expiresAt', message: 'must be in the future' },
    ]);
  }
  const secret = newApiKeySecret();
  const secretHash = apiKeySecretHash(secret);
  const validUntil = input.expiresAt === undefined ? undefined : new Date(input.expiresAt).toISOString();
  const key: ApiKeyItem = {
    tenantId: ctx.tenantId,
    keyId: newId('apiKey', now.getTime()),
    name: input.name,
    scopes: [...new Set(input.scopes)],
    role: ceilingRoleOf(ctx),
    hint: apiKeyHint(secret),
    secretHash,
    status: 'active',
    createdBy: principalId(ctx.principal),
    createdAt: now.toISOString(),
    validUntil,
    projectId: input.projectId,
    updatedAt: now.toISOString(),
  };
  await writeAudited(
    ctx,
    {
      action: 'api_key.created',
      targetType: 'apiKey',
      targetId: key.keyId,
      after: {
        name: key.name,
        scopes: [...key.scopes].sort(),
        expiresAt: validUntil ?? null,
        ...(input.projectId ? { projectId: input.projectId } : {}),
      },
    },
    ({ apiKey, apiKeyLookup, quotaCounter, project }) => ({
      // The project exists as the key is made (a deleted one cannot gain keys).
      ...(input.projectId
        ? {
            project: project
              .check({ tenantId: ctx.tenantId, projectId: input.projectId })
              .where((attr, op) => op.exists(attr.projectId))
              .commit(),
          }
        : {}),
      quota: takeCounted(quotaCounter, ctx, 'apiKeys', 1, now),
      key: apiKey.create(key).commit(),
      lookup: apiKeyLookup
        .create({
          secretHash,
          tenantId: ctx.tenantId,
          keyId: key.keyId,
          validUntil,
          // DynamoDB's TTL removes the lookup of an expired key (a day later: the authorizer and the
          // tenant context refuse it from the first second).
          expiresAt: validUntil === undefined ? undefined : Math.ceil(Date.parse(validUntil) / 1000) + 86_400,
        })
        .commit(),
    }),
    // The lookup is a platform item (the authorizer finds a key by it): the platform client.
    {
      rejections: {
        quota: () => countedQuotaError(ctx, 'apiKeys'),
        project: () => new NotFoundError('No project with this id in the tenant.', 'project_not_found'),
      },
      now,
      client: platformDocumentClient,
    },
  );
  await afterCountedTake(ctx, 'apiKeys', now);
  return { ...toView(key, now), secret };
}

async function getKeyItem(ctx: TenantContext, keyId: string): Promise<ApiKeyItem> {
  const result = await ApiKeyEntity.get({ tenantId: ctx.tenantId, keyId }).go({ consistent: true });
  if (!result.data) throw new NotFoundError('No API key with this id in the tenant.', 'api_key_not_found');
  return result.data;
}

export async function getApiKey(ctx: TenantContext, keyId: string): Promise<ApiKeyView> {
  return toView(await getKeyItem(ctx, keyId), requestTime(ctx));
}

export interface ListApiKeysQuery {
  limit: number;
  cursor?: string | undefined;
  status?: ApiKeyStatus | undefined;
}

/** The tenant's keys, newest last (ids sort by creation); `status` filters on what each is now. */
export async function listApiKeys(
  ctx: TenantContext,
  query: ListApiKeysQuery,
  now: Date = requestTime(ctx),
): Promise<{ items: ApiKeyView[]; nextCursor: string | null }> {
  const at = now.toISOString();
  return readPage(
    tenantList(ctx, 'apiKeys'),
    query,
    (from) =>
      ApiKeyEntity.query
        .byTenant({ tenantId: ctx.tenantId })
        .where((attr, op) => {
          switch (query.status) {
            case 'revoked':
              return op.eq(attr.status, 'revoked');
            case 'expired':
              return `${op.eq(attr.status, 'active')} AND ${op.lte(attr.validUntil, at)}`;
            case 'active':
              return `${op.eq(attr.status, 'active')} AND (${op.notExists(attr.validUntil)} OR ${op.gt(attr.validUntil, at)})`;
            default:
              return '';
          }
        })
        .go(from),
    (item) => toView(item, now),
  );
}

/**
 * Revokes a key: its status, the `apiKeys` quota given back, the lookup item deleted (the authorizer
 * no longer finds it) and the audit event, in one transaction. Access ends at once in this process
 * and within the record cache time everywhere. Revoking a revoked key changes nothing.
 */
export async function revokeApiKey(
  ctx: TenantContext,
  keyId: string,
  now: Date = requestTime(ctx),
): Promise<ApiKeyView> {
  const current = await getKeyItem(ctx, keyId);
  if (current.status === 'revoked') return toView(current, now);
  const at = now.toISOString();
  const by = principalId(ctx.principal);
  await writeAudited(
    ctx,
    {
      action: 'api_key.revoked',
      targetType: 'apiKey',
      targetId: keyId,
      before: { status: current.status },
      after: { status: 'revoked' },
    },
    ({ apiKey, apiKeyLookup, quotaCounter }) => ({
      key: apiKey
        .patch({ tenantId: ctx.tenantId, keyId })
        .set({ status: 'revoked', revokedAt: at, revokedBy: by })
        .where((attr, op) => op.eq(attr.status, 'active'))
        .commit(),
      lookup: apiKeyLookup.delete({ secretHash: current.secretHash }).commit(),
      quota: giveBackCounted(quotaCounter, ctx, 'apiKeys', 1, now),
    }),
    {
      rejections: {
        key: () => new ConflictError('The key was changed meanwhile; retry.', 'concurrent_modification'),
      },
      now: now,
      client: platformDocumentClient,
    },
  );
  forgetApiKey(ctx.tenantId, keyId);
  return toView({ ...current, status: 'revoked', revokedAt: at, revokedBy: by, updatedAt: at }, now);
}
