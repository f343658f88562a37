import { writeAudited } from '../audit/audited-transaction';
import { agentInScope, getAgentItem } from '../agents/agent-service';
import { readPage } from '../data/page';
import { tenantDocumentClient } from '../data/clients';
import { writeTransaction } from '../data/transactions';
import { MemoryItemEntity, type MemoryItem } from '../data/entities/memory-item';
import { tenantPartitionKey } from '../data/table-definition';
import { ConflictError, NotFoundError } from '../errors';
import { logger } from '../observability/logger';
import { newId } from '../ids';
import { afterCountedTake, countedQuotaError, giveBackCounted, takeCounted } from '../quotas/counted-quota';
import { requestTime, type TenantContext } from '../context/tenant-context';

export interface MemoryView {
  id: string;
  agentId: string;
  kind: MemoryItem['kind'];
  content: unknown;
  sizeBytes: number;
  createdAt: string;
}

function toView(item: MemoryItem): MemoryView {
  return {
    id: item.memoryId,
    agentId: item.agentId,
    kind: item.kind,
    content: item.content,
    sizeBytes: item.sizeBytes,
    createdAt: item.createdAt,
  };
}

/** The bytes a memory item counts against storage: its content as stored (UTF-8 text or JSON). */
export function memorySize(kind: MemoryItem['kind'], content: unknown): number {
  return Buffer.byteLength(kind === 'text' ? String(content) : JSON.stringify(content), 'utf8');
}

/**
 * Stores a memory item in one transaction: a check that its agent exists, the `storageBytes` counter
 * (by its size), the item and the audit event. An agent deleted meanwhile cannot gain memory.
 */
export async function addMemory(
  ctx: TenantContext,
  agentId: string,
  input: { kind: MemoryItem['kind']; content: unknown },
  now: Date = requestTime(ctx),
): Promise<MemoryView> {
  const sizeBytes = memorySize(input.kind, input.content);
  const item: MemoryItem = {
    tenantId: ctx.tenantId,
    agentId,
    memoryId: newId('memory', now.getTime()),
    kind: input.kind,
    content: input.content,
    sizeBytes,
    createdAt: now.toISOString(),
  };
  await writeAudited(
    ctx,
    {
      action: 'memory.created',
      targetType: 'memory',
      targetId: item.memoryId,
      after: { agentId, kind: input.kind, sizeBytes },
    },
    ({ agent, memoryItem, quotaCounter }) => ({
      agent: agent
        .check({ tenantId: ctx.tenantId, agentId })
        .where((attr, op) => agentInScope(ctx, attr, op))
        .commit(),
      quota: takeCounted(quotaCounter, ctx, 'storageBytes', sizeBytes, now),
      memory: memoryItem.create(item).commit(),
    }),
    {
      rejections: {
        agent: () => new NotFoundError('No agent with this id in the tenant.', 'agent_not_found'),
        quota: () => countedQuotaError(ctx, 'storageBytes'),
      },
    },
  );
  await afterCountedTake(ctx, 'storageBytes', now);
  return toView(item);
}

async function getMemoryItem(ctx: TenantContext, agentId: string, memoryId: string): Promise<MemoryItem> {
  // A project-limited key reaches the memory of its project's agents only: the agent is read beside.
  const [result] = await Promise.all([
    MemoryItemEntity.get({ tenantId: ctx.tenantId, agentId, memoryId }).go({ consistent: true }),
    ctx.projectId !== undefined ? getAgentItem(ctx, agentId) : undefined,
  ]);
  if (!result.data) throw new NotFoundError('No memory item with this id for the agent.', 'memory_not_found');
  return result.data;
}

export async function getMemory(ctx: TenantContext, agentId: string, memoryId: string): Promise<MemoryView> {
  return toView(await getMemoryItem(ctx, agentId, memoryId));
}

/** An agent's memory, a page at a time; an agent the tenant does not have is a 404, not an empty list. */
export async function listMemory(
  ctx: TenantContext,
  agentId: string,
  query: { limit: number; cursor?: string | undefined },
): Promise<{ items: MemoryView[]; nextCursor: string | null }> {
  const list = { name: `memory:${ctx.tenantId}:${agentId}`, partition: tenantPartitionKey(ctx.tenantId) };
  // The agent's existence and the page, side by side.
  const [page] = await Promise.all([
    readPage(
      list,
      query,
      (from) => MemoryItemEntity.query.byTenant({ tenantId: ctx.tenantId, agentId }).go(from),
      toView,
    ),
    getAgentItem(ctx, agentId),
  ]);
  return page;
}

/** Deletes a memory item and gives its bytes back to the storage quota, in one transaction. */
export async function deleteMemory(
  ctx: TenantContext,
  agentId: string,
  memoryId: string,
  now: Date = requestTime(ctx),
): Promise<void> {
  const current = await getMemoryItem(ctx, agentId, memoryId);
  await writeAudited(
    ctx,
    {
      action: 'memory.deleted',
      targetType: 'memory',
      targetId: memoryId,
      before: { agentId, kind: current.kind, sizeBytes: current.sizeBytes },
    },
    ({ memoryItem, quotaCounter }) => ({
      memory: memoryItem
        .delete({ tenantId: ctx.tenantId, agentId, memoryId })
        .where((attr, op) => op.exists(attr.memoryId))
        .commit(),
      quota: giveBackCounted(quotaCounter, ctx, 'storageBytes', current.sizeBytes, now),
    }),
    {
      rejections: {
        memory: () => new NotFoundError('No memory item with this id for the agent.', 'memory_not_found'),
      },
    },
  );
}

/**
 * Deletes the tenant's memory items made before `before` (its plan's retention), each with its bytes
 * given back to the storage quota in one transaction; not audited one by one (the retention job
 * logs what it removed). An item deleted meanwhile is skipped. Answers how many it deleted.
 */
export async function expireMemory(ctx: TenantContext, before: Date, now: Date): Promise<number> {
  const cutoff = before.toISOString();
  let deleted = 0;
  let cursor: string | null = null;
  do {
    const page: { data: MemoryItem[]; cursor: string | null } = await MemoryItemEntity.query
      .byTenant({ tenantId: ctx.tenantId })
      .where((attr, op) => op.lt(attr.createdAt, cutoff))
      .go({ cursor, consistent: true });
    for (const item of page.data) {
      try {
        await writeTransaction(
          tenantDocumentClient,
          ({ memoryItem, quotaCounter }) => ({
            memory: memoryItem
              .delete({ tenantId: ctx.tenantId, agentId: item.agentId, memoryId: item.memoryId })
              .where((attr, op) => op.exists(attr.memoryId))
              .commit(),
            quota: giveBackCounted(quotaCounter, ctx, 'storageBytes', item.sizeBytes, now),
          }),
          { memory: () => new NotFoundError('Deleted meanwhile.', 'memory_not_found') },
        );
        deleted += 1;
      } catch (error) {
        if (error instanceof NotFoundError) continue;
        // A storage counter below the item's bytes (drifted): the reconciliation repairs it, and the
        // next day's run deletes the item.
        if (!(error instanceof ConflictError)) throw error;
        logger.warn('A memory item past its retention was kept for now', { memoryId: item.memoryId, error });
      }
    }
    cursor = page.cursor;
  } while (cursor);
  return deleted;
}
