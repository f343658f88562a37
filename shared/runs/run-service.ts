import { writeAudited } from '../audit/audited-transaction';
import { readPage, tenantList } from '../data/page';
import { allConditions } from '../data/filters';
import { RunEntity, type RunItem } from '../data/entities/run';
import { ConflictError, NotFoundError, type AppError } from '../errors';
import { agentNotFound, forgetProjectOfAgent, projectOfAgent } from '../agents/agent-service';
import { assertProjectVisible } from '../projects/project-service';
import { newId } from '../ids';
import { afterRecordedPeriodic, recordPeriodic } from '../quotas/periodic-quota';
import { counterClient, counterOwner, isPooled } from '../quotas/pools';
import { monthPeriod } from '../quotas/periods';
import { principalId, requestTime, type TenantContext } from '../context/tenant-context';

export interface RunView {
  id: string;
  agentId: string;
  /** The agent's project when the run started; `null` for none. */
  projectId: string | null;
  status: RunItem['status'];
  input: unknown;
  output: unknown;
  tokensUsed: number | null;
  startedBy: string;
  startedAt: string;
  completedAt: string | null;
  /** Why a cancelled run was stopped. */
  statusReason: string | null;
}

function toView(item: RunItem): RunView {
  return {
    id: item.runId,
    agentId: item.agentId,
    projectId: item.projectId ?? null,
    status: item.status,
    input: item.input ?? null,
    output: item.output ?? null,
    tokensUsed: item.tokensUsed ?? null,
    startedBy: item.startedBy,
    startedAt: item.startedAt,
    completedAt: item.completedAt ?? null,
    statusReason: item.statusReason ?? null,
  };
}

/**
 * Starts a run of an agent. The `runs` quota and the rate limit were taken by admission's metering
 * (the route declares `consumes: 'runs'`) and are given back if this fails; it refused the run if
 * this month's tokens are used up (`requiresLeft: 'tokens'`: the run could not report any).
 *
 * The run records its agent's project. The agent is not read before the write: its existence and its
 * project are the run's transaction's condition, the project taken from a key limited to one or from
 * a short cache of what the agent was found in. A cache that was wrong (the agent moved) costs one
 * fresh read and a second attempt.
 */
export async function startRun(
  ctx: TenantContext,
  agentId: string,
  input: { input?: unknown },
  now: Date = requestTime(ctx),
): Promise<RunView> {
  if (ctx.projectId !== undefined) return startRunIn(ctx, agentId, ctx.projectId, input, now, agentNotFound);
  const moved = () => new ConflictError('The agent moved meanwhile; retry.', 'concurrent_modification');
  try {
    return await startRunIn(ctx, agentId, await projectOfAgent(ctx, agentId), input, now, moved);
  } catch (error) {
    if (!(error instanceof ConflictError) || error.code !== 'concurrent_modification') throw error;
    forgetProjectOfAgent(ctx, agentId);
    return startRunIn(ctx, agentId, await projectOfAgent(ctx, agentId), input, now, moved);
  }
}

async function startRunIn(
  ctx: TenantContext,
  agentId: string,
  projectId: string | null,
  input: { input?: unknown },
  now: Date,
  notAsExpected: () => AppError,
): Promise<RunView> {
  const run: RunItem = {
    tenantId: ctx.tenantId,
    runId: newId('run', now.getTime()),
    agentId,
    ...(projectId ? { projectId } : {}),
    status: 'running',
    input: input.input,
    period: monthPeriod(now),
    ...(isPooled(ctx, 'runs') ? { countedIn: counterOwner(ctx, 'runs') } : {}),
    startedBy: principalId(ctx.principal),
    startedAt: now.toISOString(),
  };
  await writeAudited(
    ctx,
    {
      action: 'run.started',
      targetType: 'run',
      targetId: run.runId,
      after: { agentId, status: 'running', ...(projectId ? { projectId } : {}) },
    },
    ({ run: runs, agent }) => ({
      agent: agent
        .check({ tenantId: ctx.tenantId, agentId })
        .where((attr, op) =>
          projectId
            ? `${op.exists(attr.agentId)} AND ${op.eq(attr.projectId, projectId)}`
            : `${op.exists(attr.agentId)} AND ${op.notExists(attr.projectId)}`,
        )
        .commit(),
      run: runs.create(run).commit(),
    }),
    { rejections: { agent: notAsExpected } },
  );
  return toView(run);
}

