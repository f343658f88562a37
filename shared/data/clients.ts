import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { getConfig } from '../config';
import { currentTenantContext } from '../tenancy/context';
import { addTenantGuard } from './tenant-guard';

const config = getConfig();

function createDocumentClient(): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    region: config.region,
    ...(config.dynamoDbEndpoint ? { endpoint: config.dynamoDbEndpoint } : {}),
  });
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
}

/**
 * The tenant-guarded client: every command is checked against the tenant held in the request's
 * AsyncLocalStorage context before it leaves the process. All tenant code paths use this one.
 * Created once per process (module scope) and reused across invocations.
 */
export const tenantDocumentClient: DynamoDBDocumentClient = (() => {
  const client = createDocumentClient();
  addTenantGuard(client.middlewareStack as never, () => currentTenantContext()?.tenantId);
  return client;
})();

/**
 * The platform client: no tenant guard. Only signup, tenant resolution (slug, user id lookups), the
 * authorizer and platform-admin listing use it; every call site says so by importing it.
 */
export const platformDocumentClient: DynamoDBDocumentClient = createDocumentClient();

export const TABLE_NAME = config.tableName;
