import { DynamoDBClient, ScanCommand, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactGetCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { RequestHandler } from '@smithy/types';
import { describe, expect, it } from 'vitest';
import { addTenantGuard, TenantIsolationError } from '../../../shared/data/tenant-guard';

const OWN = 'ten_01AAAAAAAAAAAAAAAAAAAAAAAA';
const OTHER = 'ten_01BBBBBBBBBBBBBBBBBBBBBBBB';
const TableName = 'tenantry-unit';

class SentError extends Error {}

/** A real client stack whose transport refuses to send: reaching it means the guard let the command through. */
function guardedClient(tenantId: string | undefined) {
  const requestHandler = {
    handle: async () => {
      throw new SentError('reached the network layer');
    },
    updateHttpClientConfig: () => undefined,
    httpHandlerConfigs: () => ({}),
  } as unknown as RequestHandler<unknown, unknown>;
  const base = new DynamoDBClient({
    region: 'us-east-1',
    requestHandler,
    maxAttempts: 1,
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
  });
  const client = DynamoDBDocumentClient.from(base);
  addTenantGuard(client.middlewareStack as never, () => tenantId);
  return client;
}

const own = `TENANT#${OWN}`;
const other = `TENANT#${OTHER}`;

const commands = (pk: string) => ({
  GetItem: new GetCommand({ TableName, Key: { pk, sk: 'TENANT' } }),
  PutItem: new PutCommand({ TableName, Item: { pk, sk: 'AGENT#1' } }),
  UpdateItem: new UpdateCommand({
    TableName,
    Key: { pk, sk: 'TENANT' },
    UpdateExpression: 'SET #n = :n',
    ExpressionAttributeNames: { '#n': 'name' },
    ExpressionAttributeValues: { ':n': 'x' },
  }),
  DeleteItem: new DeleteCommand({ TableName, Key: { pk, sk: 'USER#1' } }),
  Query: new QueryCommand({
    TableName,
    KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :sk)',
    ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk' },
    ExpressionAttributeValues: { ':pk': pk, ':sk': 'USER#' },
  }),
  TransactWriteItems: new TransactWriteCommand({
    TransactItems: [
      { Put: { TableName, Item: { pk: own, sk: 'AUDIT#1' } } },
      {
        Update: {
          TableName,
          Key: { pk, sk: 'TENANT' },
          UpdateExpression: 'SET a = :a',
          ExpressionAttributeValues: { ':a': 1 },
        },
      },
    ],
  }),
  TransactWriteConditionCheck: new TransactWriteCommand({
    TransactItems: [
      { Put: { TableName, Item: { pk: own, sk: 'AUDIT#1' } } },
      {
        ConditionCheck: { TableName, Key: { pk, sk: 'TENANT' }, ConditionExpression: 'attribute_exists(pk)' },
      },
    ],
  }),
  TransactGetItems: new TransactGetCommand({
    TransactItems: [{ Get: { TableName, Key: { pk, sk: 'TENANT' } } }],
  }),
  BatchGetItem: new BatchGetCommand({
    RequestItems: {
      [TableName]: {
        Keys: [
          { pk: own, sk: 'A' },
          { pk, sk: 'B' },
        ],
      },
    },
  }),
  BatchWriteItem: new BatchWriteCommand({
    RequestItems: {
      [TableName]: [
        { PutRequest: { Item: { pk: own, sk: 'A' } } },
        { DeleteRequest: { Key: { pk, sk: 'B' } } },
      ],
    },
  }),
});

describe('the tenant guard on the DynamoDB client stack', () => {
  for (const [name, command] of Object.entries(commands(own))) {
    it(`lets ${name} inside the tenant through to the transport`, async () => {
      await expect(guardedClient(OWN).send(command as never)).rejects.toBeInstanceOf(SentError);
    });
  }

  for (const [name, command] of Object.entries(commands(other))) {
    it(`refuses ${name} that touches another tenant before sending`, async () => {
      await expect(guardedClient(OWN).send(command as never)).rejects.toBeInstanceOf(TenantIsolationError);
    });
  }

  it('refuses a tenant whose id merely starts with the current one', async () => {
    const longer = `TENANT#${OWN}X`;
    await expect(guardedClient(OWN).send(commands(longer).GetItem)).rejects.toBeInstanceOf(
      TenantIsolationError,
    );
  });

  it('accepts keys below the tenant prefix, such as TENANT#<id>#shard', async () => {
    await expect(guardedClient(OWN).send(commands(`${own}#2`).GetItem)).rejects.toBeInstanceOf(SentError);
  });

  it('refuses a query on a platform index (user id lookup) from tenant code', async () => {
    const query = new QueryCommand({
      TableName,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :u',
      ExpressionAttributeValues: { ':u': 'USER#usr_1' },
    });
    await expect(guardedClient(OWN).send(query)).rejects.toBeInstanceOf(TenantIsolationError);
  });

  it('refuses a query whose key condition names no partition key', async () => {
    const query = new QueryCommand({
      TableName,
      KeyConditionExpression: 'sk = :s',
      ExpressionAttributeValues: { ':s': 'TENANT' },
    });
    await expect(guardedClient(OWN).send(query)).rejects.toBeInstanceOf(TenantIsolationError);
  });

  it('checks a reversed equality in the key condition', async () => {
    const query = new QueryCommand({
      TableName,
      KeyConditionExpression: ':pk = pk',
      ExpressionAttributeValues: { ':pk': other },
    });
    await expect(guardedClient(OWN).send(query)).rejects.toBeInstanceOf(TenantIsolationError);
  });

  it('refuses Scan and any command it does not know', async () => {
    await expect(guardedClient(OWN).send(new ScanCommand({ TableName }))).rejects.toBeInstanceOf(
      TenantIsolationError,
    );
    await expect(guardedClient(OWN).send(new DescribeTableCommand({ TableName }))).rejects.toBeInstanceOf(
      TenantIsolationError,
    );
  });

  it('fails closed when no tenant is in scope', async () => {
    await expect(guardedClient(undefined).send(commands(own).GetItem)).rejects.toBeInstanceOf(
      TenantIsolationError,
    );
  });
});
