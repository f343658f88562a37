import { writeAudited } from '../audit/audited-transaction';
import { getConfig } from '../config';
import { readPage, tenantList } from '../data/page';
import { TenantExportEntity, type TenantExportItem } from '../data/entities/tenant-export';
import { ConflictError, NotFoundError } from '../errors';
import { newId } from '../ids';
import { exportQueue } from './export-dispatch';
import { principalId, requestTime, type TenantContext } from '../context/tenant-context';
import { exportStore } from './export-store';
import { expiresAfterDays } from '../data/ttl';

export interface ExportView {
  id: string;
  status: TenantExportItem['status'];
  requestedBy: string;
  requestedAt: string;
  completedAt: string | null;
  itemCount: number | null;
  bytes: number | null;
  error: string | null;
  /** When the file and this record go. */
  expiresAt: string;
  /** A completed export's download link, fresh at each read, and when it stops working. */
  downloadUrl: string | null;
  downloadUrlExpiresAt: string | null;
}

async function toView(item: TenantExportItem, withLink: boolean): Promise<ExportView> {
  const { linkTtlSeconds } = getConfig().exports;
  const link =
    withLink && item.status === 'completed'
      ? await exportStore().link(
          item.objectKey,
          linkTtlSeconds,
          `${item.tenantId}-${item.exportId}.ndjson.gz`,
        )
      : null;
  return {
    id: item.exportId,
    status: item.status,
    requestedBy: item.requestedBy,
    requestedAt: item.requestedAt,
    completedAt: item.completedAt ?? null,
    itemCount: item.itemCount ?? null,
    bytes: item.bytes ?? null,
    error: item.error ?? null,
    expiresAt: new Date(item.expiresAt * 1000).toISOString(),
    downloadUrl: link,
    downloadUrlExpiresAt: link ? new Date(Date.now() + linkTtlSeconds * 1000).toISOString() : null,
  };
}

/**
 * Asks for an export of everything the tenant owns. One at a time: while one is pending or running,
 * another is `409 export_in_progress`. The record and its audit event are written together, then the
 * job worker is handed the work; the answer is `pending`, and the status endpoint follows it.
 */
export async function requestExport(ctx: TenantContext, now: Date = requestTime(ctx)): Promise<ExportView> {
  const recent = await TenantExportEntity.query
    .byTenant({ tenantId: ctx.tenantId })
    .go({ order: 'desc', count: 5, consistent: true });
  if (recent.data.some((item) => item.status === 'pending' || item.status === 'running')) {
    throw new ConflictError(
      'An export of this tenant is already being written; wait for it.',
      'export_in_progress',
    );
  }
  const exportId = newId('export', now.getTime());
  const { retentionDays } = getConfig().exports;
  const item: TenantExportItem = {
    tenantId: ctx.tenantId,
    exportId,
    status: 'pending',
    requestedBy: principalId(ctx.principal),
    requestedAt: now.toISOString(),
    objectKey: `tenants/${ctx.tenantId}/exports/${exportId}.ndjson.gz`,
    expiresAt: expiresAfterDays(now, retentionDays),
    ...(ctx.principal.type === 'user' && ctx.principal.email ? { requesterEmail: ctx.principal.email } : {}),
  };
  await writeAudited(
    ctx,
    {
      action: 'export.requested',
      targetType: 'export',
      targetId: exportId,
    },
    ({ tenantExport }) => ({
      export: tenantExport.create(item).commit(),
    }),
  );
  await exportQueue.send({ task: 'export', tenantId: ctx.tenantId, exportId });
  return toView(item, false);
}

export async function getExport(ctx: TenantContext, exportId: string): Promise<ExportView> {
  const item = (await TenantExportEntity.get({ tenantId: ctx.tenantId, exportId }).go({ consistent: true }))
    .data;
  if (!item) throw new NotFoundError('No export with this id in the tenant.', 'export_not_found');
  return toView(item, true);
}

export async function listExports(
  ctx: TenantContext,
  query: { limit: number; cursor?: string | undefined },
): Promise<{ items: ExportView[]; nextCursor: string | null }> {
  return readPage(
    tenantList(ctx, 'exports'),
    query,
    (from) => TenantExportEntity.query.byTenant({ tenantId: ctx.tenantId }).go({ ...from, order: 'desc' }),
    (item) => toView(item, false),
  );
}
