import { traced } from '../observability/tracer';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { getConfig } from '../config';
import { recordDynamoCost } from '../observability/request-cost';
import { sdkLogger } from '../observability/sdk-logger';
import { API_KEY_LOOKUP_KEY_PREFIX, API_KEY_LOOKUP_SORT_KEY, TABLE_DEFINITION } from './table-definition';

/** What the authorizer learns of a key from its lookup item. */
export interface ApiKeyLookup {
  tenantId: string;
  keyId: string;
  /** ISO time the key stops working, if it expires. */
  validUntil: string | undefined;
}

let client: DynamoDBClient | undefined;

/**
 * Finds a key by the hash of its secret: one consistent GetItem on its platform lookup item, with
 * the bare DynamoDB client (the authorizer carries neither ElectroDB nor the document client). Its
 * IAM grant reaches only partition keys that start with `APIKEY#`.
 */
export async function findApiKeyBySecretHash(secretHash: string): Promise<ApiKeyLookup | null> {
  const config = getConfig();
  if (!client) {
    client = new DynamoDBClient({
      region: config.region,
      ...(config.dynamoDbEndpoint ? { endpoint: config.dynamoDbEndpoint } : {}),
      logger: sdkLogger as never,
    });
    recordDynamoCost(client.middlewareStack as never);
    traced(client);
  }
  const result = await client.send(
    new GetItemCommand({
      TableName: config.tableName,
      Key: {
        [TABLE_DEFINITION.partitionKey]: { S: `${API_KEY_LOOKUP_KEY_PREFIX}${secretHash}` },
        [TABLE_DEFINITION.sortKey]: { S: API_KEY_LOOKUP_SORT_KEY },
      },
      ProjectionExpression: 'tenantId, keyId, validUntil',
      ConsistentRead: true,
    }),
  );
  const item = result.Item;
  const tenantId = item?.tenantId?.S;
  const keyId = item?.keyId?.S;
  if (!tenantId || !keyId) return null;
  return { tenantId, keyId, validUntil: item.validUntil?.S };
}
