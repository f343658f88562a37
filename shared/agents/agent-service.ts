import { writeAudited } from '../audit/audited-transaction';
import { changedFieldsOf } from '../audit/audit-log';
import { readPage, tenantList } from '../data/page';
import { AgentEntity, type AgentItem } from '../data/entities/agent';
import { ConflictError, NotFoundError } from '../errors';
import { newId } from '../ids';
import { afterCountedTake, countedQuotaError, giveBackCounted, takeCounted } from '../quotas/counted-quota';
import { principalId, requestTime, type TenantContext } from '../context/tenant-context';

export interface AgentView {
  id: string;
  name: string;
  description: string | null;
  model: string;
  instructions: string | null;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

function toView(item: AgentItem): AgentView {
  return {
    id: item.agentId,
    name: item.name,
    description: item.description ?? null,
    model: item.model,
    instructions: item.instructions ?? null,
    createdBy: item.createdBy,
    createdAt: item.createdAt,
    updatedAt: item.updatedAt,
  };
}

export interface AgentInput {
  name: string;
  model: string;
  description?: string | undefined;
  instructions?: string | undefined;
}

/** Creates an agent: the item, the `agents` counter (conditional on the limit) and the audit event, one transaction. */
export async function createAgent(
  ctx: TenantContext,
  input: AgentInput,
  now: Date = requestTime(ctx),
): Promise<AgentView> {
  const agent: AgentItem = {
    tenantId: ctx.tenantId,
    agentId: newId('agent', now.getTime()),
    name: input.name,
    model: input.model,
    description: input.description,
    instructions: input.instructions,
    createdBy: principalId(ctx.principal),
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
  await writeAudited(
    ctx,
    {
      action: 'agent.created',
      targetType: 'agent',
      targetId: agent.agentId,
      after: { name: agent.name, model: agent.model },
    },
    ({ agent: agents, quotaCounter }) => ({
      quota: takeCounted(quotaCounter, ctx, 'agents', 1, now),
      agent: agents.create(agent).commit(),
    }),
    { rejections: { quota: () => countedQuotaError(ctx, 'agents') }, now },
  );
  await afterCountedTake(ctx, 'agents', now);
  return toView(agent);
}

export async function getAgentItem(ctx: TenantContext, agentId: string): Promise<AgentItem> {
  const result = await AgentEntity.get({ tenantId: ctx.tenantId, agentId }).go({ consistent: true });
  if (!result.data) throw new NotFoundError('No agent with this id in the tenant.', 'agent_not_found');
  return result.data;
}

export async function getAgent(ctx: TenantContext, agentId: string): Promise<AgentView> {
  return toView(await getAgentItem(ctx, agentId));
}

export async function listAgents(
  ctx: TenantContext,
  query: { limit: number; cursor?: string | undefined; search?: string | undefined },
): Promise<{ items: AgentView[]; nextCursor: string | null }> {
  const search = query.search?.toLocaleLowerCase('en-US');
  return readPage(
    tenantList(ctx, 'agents'),
    query,
    (from) =>
      AgentEntity.query
        .byTenant({ tenantId: ctx.tenantId })
        .where((attr, op) =>
          search
            ? // Agents written before the case-folded name existed match on their name as written.
              `${op.contains(attr.searchName, search)} OR (${op.notExists(attr.searchName)} AND ${op.contains(attr.name, query.search ?? '')})`
            : '',
        )
        .go(from),
    toView,
  );
}

export async function updateAgent(
  ctx: TenantContext,
  agentId: string,
  input: Partial<AgentInput>,
): Promise<AgentView> {
  const current = await getAgentItem(ctx, agentId);
  const now = requestTime(ctx).toISOString();
  const next: AgentItem = { ...current, ...input, updatedAt: now };
  const { before, after } = changedFieldsOf(current, next, Object.keys(input));
  if (Object.keys(after).length === 0) return toView(current);
  await writeAudited(
    ctx,
    {
      action: 'agent.updated',
      targetType: 'agent',
      targetId: agentId,
      before,
      after,
    },
    ({ agent }) => ({
      agent: agent
        .patch({ tenantId: ctx.tenantId, agentId })
        .set(input)
        .where((attr, op) => op.eq(attr.updatedAt, current.updatedAt))
        .commit(),
    }),
    {
      rejections: {
        agent: () => new ConflictError('The agent changed meanwhile; retry.', 'concurrent_modification'),
      },
    },
  );
  return toView(next);
}

/** Deletes an agent and gives its `agents` quota back, in one transaction. */
export async function deleteAgent(
  ctx: TenantContext,
  agentId: string,
  now: Date = requestTime(ctx),
): Promise<void> {
  const current = await getAgentItem(ctx, agentId);
  await writeAudited(
    ctx,
    {
      action: 'agent.deleted',
      targetType: 'agent',
      targetId: agentId,
      before: { name: current.name, model: current.model },
    },
    ({ agent, quotaCounter }) => ({
      agent: agent
        .delete({ tenantId: ctx.tenantId, agentId })
        .where((attr, op) => op.exists(attr.agentId))
        .commit(),
      quota: giveBackCounted(quotaCounter, ctx, 'agents', 1, now),
    }),
    {
      rejections: {
        agent: () => new NotFoundError('No agent with this id in the tenant.', 'agent_not_found'),
      },
    },
  );
}
