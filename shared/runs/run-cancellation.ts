import { writeAudited } from '../audit/audited-transaction';
import { RunEntity } from '../data/entities/run';
import { ConflictError } from '../errors';
import type { TenantContext } from '../context/tenant-context';

/** A run that completed between the read and the cancellation keeps its own end. */
const ENDED_MEANWHILE = new ConflictError('The run ended meanwhile.', 'run_completed');

/**
 * Stops every running run of the tenant: each moves to `cancelled` with the reason, in a transaction
 * with its audit event, on the condition that it is still running (a run that completed meanwhile
 * keeps its own end). The running runs are read from their sparse index, so the cost follows the
 * runs in flight, not the tenant's history. Returns how many were cancelled.
 */
export async function cancelRunningRuns(ctx: TenantContext, reason: string, now: Date): Promise<number> {
  let cancelled = 0;
  let cursor: string | null = null;
  do {
    const page: { data: Array<{ runId: string }>; cursor: string | null } = await RunEntity.query
      .running({ tenantId: ctx.tenantId })
      .go({ cursor, count: 100, attributes: ['runId'] });
    for (const { runId } of page.data) {
      try {
        await writeAudited(
          ctx,
          {
            action: 'run.cancelled',
            targetType: 'run',
            targetId: runId,
            before: { status: 'running' },
            after: { status: 'cancelled', statusReason: reason },
          },
          ({ run }) => ({
            run: run
              .patch({ tenantId: ctx.tenantId, runId })
              .set({ status: 'cancelled', statusReason: reason, completedAt: now.toISOString() })
              .where((attr, op) => op.eq(attr.status, 'running'))
              .commit(),
          }),
          { rejections: { run: () => ENDED_MEANWHILE }, now },
        );
        cancelled += 1;
      } catch (error) {
        if (error !== ENDED_MEANWHILE) throw error;
      }
    }
    cursor = page.cursor;
  } while (cursor);
  return cancelled;
}
