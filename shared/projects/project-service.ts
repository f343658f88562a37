import { writeAudited } from '../audit/audited-transaction';
import { changedFieldsOf } from '../audit/audit-log';
import { readPage, tenantList, type Page } from '../data/page';
import { ProjectEntity, type ProjectItem } from '../data/entities/project';
import { ProjectUsageEntity, type ProjectUsageItem } from '../data/entities/project-usage';
import { monthPeriod } from '../quotas/periods';
import { ConflictError, NotFoundError } from '../errors';
import { newId } from '../ids';
import { afterCountedTake, countedQuotaError, giveBackCounted, takeCounted } from '../quotas/counted-quota';
import { principalId, requestTime, type TenantContext } from '../context/tenant-context';

export interface ProjectView {
  id: string;
  name: string;
  description: string | null;
  /** The agents in the project now. */
  agentCount: number;
  /** What the project's runs used this month (UTC), counted as each run completes. */
  usage: ProjectUsageView;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

export interface ProjectUsageView {
  /** The month (`YYYY-MM`, UTC) of the runs counted. */
  period: string;
  /** Runs of the project's agents started this month and completed (succeeded or failed). */
  runs: number;
  /** The tokens those runs reported. */
  tokens: number;
}

function toView(item: ProjectItem, usage: ProjectUsageView): ProjectView {
  return {
    id: item.projectId,
    name: item.name,
    description: item.description ?? null,
    agentCount: item.agentCount,
    usage,
    createdBy: item.createdBy,
    createdAt: item.createdAt,
    updatedAt: item.updatedAt,
  };
}

export interface ProjectInput {
  name: string;
  description?: string | undefined;
}

const noUsage = (period: string): ProjectUsageView => ({ period, runs: 0, tokens: 0 });

function usageOf(item: ProjectUsageItem | null | undefined, period: string): ProjectUsageView {
  return item ? { period, runs: item.runs, tokens: item.tokens } : noUsage(period);
}

/** This month's figures of one project. */
async function monthUsage(ctx: TenantContext, projectId: string): Promise<ProjectUsageView> {
  const period = monthPeriod(requestTime(ctx));
  const found = await ProjectUsageEntity.get({ tenantId: ctx.tenantId, period, projectId }).go();
  return usageOf(found.data, period);
}

/** This month's figures of every project that has some: one Query (they are keyed by month first). */
async function monthUsages(
  ctx: TenantContext,
): Promise<{ period: string; byProject: Map<string, ProjectUsageItem> }> {
  const period = monthPeriod(requestTime(ctx));
  const found = await ProjectUsageEntity.query
    .byTenant({ tenantId: ctx.tenantId, period })
    .go({ pages: 'all' });
  return { period, byProject: new Map(found.data.map((item) => [item.projectId, item])) };
}

export const projectNotFound = () =>
  new NotFoundError('No project with this id in the tenant.', 'project_not_found');

/**
 * A project the caller may see: any of the tenant's, or, for a key limited to a project, that one
 * only (another is answered as missing, so a key cannot learn which ids exist).
 */
export function assertProjectVisible(ctx: TenantContext, projectId: string): void {
  if (ctx.projectId !== undefined && ctx.projectId !== projectId) throw projectNotFound();
}

/** Creates a project: the item, the `projects` counter (conditional on the limit) and the audit event, one transaction. */
export async function createProject(
  ctx: TenantContext,
  input: ProjectInput,
  now: Date = requestTime(ctx),
): Promise<ProjectView> {
  const project: ProjectItem = {
    tenantId: ctx.tenantId,
    projectId: newId('project', now.getTime()),
    name: input.name,
    description: input.description,
    agentCount: 0,
    createdBy: principalId(ctx.principal),
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
  await writeAudited(
    ctx,
    {
      action: 'project.created',
      targetType: 'project',
      targetId: project.projectId,
      after: { name: project.name, ...(input.description ? { description: input.description } : {}) },
    },
    ({ project: projects, quotaCounter }) => ({
      quota: takeCounted(quotaCounter, ctx, 'projects', 1, now),
      project: projects.create(project).commit(),
    }),
    { rejections: { quota: () => countedQuotaError(ctx, 'projects') }, now },
  );
  await afterCountedTake(ctx, 'projects', now);
  return toView(project, noUsage(monthPeriod(now)));
}

export async function getProjectItem(ctx: TenantContext, projectId: string): Promise<ProjectItem> {
  assertProjectVisible(ctx, projectId);
  const result = await ProjectEntity.get({ tenantId: ctx.tenantId, projectId }).go({ consistent: true });
  if (!result.data) throw projectNotFound();
  return result.data;
}

export async function getProject(ctx: TenantContext, projectId: string): Promise<ProjectView> {
  const [item, usage] = await Promise.all([getProjectItem(ctx, projectId), monthUsage(ctx, projectId)]);
  return toView(item, usage);
}

/** The tenant's projects, a page at a time; a project-limited key sees its own alone. */
export async function listProjects(
  ctx: TenantContext,
  query: { limit: number; cursor?: string | undefined },
): Promise<Page<ProjectView>> {
  if (ctx.projectId !== undefined) {
    const [own, usage] = await Promise.all([
      ProjectEntity.get({ tenantId: ctx.tenantId, projectId: ctx.projectId }).go(),
      monthUsage(ctx, ctx.projectId),
    ]);
    return { items: own.data ? [toView(own.data, usage)] : [], nextCursor: null };
  }
  const [page, usages] = await Promise.all([
    readPage(
      tenantList(ctx, 'projects'),
      query,
      (from) => ProjectEntity.query.byTenant({ tenantId: ctx.tenantId }).go(from),
      (item) => item,
    ),
    monthUsages(ctx),
  ]);
  return {
    items: page.items.map((item) =>
      toView(item, usageOf(usages.byProject.get(item.projectId), usages.period)),
    ),
    nextCursor: page.nextCursor,
  };
}

export async function updateProject(
  ctx: TenantContext,
  projectId: string,
  input: Partial<ProjectInput>,
): Promise<ProjectView> {
  const [current, usage] = await Promise.all([getProjectItem(ctx, projectId), monthUsage(ctx, projectId)]);
  const now = requestTime(ctx).toISOString();
  const changes = {
    ...(input.name !== undefined ? { name: input.name } : {}),
    ...(input.description !== undefined ? { description: input.description } : {}),
  };
  const next: ProjectItem = { ...current, ...changes, updatedAt: now };
  const { before, after } = changedFieldsOf(current, next, Object.keys(changes));
  if (Object.keys(after).length === 0) return toView(current, usage);
  await writeAudited(
    ctx,
    { action: 'project.updated', targetType: 'project', targetId: projectId, before, after },
    ({ project }) => ({
      project: project
        .patch({ tenantId: ctx.tenantId, projectId })
        .set({ ...changes, updatedAt: now })
        .where((attr, op) => op.eq(attr.updatedAt, current.updatedAt))
        .commit(),
    }),
    {
      rejections: {
        project: () => new ConflictError('The project changed meanwhile; retry.', 'concurrent_modification'),
      },
    },
  );
  return toView(next, usage);
}

/**
 * Deletes an empty project and gives its `projects` quota back, in one transaction: conditional on
 * no agent being in it, checked on the count every agent's move keeps in the same transaction.
 */
export async function deleteProject(
  ctx: TenantContext,
  projectId: string,
  now: Date = requestTime(ctx),
): Promise<void> {
  const current = await getProjectItem(ctx, projectId);
  if (current.agentCount > 0) throw notEmpty(current.agentCount);
  await writeAudited(
    ctx,
    {
      action: 'project.deleted',
      targetType: 'project',
      targetId: projectId,
      before: { name: current.name },
    },
    ({ project, quotaCounter }) => ({
      project: project
        .delete({ tenantId: ctx.tenantId, projectId })
        .where((attr, op) => `${op.exists(attr.projectId)} AND ${op.eq(attr.agentCount, 0)}`)
        .commit(),
      quota: giveBackCounted(quotaCounter, ctx, 'projects', 1, now),
    }),
    {
      rejections: {
        // Gone meanwhile, or an agent joined it meanwhile: read again to say which.
        project: () => new ConflictError('The project changed meanwhile; retry.', 'concurrent_modification'),
      },
    },
  );
}

function notEmpty(agentCount: number): ConflictError {
  return new ConflictError(
    `The project still has ${agentCount} agent${agentCount === 1 ? '' : 's'}: move or delete them first.`,
    'project_not_empty',
    { agentCount },
  );
}
