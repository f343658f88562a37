import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { revokePlatformAdmin } from '../../../shared/platform/platform-admins';

const dynamo = mockClient(DynamoDBDocumentClient);
const actor = {
  id: 'usr_01AAAAAAAAAAAAAAAAAAAAAAAA',
  meta: { requestId: 'r', sourceIp: '203.0.113.1', userAgent: 'ua' },
};
const target = 'usr_01BBBBBBBBBBBBBBBBBBBBBBBB';

function canceled(codes: string[]): TransactionCanceledException {
  return new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });
}

describe('revoking a platform admin', () => {
  afterEach(() => dynamo.reset());

  it('keeps the last platform admin: the count’s condition failing answers 409 last_platform_admin', async () => {
    dynamo.on(TransactWriteCommand).rejects(canceled(['None', 'ConditionalCheckFailed', 'None']));
    await expect(revokePlatformAdmin(actor, target)).rejects.toMatchObject({
      statusCode: 409,
      code: 'last_platform_admin',
    });
  });

  it('answers 404 when the user has no record', async () => {
    dynamo.on(TransactWriteCommand).rejects(canceled(['ConditionalCheckFailed', 'None', 'None']));
    await expect(revokePlatformAdmin(actor, target)).rejects.toMatchObject({
      code: 'platform_admin_not_found',
    });
  });

  it('deletes the record, decrements the count and audits, in one transaction (positive control)', async () => {
    dynamo.on(TransactWriteCommand).resolves({});
    dynamo.on(GetCommand).resolves({});
    await revokePlatformAdmin(actor, target);
    const [call] = dynamo.commandCalls(TransactWriteCommand);
    const items = call?.args[0].input.TransactItems ?? [];
    expect(items.map((item) => Object.keys(item)[0])).toEqual(['Delete', 'Update', 'Put']);
    expect(items[0]?.Delete?.Key).toEqual({ pk: 'PLATFORM#ADMINS', sk: `USER#${target}` });
    expect(items[1]?.Update?.ConditionExpression).toContain('>');
    expect(items[2]?.Put?.Item).toMatchObject({
      pk: 'PLATFORM#AUDIT',
      action: 'platform_admin.revoked',
      actorId: actor.id,
    });
  });
});
