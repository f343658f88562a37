import { PassThrough, Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { TABLE_NAME, tenantDocumentClient } from '../data/clients';
import { TenantExportEntity } from '../data/entities/tenant-export';
import { tenantPartitionKey } from '../data/table-definition';
import { announce } from '../events/publish';
import { logger } from '../observability/logger';
import { requestTime, type TenantContext } from '../context/tenant-context';
import { exportStore } from './export-store';

export const EXPORT_FORMAT = 'tenantry-export/1';

/** Keys and bookkeeping that are how the table stores an item, not what the tenant owns. */
const STORAGE_FIELDS = ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', '__edb_e__', '__edb_v__'];

/**
 * One stored item as the export shows it, or `null` for what is not the tenant's to take: stored
 * API answers kept for idempotent retries, and markers of work done once (an event's emails). Secrets stay behind: an API key without its hash, a
 * secret setting or a webhook endpoint without its sealed secret, the tenant without the platform's
 * internal note.
 */
export function exportedItem(
  item: Record<string, unknown>,
): { type: string; data: Record<string, unknown> } | null {
  const type = String(item.__edb_e__ ?? 'unknown');
  // Bookkeeping, not the tenant's: stored answers for idempotent retries, markers of what was done
  // once, receipts of quota takes.
  if (type === 'idempotencyRecord' || type === 'onceMarker' || type === 'quotaTakeReceipt') return null;
  const data = Object.fromEntries(Object.entries(item).filter(([field]) => !STORAGE_FIELDS.includes(field)));
  if (type === 'apiKey') delete data.secretHash;
  if (type === 'tenant') delete data.internalNote;
  if (type === 'quotaCounter') delete data.pending;
  if (type === 'webhookEndpoint') {
    for (const sealed of ['ciphertext', 'iv', 'tag', 'encryptedKey', 'keyRef']) delete data[sealed];
  }
  if (type === 'secretSetting') {
    return {
      type,
      data: { name: data.name, set: true, updatedBy: data.updatedBy, updatedAt: data.updatedAt },
    };
  }
  return { type, data };
}

/** The export's lines: a header, then every item of the tenant's partition, page by page. */
async function* exportLines(
  tenantId: string,
  exportId: string,
  now: Date,
  counted: { items: number },
): AsyncGenerator<string> {
  yield `${JSON.stringify({ format: EXPORT_FORMAT, tenantId, exportId, exportedAt: now.toISOString() })}\n`;
  let start: Record<string, unknown> | undefined;
  do {
    const page = await tenantDocumentClient.send(
      new QueryCommand({
        TableName: TABLE_NAME,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': tenantPartitionKey(tenantId) },
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    for (const item of page.Items ?? []) {
      const line = exportedItem(item);
      if (!line) continue;
      counted.items += 1;
      yield `${JSON.stringify(line)}\n`;
    }
    start = page.LastEvaluatedKey;
  } while (start);
}

/**
 * The export worker's part: writes everything the tenant owns as gzipped NDJSON to the export store
 * under the tenant's own prefix, streaming (the tenant's size never has to fit in memory), then marks
 * the export completed with its item count and size and announces it (`export.completed`: whoever
 * asked is emailed). Safe to receive twice:
 * a completed export is left alone. A failure marks it failed and is thrown for the queue to retry.
 */
export async function writeExport(
  ctx: TenantContext,
  exportId: string,
  now: Date = requestTime(ctx),
): Promise<void> {
  const key = { tenantId: ctx.tenantId, exportId };
  const record = (await TenantExportEntity.get(key).go({ consistent: true })).data;
  if (!record || record.status === 'completed') return;
  await TenantExportEntity.patch(key).set({ status: 'running' }).go({ response: 'none' });
  const counted = { items: 0 };
  let bytes = 0;
  try {
    const gzip = createGzip();
    const measured = new PassThrough();
    measured.on('data', (chunk: Buffer) => (bytes += chunk.length));
    Readable.from(exportLines(ctx.tenantId, exportId, now, counted))
      .pipe(gzip)
      .pipe(measured);
    gzip.on('error', (error) => measured.destroy(error));
    await exportStore().write(record.objectKey, measured, 'application/gzip');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    await TenantExportEntity.patch(key)
      .set({ status: 'failed', error: reason.slice(0, 500) })
      .go({ response: 'none' });
    throw error;
  }
  const completedAt = new Date().toISOString();
  await TenantExportEntity.patch(key)
    .set({ status: 'completed', completedAt, itemCount: counted.items, bytes })
    .remove(['error'])
    .go({ response: 'none' });
  logger.info('Tenant export written', { tenantId: ctx.tenantId, exportId, items: counted.items, bytes });
  await announce(ctx.tenantId, 'export.completed', {
    exportId,
    itemCount: counted.items,
    bytes,
    ...(record.requesterEmail ? { requesterEmail: record.requesterEmail } : {}),
  });
}
