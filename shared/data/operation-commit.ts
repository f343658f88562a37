import { AsyncLocalStorage } from 'node:async_hooks';
import { ConditionalCheckFailedException, type CancellationReason } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { ConflictError, ServiceUnavailableError } from '../errors';

/**
 * What an operation's first write commits with: the request's own bookkeeping, written in the same
 * DynamoDB transaction as the effect, so that it is true exactly when the effect happened.
 * - Under an `Idempotency-Key`, the key's record turns `committed` (conditioned on the request's
 *   claim token, so a request whose key a retry took over can never commit under it). A request
 *   that dies after that write leaves a record that says so, and a retry is answered
 *   `409 idempotency_answer_lost` instead of doing the work a second time; one that dies before it
 *   leaves an `in_progress` record, and a retry past the lock runs for real.
 * - A monthly quota taken for the operation leaves a receipt of the take: a take whose receipt
 *   exists was used; one without, once its request cannot be running any more, is given back.
 *
 * Only the first write carries them. Writes made before the operation (quota and metering,
 * admission's side effects) are outside: they are the bookkeeping, not the effect. Work started
 * from the operation that runs as an invocation of its own (events, exports, webhook deliveries in
 * the twin) leaves the operation's commit with the deadline (`outsideRequest`). An operation with
 * nothing to attach sends its writes as they are.
 */
export interface OperationCommit {
  /** Transaction items (an `Update` or a `Put`, as ElectroDB's `.params()` builds them). */
  readonly attachments: Array<{ Update: Record<string, unknown> } | { Put: Record<string, unknown> }>;
  /** Whether a write of the operation has committed with the attachments. */
  committed: boolean;
  /**
   * A write carrying the attachments failed without saying it wrote nothing (a timeout, a dropped
   * connection, a 5xx; not a cancelled transaction): it may have committed. What was taken for the
   * operation is then left to be settled against its receipt once the request is over.
   */
  uncertain?: boolean;
}

/**
 * A failure that does not say the write was not made: anything but a cancelled transaction, and a
 * cancellation after the SDK sent it again (the attempt before may have committed, and the one
 * after then finds its own conditions failed).
 */
function markUncertain(commit: OperationCommit, error: unknown): void {
  const attempts = (error as { $metadata?: { attempts?: number } }).$metadata?.attempts ?? 1;
  if (attempts > 1 || (!reasonsOf(error) && !(error instanceof ConditionalCheckFailedException))) {
    commit.uncertain = true;
  }
}

const store = new AsyncLocalStorage<OperationCommit | undefined>();

/** Runs `fn` (the operation) so that its first write commits `commit`'s attachments. */
export function withOperationCommit<T>(commit: OperationCommit | undefined, fn: () => T): T {
  return commit ? store.run(commit, fn) : fn();
}

/** Runs `fn` outside the operation's commit (work that is an invocation of its own). */
export function outsideOperationCommit<T>(fn: () => T): T {
  return store.exit(fn);
}

/** The commit of the running operation, if any (for the crash tests). */
export function currentOperationCommit(): OperationCommit | undefined {
  return store.getStore();
}

type Send = (command: unknown) => Promise<unknown>;
type ItemInput = Record<string, unknown> & { TableName?: string; ReturnValues?: string };

/** The writes that carry attachments, by class (minified bundles rename classes, not instances). */
const SINGLE_WRITES: Array<[new (...args: never[]) => unknown, 'Put' | 'Update' | 'Delete']> = [
  [PutCommand, 'Put'],
  [UpdateCommand, 'Update'],
  [DeleteCommand, 'Delete'],
];

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

/** The only conditional attachment is an Idempotency-Key's record: its failure means a takeover. */
function claimLost(): ConflictError {
  return new ConflictError(
    'This request’s Idempotency-Key was taken over by a retry; it did not take effect.',
    'idempotency_in_progress',
  );
}

function reasonsOf(error: unknown): CancellationReason[] | undefined {
  return (error as { CancellationReasons?: CancellationReason[] }).CancellationReasons;
}

/**
 * Sends `command` through `send`; in an operation whose commit has attachments and is not yet
 * committed, a write is sent together with them: a transaction gets them as more items, a single
 * put, update or delete becomes a transaction with them. What the caller sees is what the command alone would
 * have answered (its condition's failure as `ConditionalCheckFailedException`, a transaction's
 * cancellation reasons without the attachments'). A write that asks for the item as it was before
 * (`ALL_OLD`, `UPDATED_OLD`) cannot be expressed in a transaction and goes alone; the next write
 * carries the attachments.
 */
export async function sendWithinCommit(send: Send, command: unknown): Promise<unknown> {
  const commit = store.getStore();
  if (!commit || commit.committed || commit.attachments.length === 0) return send(command);
  const input = (command as { input: ItemInput }).input;
  if (command instanceof TransactWriteCommand)
    return sendTransaction(send, commit, input as TransactWriteCommandInput);
  const kind = SINGLE_WRITES.find(([type]) => command instanceof type)?.[1];
  if (!kind || input.ReturnValues === 'ALL_OLD' || input.ReturnValues === 'UPDATED_OLD') return send(command);
  return sendSingle(send, commit, kind, input);
}

async function sendTransaction(
  send: Send,
  commit: OperationCommit,
  input: TransactWriteCommandInput,
): Promise<unknown> {
  const items = input.TransactItems ?? [];
  if (items.length + commit.attachments.length > 100) return send(new TransactWriteCommand(input));
  try {
    const result = await send(
      new TransactWriteCommand({ ...input, TransactItems: [...items, ...(commit.attachments as never[])] }),
    );
    commit.committed = true;
    return result;
  } catch (error) {
    markUncertain(commit, error);
    const reasons = reasonsOf(error);
    if (!reasons) throw error;
    if (reasons.slice(items.length).some((reason) => reason.Code === 'ConditionalCheckFailed'))
      throw claimLost();
    (error as { CancellationReasons: CancellationReason[] }).CancellationReasons = reasons.slice(
      0,
      items.length,
    );
    throw error;
  }
}

async function sendSingle(
  send: Send,
  commit: OperationCommit,
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
          TransactItems: [{ [kind]: item } as never, ...(commit.attachments as never[])],
        }),
      )) as { $metadata?: unknown };
      commit.committed = true;
      if (input.ReturnValues === 'ALL_NEW' || input.ReturnValues === 'UPDATED_NEW') {
        // A transaction answers no item: the item as the write left it is read back (strongly).
        const read = (await send(
          new GetCommand({ TableName: input.TableName, Key: input.Key as never, ConsistentRead: true }),
        )) as { Item?: Record<string, unknown> };
        return { $metadata: result.$metadata, ...(read.Item ? { Attributes: read.Item } : {}) };
      }
      return { $metadata: result.$metadata };
    } catch (error) {
      markUncertain(commit, error);
      const reasons = reasonsOf(error);
      if (!reasons) throw error;
      const [own, ...attached] = reasons;
      if (attached.some((reason) => reason.Code === 'ConditionalCheckFailed')) throw claimLost();
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
