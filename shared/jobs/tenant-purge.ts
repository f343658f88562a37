import { DeleteCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { deleteKeys, type TableKey } from '../data/batch-delete';
import type { BillingProvider } from '../billing/billing-provider';
import { forgetGrantedDelegations, forgetTenant } from '../data/cached-records';
import { ChildTenantEntity } from '../data/entities/child-tenant';
import { DelegationEntity } from '../data/entities/delegation';
import { writeTransaction } from '../data/transactions';
import { ConflictError } from '../errors';
import { giveBackCounted } from '../quotas/counted-quota';
import type { Allocation } from '../model/plans';
import { partnerTotalsUpdate, totalsAfter } from '../partners/allocations';
import { platformDocumentClient, TABLE_NAME, tenantDocumentClient } from '../data/clients';
import { ApiKeyLookupEntity } from '../data/entities/api-key-lookup';
import { BillingCustomerEntity } from '../data/entities/billing-customer';
import { BillingOutboxEntity } from '../data/entities/billing-outbox';
import { MembershipEntity } from '../data/entities/membership';
import { SlugClaimEntity } from '../data/entities/slug-claim';
import { TenantEntity, type TenantItem } from '../data/entities/tenant';
import { TenantDeletionEntity } from '../data/entities/tenant-deletion';
import { TABLE_DEFINITION, TENANT_KEY_PREFIX } from '../data/table-definition';
import { exportStore } from '../exports/export-store';
import { deleteDirectoryUser } from '../identity/user-directory';
import { normalizedEmail } from '../identity/directory-person';
import { EmailClaimEntity } from '../data/entities/email-claim';
import { isConditionalFailure } from '../data/dynamo-errors';
import { logger } from '../observability/logger';

export type PurgeOutcome = 'purged' | 'kept' | 'gone';

type PartitionKey = TableKey;

/** What the purge needs from the tenant's partition: every key, and what points out of it. */
interface Partition {
  keys: PartitionKey[];
  apiKeyHashes: string[];
  members: Array<{ userId: string; cognitoUsername: string; email: string }>;
  /** Its delegations, each kept twice: the other tenant's copy goes with it. */
  delegations: Array<{ side: 'granted' | 'held'; counterpartId: string }>;
}

const PK = TABLE_DEFINITION.partitionKey;
const SK = TABLE_DEFINITION.sortKey;

async function readPartition(tenantId: string): Promise<Partition> {
  const partition: Partition = { keys: [], apiKeyHashes: [], members: [], delegations: [] };
  let start: Record<string, unknown> | undefined;
  do {
    const page = await tenantDocumentClient.send(
      new QueryCommand({
        TableName: TABLE_NAME,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: {
          '#pk': PK,
          '#sk': SK,
          '#e': '__edb_e__',
          '#hash': 'secretHash',
          '#user': 'userId',
          '#username': 'cognitoUsername',
          '#email': 'email',
          '#side': 'side',
          '#counterpart': 'counterpartId',
        },
        ExpressionAttributeValues: { ':pk': `${TENANT_KEY_PREFIX}${tenantId}` },
        ProjectionExpression: '#pk, #sk, #e, #hash, #user, #username, #email, #side, #counterpart',
        ConsistentRead: true,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    for (const item of page.Items ?? []) {
      partition.keys.push({ pk: String(item[PK]), sk: String(item[SK]) });
      if (item.__edb_e__ === 'apiKey' && typeof item.secretHash === 'string') {
        partition.apiKeyHashes.push(item.secretHash);
      }
      if (item.__edb_e__ === 'delegation' && (item.side === 'granted' || item.side === 'held')) {
        partition.delegations.push({ side: item.side, counterpartId: String(item.counterpartId) });
      }
      if (item.__edb_e__ === 'membership' && typeof item.cognitoUsername === 'string') {
        partition.members.push({
          userId: String(item.userId),
          cognitoUsername: item.cognitoUsername,
          email: String(item.email),
        });
      }
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return partition;
}

/** The platform items that point at the tenant: its slug, its keys' lookups, its billing items. */
async function deletePlatformItems(tenant: TenantItem, partition: Partition): Promise<number> {
  let removed = 0;
  const client = platformDocumentClient;
  try {
    await SlugClaimEntity.delete({ slug: tenant.slug })
      .where((attr, op) => op.eq(attr.tenantId, tenant.tenantId))
      .go({ client, response: 'none' });
    removed += 1;
  } catch (error) {
    // Gone already (a purge that stopped half way), or another tenant's: left alone.
    if (!isConditionalFailure(error)) throw error;
  }
  for (const secretHash of partition.apiKeyHashes) {
    await ApiKeyLookupEntity.delete({ secretHash }).go({ client, response: 'none' });
    removed += 1;
  }
  if (tenant.stripeCustomerId) {
    await BillingCustomerEntity.delete({ customerId: tenant.stripeCustomerId }).go({
      client,
      response: 'none',
    });
    removed += 1;
  }
  for (const kind of ['createCustomer', 'cancelSubscription'] as const) {
    await BillingOutboxEntity.delete({ kind, tenantId: tenant.tenantId }).go({ client, response: 'none' });
  }
  return removed;
}

class AlreadyReleased extends ConflictError {
  constructor() {
    super('The parent’s summary of the tenant is gone already.', 'concurrent_modification');
  }
}
class ParentMoved extends ConflictError {
  constructor() {
    super('The parent’s allocations changed meanwhile.', 'concurrent_modification');
  }
}
class NothingToGiveBack extends ConflictError {
  constructor() {
    super('The parent’s childTenants count has nothing to give back.', 'concurrent_modification');
  }
}

/**
 * The parent's summary of the tenant goes, with what the tenant took of the parent: its place in
 * `childTenants` and the slices of the parent's limits it was given (the parent may use them again).
 * Once, however often the purge runs: the transaction is conditioned on the summary; the slices on
 * the parent's allocation version (read again when another allocation moved it). A count with
 * nothing to give back (reconciled meanwhile) does not keep the summary.
 */
async function releaseFromParent(tenant: TenantItem, now: Date): Promise<number> {
  const parentId = tenant.parentId;
  if (!parentId) return 0;
  const client = platformDocumentClient;
  const slices = (tenant.allocation ?? {}) as Allocation;
  const hasSlices = Object.keys(slices).length > 0;
  let giveBackPlace = true;
  for (let attempt = 1; attempt <= 8; attempt += 1) {
    const parent = hasSlices
      ? (await TenantEntity.get({ tenantId: parentId }).go({ client, consistent: true })).data
      : null;
    const version = parent?.allocationVersion;
    try {
      await writeTransaction(
        client,
        (entities) => ({
          summary: entities.childTenant
            .delete({ tenantId: parentId, childId: tenant.tenantId })
            .where((attr, op) => op.exists(attr.childId))
            .commit(),
          ...(giveBackPlace
            ? {
                quota: giveBackCounted(entities.quotaCounter, { tenantId: parentId }, 'childTenants', 1, now),
              }
            : {}),
          ...(parent
            ? {
                parent: partnerTotalsUpdate(
                  entities,
                  parentId,
                  totalsAfter((parent.allocatedToChildren ?? {}) as Allocation, slices, {}),
                  version,
                ),
              }
            : {}),
        }),
        {
          summary: () => new AlreadyReleased(),
          quota: () => new NothingToGiveBack(),
          parent: () => new ParentMoved(),
        },
      );
      forgetTenant(parentId);
      return 1;
    } catch (error) {
      if (error instanceof AlreadyReleased) return 0;
      if (error instanceof NothingToGiveBack) giveBackPlace = false;
      else if (!(error instanceof ParentMoved)) throw error;
    }
  }
  throw new Error('The parent’s allocations kept changing: the next purge run releases the tenant.');
}

/**
 * What the tenant's place in a hierarchy left in other partitions: its summary (`CHILD#`) in each
 * ancestor's (the parent's with what the tenant took of it: `releaseFromParent`), and the other
 * side's copy of each of its delegations.
 */
async function deleteHierarchyCopies(tenant: TenantItem, partition: Partition, now: Date): Promise<number> {
  let removed = await releaseFromParent(tenant, now);
  const client = platformDocumentClient;
  for (const ancestorId of (tenant.ancestorIds ?? []).filter((id) => id !== tenant.parentId)) {
    await ChildTenantEntity.delete({ tenantId: ancestorId, childId: tenant.tenantId }).go({
      client,
      response: 'none',
    });
    removed += 1;
  }
  for (const delegation of partition.delegations) {
    const mirror =
      delegation.side === 'granted'
        ? { tenantId: delegation.counterpartId, side: 'held' as const, counterpartId: tenant.tenantId }
        : { tenantId: delegation.counterpartId, side: 'granted' as const, counterpartId: tenant.tenantId };
    await DelegationEntity.delete(mirror).go({ client, response: 'none' });
    if (mirror.side === 'granted') forgetGrantedDelegations(mirror.tenantId);
    removed += 1;
  }
  return removed;
}

/**
 * Sign-ins of members the tenant was the last membership of (their memberships are gone by now),
 * with their addresses' claims: nothing of the person stays.
 */
async function deleteOrphanedUsers(members: Partition['members']): Promise<number> {
  let removed = 0;
  for (const member of members) {
    const others = await MembershipEntity.query
      .byUser({ userId: member.userId })
      .go({ client: platformDocumentClient, count: 1 });
    if (others.data.length > 0) continue;
    await EmailClaimEntity.delete({ email: normalizedEmail(member.email) })
      .where((attr, op) => op.eq(attr.userId, member.userId))
      .go({ client: platformDocumentClient, response: 'none' })
      .catch((error: unknown) => {
        // A claim of another person, or none (a person from before claims): left as it is.
        if (!isConditionalFailure(error)) throw error;
      });
    // A person the directory provisioned may have no sign-in yet.
    if (member.cognitoUsername) await deleteDirectoryUser(member.cognitoUsername);
    removed += 1;
  }
  return removed;
}

/**
 * Purges a deleted tenant past its retention window: cancels a subscription still running, then
 * removes every item of its partition (memberships, keys, agents, runs, memory, counters, usage,
 * audit, bills, idempotency records, secrets), the platform items that point at it (slug guard, API
 * key lookups, Stripe customer lookup, outbox work), its export files, and the Cognito users it was
 * the last tenant of; a platform record of the deletion stays. The tenant item goes last, so a purge that stopped
 * half way is finished by the next run. Anything else is `kept` (not deleted, or still in its window).
 */
export async function purgeTenant(
  provider: BillingProvider,
  tenantId: string,
  now: Date,
): Promise<PurgeOutcome> {
  const tenant = (
    await TenantEntity.get({ tenantId }).go({ client: platformDocumentClient, consistent: true })
  ).data;
  if (!tenant) return 'gone';
  if (tenant.status !== 'deleted' || !tenant.purgeAfter || tenant.purgeAfter > now.toISOString())
    return 'kept';
  if (tenant.subscriptionId) await provider.cancelSubscription(tenant.subscriptionId);

  const partition = await readPartition(tenantId);
  let itemsRemoved = await deletePlatformItems(tenant, partition);
  itemsRemoved += await deleteHierarchyCopies(tenant, partition, now);
  const tenantKey = partition.keys.find((key) => key.sk === 'TENANT');
  const rest = partition.keys.filter((key) => key !== tenantKey);
  await deleteKeys(rest);
  itemsRemoved += rest.length;
  const usersRemoved = await deleteOrphanedUsers(partition.members);
  // Its export files: the bucket expires them, but not before the purge must be done with them.
  const filesRemoved = await exportStore().removePrefix(`tenants/${tenantId}/`);

  await TenantDeletionEntity.put({
    tenantId,
    slug: tenant.slug,
    name: tenant.name,
    plan: tenant.plan,
    deletedAt: tenant.deletedAt ?? tenant.updatedAt,
    ...(tenant.deletedBy ? { deletedBy: tenant.deletedBy } : {}),
    purgedAt: now.toISOString(),
    itemsRemoved: itemsRemoved + 1,
    usersRemoved,
  }).go({ response: 'none' });
  if (tenantKey) {
    await tenantDocumentClient.send(
      new DeleteCommand({ TableName: TABLE_NAME, Key: { [PK]: tenantKey.pk, [SK]: tenantKey.sk } }),
    );
  }
  forgetTenant(tenantId);
  logger.info('Tenant purged', { tenantId, itemsRemoved: itemsRemoved + 1, usersRemoved, filesRemoved });
  return 'purged';
}
