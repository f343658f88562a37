import { randomUUID } from 'node:crypto';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  TransactWriteCommand,
  type DynamoDBDocumentClient,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { ConflictError, type AppError } from '../errors';

/** ElectroDB's transaction builder; its params are document-client shaped TransactWriteItems input. */
interface WriteTransaction {
  params(options: { token: string }): object;
}

/** Maps the index of a refused item (and DynamoDB's reason code) to the error the caller should see. */
export type TransactionFailureMap = (index: number, code: string) => AppError | Promise<AppError> | undefined;

/**
 * Commits an ElectroDB write transaction through the given client (tenant-guarded or platform) with
 * a ClientRequestToken, so that the SDK's own retries of this call apply it once, and turns a
 * cancellation into the typed error of the item that failed.
 */
export async function commitTransaction(
  transaction: WriteTransaction,
  failures: TransactionFailureMap,
  client: DynamoDBDocumentClient,
  token: string = randomUUID(),
): Promise<void> {
  const params = transaction.params({ token }) as TransactWriteCommandInput;
  try {
    await client.send(new TransactWriteCommand(params));
  } catch (error) {
    if (!(error instanceof TransactionCanceledException)) throw error;
    const reasons = error.CancellationReasons ?? [];
    for (const [index, reason] of reasons.entries()) {
      if (reason.Code && reason.Code !== 'None') {
        const mapped = failures(index, reason.Code);
        if (mapped) throw await mapped;
      }
    }
    throw new ConflictError('The change conflicted with another one; retry.', 'concurrent_modification');
  }
}
