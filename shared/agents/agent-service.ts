import { settingValue } from '../setting-registry';
import { writeAudited } from '../audit/audited-transaction';
import { changedFieldsOf } from '../audit/audit-log';
import { readPage, tenantList } from '../data/page';
import { allConditions } from '../data/filters';
import { TtlCache } from '../data/ttl-cache';
import { getConfig } from '../config';
import { AgentEntity, type AgentItem } from '../data/entities/agent';
import { ConflictError, NotFoundError, ValidationError } from '../errors';
import { newId } from '../ids';
import { afterCountedTake, countedQuotaError, giveBackCounted, takeCounted } from '../quotas/counted-quota';
import { principalId, requestTime, type TenantContext } from '../context/tenant-context';
import { assertProjectVisible, projectNotFound } from '../projects/project-service';
import type { TransactionEntities } from '../data/service';

export interface AgentView {
  id: string;
  name: string;
  description: string | null;
  model: string;
  instructions: string | null;
  /** The project the agent belongs to; `null` for an agent of the tenant at large. */
  projectId: string | null;
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
    projectId: item.projectId ?? null,
    createdBy: item.createdBy,
    createdAt: item.createdAt,
    updatedAt: item.updatedAt,
  };
}

export interface AgentInput {
  name: string;
  /** Absent: the tenant's `agents.defaultModel` setting. */
  model?: string | undefined;
  description?: string | undefined;
  instructions?: string | undefined;
  /** The project to put it in; a project-limited key's own project when it names none. */
  projectId?: string | undefined;
}

export interface AgentChanges extends Partial<Omit<AgentInput, 'projectId'>> {
  /** Moves the agent to another project, or (`null`) out of any. */
  projectId?: string | null | undefined;
}

export const agentNotFound = () =>
  new NotFoundError('No agent with this id in the tenant.', 'agent_not_found');

/**
 * An agent the caller may see: any of the tenant's, or, for a key limited to a project, one of that
 * project's (another is answered as missing).
 */
function assertAgentVisible(ctx: TenantContext, item: AgentItem): void {
  if (ctx.projectId !== undefined && item.projectId !== ctx.projectId) throw agentNotFound();
}

/**
 * The condition a transaction puts on an agent it acts through (memory stored, a run started): the
 * agent exists and, for a project-limited key, is in its project. No read before the write.
 */
export function agentInScope(
  ctx: TenantContext,
  attr: { agentId: string; projectId: string },
  op: { exists: (a: string) => string; eq: (a: string, v: string) => string },
): string {
  const exists = op.exists(attr.agentId);
  return ctx.projectId === undefined ? exists : `${exists} AND ${op.eq(attr.projectId, ctx.projectId)}`;
}

/**
 * Which project each agent is in, as a run starting on it last found (seconds, not minutes). A run
 * records its agent's project and commits on condition the agent is still in it, so a stale answer
 * costs a retry, never a wrong record.
 */
const agentProjects = new TtlCache<string | null>(getConfig().cache.membershipTtlMs, 10_000);

/** The project an agent is in (`null` for none), cached; a missing agent is `404 agent_not_found`. */
export async function projectOfAgent(ctx: TenantContext, agentId: string): Promise<string | null> {
  const key = `${ctx.tenantId}:${agentId}`;
  try {
    return await agentProjects.get(key, async () => {
      const found = await AgentEntity.get({ tenantId: ctx.tenantId, agentId }).go({
        attributes: ['agentId', 'projectId'],
      });
      if (!found.data) throw agentNotFound();
      return found.data.projectId ?? null;
    });
  } catch (error) {
    agentProjects.delete(key);
    throw error;
  }
}

/** Forgets what {@link projectOfAgent} found (a run's condition said it is no longer so). */
export function forgetProjectOfAgent(ctx: TenantContext, agentId: string): void {
  agentProjects.delete(`${ctx.tenantId}:${agentId}`);
}

type ProjectWriter = TransactionEntities['project'];

/** An agent joining a project: its count goes up, on condition the project exists. */
function joinProject(project: ProjectWriter, ctx: TenantContext, projectId: string, now: string) {
  return project
    .patch({ tenantId: ctx.tenantId, projectId })
    .add({ agentCount: 1 })
    .set({ updatedAt: now })
    .commit();
}

/** An agent leaving a project: its count goes down, never below zero. */
function leaveProject(project: ProjectWriter, ctx: TenantContext, projectId: string, now: string) {
  return project
    .patch({ tenantId: ctx.tenantId, projectId })
    .subtract({ agentCount: 1 })
    .set({ updatedAt: now })
    .where((attr, op) => op.gte(attr.agentCount, 1))
    .commit();
}

