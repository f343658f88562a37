import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import {
  AdminAddUserToGroupCommand,
  AdminRemoveUserFromGroupCommand,
  CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { grantPlatformAdminByEmail, revokePlatformAdmin } from '../../../shared/platform/platform-admins';

const dynamo = mockClient(DynamoDBDocumentClient);
const cognito = mockClient(CognitoIdentityProviderClient);
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
  beforeEach(() => dynamo.on(GetCommand).resolves({}));
  afterEach(() => (dynamo.reset(), cognito.reset()));

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

describe('platform-admin power by email: the Cognito group and the record', () => {
  afterEach(() => (dynamo.reset(), cognito.reset()));
  const email = 'ops@example.com';

  it('adds the group before it writes the record: a refused group leaves no record', async () => {
    dynamo
      .on(GetCommand)
      .resolves({ Item: { email, userId: target, __edb_e__: 'emailClaim', __edb_v__: '1' } });
    cognito
      .on(AdminAddUserToGroupCommand)
      .rejects(Object.assign(new Error('busy'), { name: 'TooManyRequestsException' }));
    await expect(grantPlatformAdminByEmail(actor, { email })).rejects.toMatchObject({ statusCode: 503 });
    expect(dynamo.commandCalls(TransactWriteCommand)).toHaveLength(0);
    // Positive control: with the group added, the record and its audit event are written.
    cognito.on(AdminAddUserToGroupCommand).resolves({});
    // The email's claim names the person; no record yet.
    dynamo
      .on(GetCommand)
      .callsFake((input: { Key: { pk: string } }) =>
        input.Key.pk.startsWith('EMAIL#')
          ? { Item: { email, userId: target, __edb_e__: 'emailClaim', __edb_v__: '1' } }
          : {},
      );
    dynamo.on(TransactWriteCommand).resolves({});
    await expect(grantPlatformAdminByEmail(actor, { email: 'OPS@example.com' })).resolves.toMatchObject({
      userId: target,
      email,
    });
    expect(cognito.commandCalls(AdminAddUserToGroupCommand)[0]?.args[0].input).toMatchObject({
      Username: email,
      GroupName: 'platform-admins',
    });
    expect(dynamo.commandCalls(TransactWriteCommand)).toHaveLength(1);
  });

  it('takes an admin granted by email out of the group once the record is gone, and only then', async () => {
    dynamo.on(GetCommand).resolves({
      Item: {
        userId: target,
        email,
        grantedBy: actor.id,
        grantedAt: 'x',
        __edb_e__: 'platformAdmin',
        __edb_v__: '1',
      },
    });
    dynamo.on(TransactWriteCommand).rejects(canceled(['None', 'ConditionalCheckFailed', 'None']));
    await expect(revokePlatformAdmin(actor, target)).rejects.toMatchObject({ code: 'last_platform_admin' });
    expect(cognito.commandCalls(AdminRemoveUserFromGroupCommand)).toHaveLength(0);
    dynamo.on(TransactWriteCommand).resolves({});
    cognito.on(AdminRemoveUserFromGroupCommand).resolves({});
    await revokePlatformAdmin(actor, target);
    expect(cognito.commandCalls(AdminRemoveUserFromGroupCommand)[0]?.args[0].input).toMatchObject({
      Username: email,
      GroupName: 'platform-admins',
    });
  });
});
