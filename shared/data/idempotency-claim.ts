import { AsyncLocalStorage } from 'node:async_hooks';
import { ConditionalCheckFailedException, type CancellationReason } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { ConflictError, ServiceUnavailableError } from '../errors';

/**
 * An operation running under an `Idempotency-Key` commits its first write together with its key's
 * record, in one DynamoDB transaction: the record turns `committed` in the same write that makes
 * the effect, or neither happens. A request that dies after that write leaves a record that says
 * so, and a retry with the key is answered `409 idempotency_answer_lost` instead of doing the work
 * a second time; a request that dies before it leaves an `in_progress` record, and a retry past the
 * lock runs for real (nothing was done). The record's update is conditioned on the claim's token,
 * so a request whose key was taken over by a retry can never commit under it.
 *
 * Only the first write carries the record: once it committed, the key is spent. Writes made before
 * the operation (quota and metering, admission's side effects) are outside the claim: they are
 * bookkeeping, counted again by a retry and recounted by reconciliation, never the effect itself.
 * Work started from the operation that runs as an invocation of its own (events, exports, webhook
 * deliveries in the twin) leaves the claim with the deadline (`outsideDeadline`).
 */
export interface IdempotencyClaim {
  /** The claim's own token: the record's `claimToken` while this request holds the key. */
  readonly token: string;
  /** The record's update to `committed`, conditioned on the token (an UpdateItem input). */
  readonly marker: Record<string, unknown>;
  /** Whether a write of the operation has committed with the record. */
  committed: boolean;
}

const store = new AsyncLocalStorage<IdempotencyClaim | undefined>();

/** Runs `fn` (the operation) holding the claim: its first write commits the key's record. */
export function withIdempotencyClaim<T>(claim: IdempotencyClaim | undefined, fn: () => T): T {
  return claim ? store.run(claim, fn) : fn();
}

/** Runs `fn` outside any claim (work that is an invocation of its own). */
export function outsideIdempotencyClaim<T>(fn: () => T): T {
  return store.exit(fn);
}

/** The claim the running operation holds, if any (for logs and the crash tests). */
export function heldIdempotencyClaim(): IdempotencyClaim | undefined {
  return store.getStore();
}

type Send = (command: unknown) => Promise<unknown>;
type ItemInput = Record<string, unknown> & { TableName?: string; ReturnValues?: string };

const SINGLE_WRITES: Record<string, 'Put' | 'Update' | 'Delete'> = {
  PutCommand: 'Put',
  UpdateCommand: 'Update',
  DeleteCommand: 'Delete',
};

/** Attributes of a single write that a transaction's item takes as they are. */
const ITEM_FIELDS = [
  'TableName',
  'Key',
  'Item',
  'ConditionExpression',
  'UpdateExpression',
  'ExpressionAttributeNames',
  'ExpressionAttributeValues',
  'ReturnValuesOnConditionCheckFailure',
] as const;

/** A transaction on an item another transaction is changing is tried again this often. */
const CONFLICT_ATTEMPTS = 4;

function claimLost(): ConflictError {
  return new ConflictError(
    'This request’s Idempotency-Key was taken over by a retry; it did not take effect.',
    'idempotency_in_progress',
  );
}

function commandName(command: unknown): string {
  return (command as { constructor?: { name?: string } }).constructor?.name ?? '';
}

function reasonsOf(error: unknown): CancellationReason[] | undefined {
  return (error as { CancellationReasons?: CancellationReason[] }).CancellationReasons;
}

/**
 * Sends `command` through `send`; under a claim not yet committed, a write is sent together with
 * the key's record: a transaction gets the record's update as one more item, a single put, update
 * or delete becomes a transaction of two. What the caller sees is what the command alone would
 * have answered (its condition's failure as `ConditionalCheckFailedException`, a transaction's
 * cancellation reasons without the record's). A write that asks for the item as it was before
 * (`ALL_OLD`, `UPDATED_OLD`) cannot be expressed in a transaction and goes alone; the next write
 * carries the record.
 */
export async function sendWithinClaim(send: Send, command: unknown): Promise<unknown> {
  const claim = store.getStore();
  if (!claim || claim.committed) return send(command);
  const name = commandName(command);
  const input = (command as { input: ItemInput }).input;
  if (name === 'TransactWriteCommand')
    return sendTransaction(send, claim, input as TransactWriteCommandInput);
  const kind = SINGLE_WRITES[name];
  if (!kind || input.ReturnValues === 'ALL_OLD' || input.ReturnValues === 'UPDATED_OLD') return send(command);
  return sendSingle(send, claim, kind, input);
}

async function sendTransaction(
  send: Send,
  claim: IdempotencyClaim,
  input: TransactWriteCommandInput,
): Promise<unknown> {
  const items = input.TransactItems ?? [];
  if (items.length >= 100) return send(new TransactWriteCommand(input));
  try {
    const result = await send(
      new TransactWriteCommand({ ...input, TransactItems: [...items, { Update: claim.marker as never }] }),
    );
    claim.committed = true;
    return result;
  } catch (error) {
    const reasons = reasonsOf(error);
    if (!reasons) throw error;
    if (reasons[items.length]?.Code === 'ConditionalCheckFailed') throw claimLost();
    (error as { CancellationReasons: CancellationReason[] }).CancellationReasons = reasons.slice(
      0,
      items.length,
    );
    throw error;
  }
}

async function sendSingle(
  send: Send,
  claim: IdempotencyClaim,
  kind: 'Put' | 'Update' | 'Delete',
  input: ItemInput,
): Promise<unknown> {
  const item: Record<string, unknown> = {};
  for (const field of ITEM_FIELDS) {
    const value = input[field];
    if (value !== undefined && !(typeof value === 'object' && Object.keys(value as object).length === 0)) {
      item[field] = value;
    }
  }
  for (let attempt = 1; ; attempt += 1) {
    try {
      const result = (await send(
        new TransactWriteCommand({
          TransactItems: [{ [kind]: item } as never, { Update: claim.marker as never }],
        }),
      )) as { $metadata?: unknown };
      claim.committed = true;
      if (input.ReturnValues === 'ALL_NEW' || input.ReturnValues === 'UPDATED_NEW') {
        // A transaction answers no item: the item as the write left it is read back (strongly).
        const read = (await send(
          new GetCommand({ TableName: input.TableName, Key: input.Key as never, ConsistentRead: true }),
        )) as { Item?: Record<string, unknown> };
        return { $metadata: result.$metadata, ...(read.Item ? { Attributes: read.Item } : {}) };
      }
      return { $metadata: result.$metadata };
    } catch (error) {
      const reasons = reasonsOf(error);
      if (!reasons) throw error;
      const [own, record] = reasons;
      if (record?.Code === 'ConditionalCheckFailed') throw claimLost();
      if (own?.Code === 'ConditionalCheckFailed') {
        throw new ConditionalCheckFailedException({
          message: 'The conditional request failed',
          $metadata: (error as { $metadata?: object }).$metadata ?? {},
          ...(own.Item ? { Item: own.Item } : {}),
        });
      }
      const conflicted = reasons.some((reason) => reason.Code === 'TransactionConflict');
      if (!conflicted) throw error;
      if (attempt >= CONFLICT_ATTEMPTS) {
        throw new ServiceUnavailableError('The change met another one on the same item; retry shortly.', {
          cause: error,
        });
      }
      await new Promise((resolve) => setTimeout(resolve, 10 + Math.random() * 40 * attempt));
    }
  }
}
