import { writeAudited } from '../audit/audited-transaction';
import { readPage, tenantList } from '../data/page';
import { allConditions } from '../data/filters';
import { RunEntity, type RunItem } from '../data/entities/run';
import { ConflictError, NotFoundError } from '../errors';
import { newId } from '../ids';
import { afterRecordedPeriodic, recordPeriodic } from '../quotas/periodic-quota';
import { monthPeriod } from '../quotas/periods';
import { principalId, requestTime, type TenantContext } from '../context/tenant-context';

export interface RunView {
  id: string;
  agentId: string;
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
 */
export async function startRun(
  ctx: TenantContext,
  agentId: string,
  input: { input?: unknown },
  now: Date = requestTime(ctx),
): Promise<RunView> {
  const run: RunItem = {
    tenantId: ctx.tenantId,
    runId: newId('run', now.getTime()),
    agentId,
    status: 'running',
    input: input.input,
    period: monthPeriod(now),
    startedBy: principalId(ctx.principal),
    startedAt: now.toISOString(),
  };
  // The agent's existence is checked in the run's own transaction, not read before it.
  await writeAudited(
    ctx,
    { action: 'run.started', targetType: 'run', targetId: run.runId, after: { agentId, status: 'running' } },
    ({ run: runs, agent }) => ({
      agent: agent
        .check({ tenantId: ctx.tenantId, agentId })
        .where((attr, op) => op.exists(attr.agentId))
        .commit(),
      run: runs.create(run).commit(),
    }),
    {
      rejections: {
        agent: () => new NotFoundError('No agent with this id in the tenant.', 'agent_not_found'),
      },
    },
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
  if (!current) throw new NotFoundError('No run with this id in the tenant.', 'run_not_found');
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
    ({ run, quotaCounter, usageBucket }) => ({
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
    }),
    { rejections: { run: () => new ConflictError('The run is already completed.', 'run_completed') } },
  );
  if (input.tokensUsed > 0) await afterRecordedPeriodic(ctx, 'tokens', input.tokensUsed, now);
  return toView(completed);
}

export async function getRun(ctx: TenantContext, runId: string): Promise<RunView> {
  const result = await RunEntity.get({ tenantId: ctx.tenantId, runId }).go();
  if (!result.data) throw new NotFoundError('No run with this id in the tenant.', 'run_not_found');
  return toView(result.data);
}

export async function listRuns(
  ctx: TenantContext,
  query: {
    limit: number;
    cursor?: string | undefined;
    agentId?: string | undefined;
    status?: RunItem['status'] | undefined;
  },
): Promise<{ items: RunView[]; nextCursor: string | null }> {
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
          ]),
        )
        .go({ ...from, order: 'desc' }),
    toView,
  );
}