/** Creates an agent: the item, the `agents` counter (conditional on the limit) and the audit event, one transaction. */
export async function createAgent(
  ctx: TenantContext,
  input: AgentInput,
  now: Date = requestTime(ctx),
): Promise<AgentView> {
  const projectId = input.projectId ?? ctx.projectId;
  if (projectId !== undefined) assertProjectVisible(ctx, projectId);
  const model = input.model ?? (settingValue(ctx.typedSettings, 'agents.defaultModel') as string | null);
  if (!model) {
    throw new ValidationError('Name the agent’s model, or set the tenant’s agents.defaultModel setting.', [
      { path: 'model', message: 'required: the tenant has no default model' },
    ]);
  }
  const agent: AgentItem = {
    tenantId: ctx.tenantId,
    agentId: newId('agent', now.getTime()),
    name: input.name,
    model,
    description: input.description,
    instructions: input.instructions,
    projectId,
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
      after: { name: agent.name, model: agent.model, ...(projectId ? { projectId } : {}) },
    },
    ({ agent: agents, quotaCounter, project }) => ({
      quota: takeCounted(quotaCounter, ctx, 'agents', 1, now),
      agent: agents.create(agent).commit(),
      ...(projectId ? { project: joinProject(project, ctx, projectId, agent.createdAt) } : {}),
    }),
    { rejections: { quota: () => countedQuotaError(ctx, 'agents'), project: projectNotFound }, now },
  );
  await afterCountedTake(ctx, 'agents', now);
  return toView(agent);
}

export async function getAgentItem(ctx: TenantContext, agentId: string): Promise<AgentItem> {
  const result = await AgentEntity.get({ tenantId: ctx.tenantId, agentId }).go({ consistent: true });
  if (!result.data) throw agentNotFound();
  assertAgentVisible(ctx, result.data);
  return result.data;
}

export async function getAgent(ctx: TenantContext, agentId: string): Promise<AgentView> {
  return toView(await getAgentItem(ctx, agentId));
}

export async function listAgents(
  ctx: TenantContext,
  query: {
    limit: number;
    cursor?: string | undefined;
    search?: string | undefined;
    projectId?: string | undefined;
  },
): Promise<{ items: AgentView[]; nextCursor: string | null }> {
  const search = query.search?.toLocaleLowerCase('en-US');
  if (query.projectId !== undefined) assertProjectVisible(ctx, query.projectId);
  // A project-limited key lists its project's agents whatever it asks.
  const projectId = ctx.projectId ?? query.projectId;
  return readPage(
    tenantList(ctx, 'agents'),
    query,
    (from) =>
      AgentEntity.query
        .byTenant({ tenantId: ctx.tenantId })
        .where((attr, op) =>
          allConditions([
            search
              ? // Agents written before the case-folded name existed match on their name as written.
                `${op.contains(attr.searchName, search)} OR (${op.notExists(attr.searchName)} AND ${op.contains(attr.name, query.search ?? '')})`
              : '',
            projectId !== undefined ? op.eq(attr.projectId, projectId) : '',
          ]),
        )
        .go(from),
    toView,
  );
}

export async function updateAgent(
  ctx: TenantContext,
  agentId: string,
  input: AgentChanges,
): Promise<AgentView> {
  const current = await getAgentItem(ctx, agentId);
  const now = requestTime(ctx).toISOString();
  const { projectId: movedTo, ...fields } = input;
  // A project-limited key cannot take an agent out of its project.
  if (movedTo !== undefined && ctx.projectId !== undefined && movedTo !== ctx.projectId) {
    throw projectNotFound();
  }
  const from = current.projectId;
  const to = movedTo === undefined ? from : (movedTo ?? undefined);
  const next: AgentItem = { ...current, ...fields, projectId: to, updatedAt: now };
  const { before, after } = changedFieldsOf(current, next, Object.keys(input));
  if (Object.keys(after).length === 0) return toView(current);
  const moves = from !== to;
  await writeAudited(
    ctx,
    {
      action: 'agent.updated',
      targetType: 'agent',
      targetId: agentId,
      before,
      after,
    },
    ({ agent, project }) => {
      const patch = agent.patch({ tenantId: ctx.tenantId, agentId }).set({ ...fields, updatedAt: now });
      return {
        agent: (moves && to === undefined
          ? patch.remove(['projectId'])
          : moves
            ? patch.set({ projectId: to })
            : patch
        )
          .where((attr, op) => op.eq(attr.updatedAt, current.updatedAt))
          .commit(),
        ...(moves && from ? { leave: leaveProject(project, ctx, from, now) } : {}),
        ...(moves && to ? { join: joinProject(project, ctx, to, now) } : {}),
      };
    },
    {
      rejections: {
        agent: () => new ConflictError('The agent changed meanwhile; retry.', 'concurrent_modification'),
        join: projectNotFound,
        leave: () => new ConflictError('The agent changed meanwhile; retry.', 'concurrent_modification'),
      },
    },
  );
  if (moves) forgetProjectOfAgent(ctx, agentId);
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
      before: {
        name: current.name,
        model: current.model,
        ...(current.projectId ? { projectId: current.projectId } : {}),
      },
    },
    ({ agent, quotaCounter, project }) => ({
      // Still in the project it was read in, so the count below is the right one's.
      agent: agent
        .delete({ tenantId: ctx.tenantId, agentId })
        .where((attr, op) =>
          current.projectId
            ? `${op.exists(attr.agentId)} AND ${op.eq(attr.projectId, current.projectId)}`
            : `${op.exists(attr.agentId)} AND ${op.notExists(attr.projectId)}`,
        )
        .commit(),
      quota: giveBackCounted(quotaCounter, ctx, 'agents', 1, now),
      ...(current.projectId
        ? { project: leaveProject(project, ctx, current.projectId, now.toISOString()) }
        : {}),
    }),
    {
      rejections: {
        agent: () => new ConflictError('The agent changed meanwhile; retry.', 'concurrent_modification'),
      },
    },
  );
}
