import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { isConditionalFailure } from '../../../shared/data/dynamo-errors';
import {
  outsideOperationCommit,
  sendWithinCommit,
  withOperationCommit,
  type OperationCommit,
} from '../../../shared/data/operation-commit';
import { outsideRequest } from '../../../shared/data/call-budget';

const marker = {
  TableName: 't',
  Key: { pk: 'TENANT#ten_1', sk: 'IDEMP#usr_1#k' },
  UpdateExpression: 'SET #status = :status',
  ConditionExpression: '#claimToken = :token',
  ExpressionAttributeNames: { '#status': 'status', '#claimToken': 'claimToken' },
  ExpressionAttributeValues: { ':status': 'committed', ':token': 'tok' },
};
const claim = (): OperationCommit => ({ attachments: [{ Update: marker }], committed: false });

/** A stand-in for the client: records what it was sent, answers with `answer`. */
function recorder(answer: (command: unknown) => unknown = () => ({ $metadata: {} })) {
  const sent: unknown[] = [];
  const send = async (command: unknown) => {
    sent.push(command);
    const result = answer(command);
    if (result instanceof Error) throw result;
    return result;
  };
  return { sent, send };
}

const cancelled = (...codes: string[]) =>
  new TransactionCanceledException({
    message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${codes.join(', ')}]`,
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });

const put = new PutCommand({
  TableName: 't',
  Item: { pk: 'TENANT#ten_1', sk: 'AGENT#agt_1', name: 'a' },
  ConditionExpression: 'attribute_not_exists(pk)',
});

describe('an operation’s first write, with the request’s bookkeeping attached', () => {
  it('sends a single put with the key’s record in one transaction, then lets later writes go alone', async () => {
    const { sent, send } = recorder();
    const held = claim();
    await withOperationCommit(held, async () => {
      await sendWithinCommit(send, put);
      await sendWithinCommit(send, put);
    });
    expect(held.committed).toBe(true);
    expect(sent[0]).toBeInstanceOf(TransactWriteCommand);
    expect((sent[0] as TransactWriteCommand).input.TransactItems).toEqual([
      {
        Put: {
          TableName: 't',
          Item: { pk: 'TENANT#ten_1', sk: 'AGENT#agt_1', name: 'a' },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      { Update: marker },
    ]);
    // Positive control: the second write of the operation goes as it is.
    expect(sent[1]).toBe(put);
  });

  it('sends a write alone outside a claim, and in work that runs as an invocation of its own', async () => {
    const { sent, send } = recorder();
    await sendWithinCommit(send, put);
    await withOperationCommit(claim(), () => outsideOperationCommit(() => sendWithinCommit(send, put)));
    await withOperationCommit(claim(), () => outsideRequest(() => sendWithinCommit(send, put)));
    expect(sent).toEqual([put, put, put]);
  });

  it('sends the writes of an operation with nothing attached as they are', async () => {
    const { sent, send } = recorder();
    await withOperationCommit({ attachments: [], committed: false }, () => sendWithinCommit(send, put));
    expect(sent).toEqual([put]);
  });

  it('adds the record to a transaction, and hides its cancellation reason from the caller', async () => {
    const transaction = new TransactWriteCommand({
      TransactItems: [
        { Put: put.input as never },
        { Delete: { TableName: 't', Key: { pk: 'TENANT#ten_1', sk: 'X' } } },
      ],
    });
    const { sent, send } = recorder(() => cancelled('None', 'ConditionalCheckFailed', 'None'));
    const held = claim();
    const error = await withOperationCommit(held, () => sendWithinCommit(send, transaction)).catch(
      (e: unknown) => e,
    );
    expect((sent[0] as TransactWriteCommand).input.TransactItems).toHaveLength(3);
    expect((error as { CancellationReasons: unknown[] }).CancellationReasons).toEqual([
      { Code: 'None' },
      { Code: 'ConditionalCheckFailed' },
    ]);
    // Cancelled: nothing committed, so the next write carries the record.
    expect(held.committed).toBe(false);
  });

  it('answers a single write’s failed condition as that write alone would', async () => {
    const { send } = recorder(() => cancelled('ConditionalCheckFailed', 'None'));
    const held = claim();
    const error = await withOperationCommit(held, () => sendWithinCommit(send, put)).catch((e: unknown) => e);
    expect((error as Error).name).toBe('ConditionalCheckFailedException');
    expect(isConditionalFailure(error)).toBe(true);
    expect(held.committed).toBe(false);
  });

  it('refuses to commit under a key a retry has taken over', async () => {
    const { send } = recorder(() => cancelled('None', 'ConditionalCheckFailed'));
    const error = await withOperationCommit(claim(), () => sendWithinCommit(send, put)).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ statusCode: 409, code: 'idempotency_in_progress' });
  });

  it('tries a transaction that met another again, then answers 503', async () => {
    let calls = 0;
    const { send } = recorder(() => {
      calls += 1;
      return calls < 3 ? cancelled('TransactionConflict', 'None') : { $metadata: {} };
    });
    const held = claim();
    await withOperationCommit(held, () => sendWithinCommit(send, put));
    expect(calls).toBe(3);
    expect(held.committed).toBe(true);
    const busy = recorder(() => cancelled('TransactionConflict', 'None'));
    const error = await withOperationCommit(claim(), () => sendWithinCommit(busy.send, put)).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ statusCode: 503, code: 'service_unavailable' });
    expect(busy.sent).toHaveLength(4);
  });

  it('reads the item back for a write that asks for its new state', async () => {
    const update = new UpdateCommand({
      TableName: 't',
      Key: { pk: 'TENANT#ten_1', sk: 'AGENT#agt_1' },
      UpdateExpression: 'SET #n = :n',
      ExpressionAttributeNames: { '#n': 'name' },
      ExpressionAttributeValues: { ':n': 'b' },
      ReturnValues: 'ALL_NEW',
    });
    const { sent, send } = recorder((command) =>
      command instanceof GetCommand ? { Item: { pk: 'TENANT#ten_1', name: 'b' } } : { $metadata: {} },
    );
    const result = await withOperationCommit(claim(), () => sendWithinCommit(send, update));
    expect(result).toMatchObject({ Attributes: { name: 'b' } });
    expect((sent[1] as GetCommand).input).toMatchObject({ ConsistentRead: true, Key: update.input.Key });
  });

  it('lets a write that asks for the old item go alone; the next write carries the record', async () => {
    const remove = new DeleteCommand({
      TableName: 't',
      Key: { pk: 'TENANT#ten_1', sk: 'X' },
      ReturnValues: 'ALL_OLD',
    });
    const { sent, send } = recorder();
    const held = claim();
    await withOperationCommit(held, async () => {
      await sendWithinCommit(send, remove);
      expect(held.committed).toBe(false);
      await sendWithinCommit(send, put);
    });
    expect(sent[0]).toBe(remove);
    expect(sent[1]).toBeInstanceOf(TransactWriteCommand);
    expect(held.committed).toBe(true);
  });
});