export interface CompleteRunInput {
  status: 'succeeded' | 'failed';
  tokensUsed: number;
  output?: unknown;
}

/**
 * Completes a run with the tokens it used. The tokens were spent already, so they are never refused:
 * one transaction moves the run from running to its final status, adds the tokens in full to the
 * month's counter and the hour's usage, and writes the audit event. Tokens past the month's limit
 * are overage (billed within the plan's grace); beyond the grace the next run cannot start.
 */
export async function completeRun(
  ctx: TenantContext,
  runId: string,
  input: CompleteRunInput,
  now: Date = requestTime(ctx),
): Promise<RunView> {
  const current = (await RunEntity.get({ tenantId: ctx.tenantId, runId }).go({ consistent: true })).data;
  if (!current || !runVisible(ctx, current)) throw runNotFound();
  if (current.status !== 'running') throw new ConflictError('The run is already completed.', 'run_completed');
  const completed: RunItem = {
    ...current,
    status: input.status,
    tokensUsed: input.tokensUsed,
    output: input.output,
    completedAt: now.toISOString(),
  };
  await writeAudited(
    ctx,
    {
      action: 'run.completed',
      targetType: 'run',
      targetId: runId,
      before: { status: 'running' },
      after: { status: input.status, tokensUsed: input.tokensUsed },
    },
    ({ run, quotaCounter, usageBucket, projectUsage }) => ({
      run: run
        .patch({ tenantId: ctx.tenantId, runId })
        .set({
          status: input.status,
          tokensUsed: input.tokensUsed,
          output: input.output,
          completedAt: completed.completedAt,
        })
        .where((attr, op) => op.eq(attr.status, 'running'))
        .commit(),
      ...(input.tokensUsed > 0
        ? recordPeriodic({ quotaCounter, usageBucket }, ctx, 'tokens', input.tokensUsed, now)
        : {}),
      // The project's figures for the month the run started in, with the run's own completion.
      ...(current.projectId
        ? {
            projectUsage: projectUsage
              .update({ tenantId: ctx.tenantId, period: current.period, projectId: current.projectId })
              .add({ runs: 1, tokens: input.tokensUsed })
              .set({ updatedAt: completed.completedAt })
              .commit(),
          }
        : {}),
    }),
    {
      rejections: { run: () => new ConflictError('The run is already completed.', 'run_completed') },
      // Tokens drawn from a partner's pool are counted on the partner's counter, in its partition.
      ...(input.tokensUsed > 0 && isPooled(ctx, 'tokens') ? { client: counterClient(ctx, 'tokens') } : {}),
    },
  );
  if (input.tokensUsed > 0) await afterRecordedPeriodic(ctx, 'tokens', input.tokensUsed, now);
  return toView(completed);
}

export async function getRun(ctx: TenantContext, runId: string): Promise<RunView> {
  const result = await RunEntity.get({ tenantId: ctx.tenantId, runId }).go();
  if (!result.data || !runVisible(ctx, result.data)) throw runNotFound();
  return toView(result.data);
}

const runNotFound = () => new NotFoundError('No run with this id in the tenant.', 'run_not_found');

/** A key limited to a project sees the runs of that project's agents alone. */
function runVisible(ctx: TenantContext, run: RunItem): boolean {
  return ctx.projectId === undefined || run.projectId === ctx.projectId;
}

export async function listRuns(
  ctx: TenantContext,
  query: {
    limit: number;
    cursor?: string | undefined;
    agentId?: string | undefined;
    status?: RunItem['status'] | undefined;
    projectId?: string | undefined;
  },
): Promise<{ items: RunView[]; nextCursor: string | null }> {
  if (query.projectId !== undefined) assertProjectVisible(ctx, query.projectId);
  // A project-limited key lists its project's runs whatever it asks.
  const projectId = ctx.projectId ?? query.projectId;
  return readPage(
    tenantList(ctx, 'runs'),
    query,
    (from) =>
      RunEntity.query
        .byTenant({ tenantId: ctx.tenantId })
        .where((attr, op) =>
          allConditions([
            query.agentId ? op.eq(attr.agentId, query.agentId) : '',
            query.status ? op.eq(attr.status, query.status) : '',
            projectId !== undefined ? op.eq(attr.projectId, projectId) : '',
          ]),
        )
        .go({ ...from, order: 'desc' }),
    toView,
  );
}
