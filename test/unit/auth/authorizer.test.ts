import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import type { APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { handler } from '../../../functions/authorizer/handler';
import { apiKeySecretHash, newApiKeySecret } from '../../../shared/api-keys/key-secret';

const eventWith = (authorization: string | undefined) =>
  ({
    version: '2.0',
    type: 'REQUEST',
    routeArn: 'arn',
    identitySource: authorization ? [authorization] : [],
    routeKey: 'GET /v1/tenants/current',
    rawPath: '/v1/tenants/current',
    rawQueryString: '',
    headers: authorization ? { authorization } : {},
    requestContext: {},
  }) as unknown as APIGatewayRequestAuthorizerEventV2;

describe('the authorizer', () => {
  it.each([
    ['no header', undefined],
    ['a non-bearer scheme', 'Basic dXNlcjpwYXNz'],
    ['a bearer that is not a JWT', 'Bearer not-a-token'],
    ['a JWT that does not verify', 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.'],
  ])('throws Unauthorized (API Gateway: 401) for %s', async (_what, header) => {
    await expect(handler(eventWith(header))).rejects.toThrow('Unauthorized');
  });
});

describe('the authorizer with API keys', () => {
  const dynamo = mockClient(DynamoDBClient);
  beforeEach(() => dynamo.reset());
  afterAll(() => dynamo.restore());

  const lookupOf = (secret: string) => ({
    TableName: 'tenantry-unit',
    Key: { pk: { S: `APIKEY#${apiKeySecretHash(secret)}` }, sk: { S: 'APIKEY' } },
  });

  it('refuses a key whose checksum does not match without any lookup, and looks up a well-formed one', async () => {
    const secret = newApiKeySecret();
    dynamo.on(GetItemCommand).resolves({});
    const flipped = `${secret.slice(0, 20)}${secret[20] === 'x' ? 'y' : 'x'}${secret.slice(21)}`;
    await expect(handler(eventWith(`Bearer ${flipped}`))).rejects.toThrow('Unauthorized');
    expect(dynamo.commandCalls(GetItemCommand)).toHaveLength(0);
    // Positive control: the well-formed key is looked up by its hash (and, unknown here, refused).
    await expect(handler(eventWith(`Bearer ${secret}`))).rejects.toThrow('Unauthorized');
    expect(dynamo.commandCalls(GetItemCommand)).toHaveLength(1);
    expect(dynamo.commandCalls(GetItemCommand)[0]?.args[0].input).toMatchObject(lookupOf(secret));
  });

  it('answers a known key with its tenant and key id, and refuses it once expired', async () => {
    const secret = newApiKeySecret();
    const item = {
      tenantId: { S: 'ten_01J00000000000000000000000' },
      keyId: { S: 'key_01J00000000000000000000000' },
    };
    dynamo.on(GetItemCommand, lookupOf(secret)).resolves({ Item: item });
    await expect(handler(eventWith(`Bearer ${secret}`))).resolves.toEqual({
      isAuthorized: true,
      context: {
        principalType: 'apiKey',
        tenantId: 'ten_01J00000000000000000000000',
        keyId: 'key_01J00000000000000000000000',
      },
    });
    dynamo
      .on(GetItemCommand, lookupOf(secret))
      .resolves({ Item: { ...item, validUntil: { S: new Date(Date.now() - 1000).toISOString() } } });
    await expect(handler(eventWith(`Bearer ${secret}`))).rejects.toThrow('Unauthorized');
  });
});
