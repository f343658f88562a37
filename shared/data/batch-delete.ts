import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { TABLE_NAME, tenantDocumentClient } from './clients';
import { TABLE_DEFINITION } from './table-definition';

/** An item's key in the table. */
export interface TableKey {
  pk: string;
  sk: string;
}

const PK = TABLE_DEFINITION.partitionKey;
const SK = TABLE_DEFINITION.sortKey;

/**
 * Deletes keys 25 at a time through the tenant-guarded client (the keys of the request's tenant
 * only), sending again what DynamoDB left unprocessed. A key already gone is no error.
 */
export async function deleteKeys(keys: readonly TableKey[]): Promise<void> {
  for (let i = 0; i < keys.length; i += 25) {
    let requests = keys
      .slice(i, i + 25)
      .map((key) => ({ DeleteRequest: { Key: { [PK]: key.pk, [SK]: key.sk } } }));
    for (let attempt = 0; requests.length > 0; attempt += 1) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 50 * 2 ** attempt)));
      const result = await tenantDocumentClient.send(
        new BatchWriteCommand({ RequestItems: { [TABLE_NAME]: requests } }),
      );
      requests = (result.UnprocessedItems?.[TABLE_NAME] ?? []) as typeof requests;
      if (attempt >= 8 && requests.length > 0) throw new Error('DynamoDB left deletes unprocessed');
    }
  }
}
