import { traced } from '../observability/tracer';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { getConfig } from '../config';
import { recordDynamoCost } from '../observability/request-cost';
import { sdkLogger } from '../observability/sdk-logger';
import { currentTenantContext } from '../context/tenant-context';
import { callSignal } from './call-budget';
import { sendWithinCommit } from './operation-commit';
import { addTenantGuard, TenantIsolationError } from './tenant-guard';
import { tenantCredentials } from './tenant-credentials';

const config = getConfig();

/**
 * A DynamoDB document client whose every call is bounded: a connection within 5 s (a database that
 * is gone is refused at once), and in an API invocation the whole call, retries included, within
 * what the invocation has left (`call-budget.ts`): a paused or hung database is a 503 within the
 * function's timeout.
 */
function createDocumentClient(credentials?: AwsCredentialIdentityProvider): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    region: config.region,
    ...(config.dynamoDbEndpoint ? { endpoint: config.dynamoDbEndpoint } : {}),
    ...(credentials ? { credentials } : {}),
    requestHandler: { connectionTimeout: 5_000 },
    logger: sdkLogger as never,
  });
  recordDynamoCost(client.middlewareStack as never);
  const documents = DynamoDBDocumentClient.from(traced(client), {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
  // ElectroDB and the services call `send(command)`; each call gets the invocation's time budget.
  // The class's own `send` is looked up at each call (where aws-sdk-client-mock replaces it in tests).
  (documents as { send: unknown }).send = (command: unknown, options: object = {}) => {
    try {
      const send = DynamoDBDocumentClient.prototype.send as (command: unknown, options: object) => unknown;
      const abortSignal = callSignal();
      return send.call(documents, command, { ...(abortSignal ? { abortSignal } : {}), ...options });
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  };
  return documents;
}

/** How many tenants' clients one process keeps (each with its own credentials). */
const MAX_TENANT_CLIENTS = 200;
const tenantClients = new Map<string, DynamoDBDocumentClient>();

/**
 * The data client of one tenant: signed with that tenant's credentials (an assumed role scoped to
 * its partition in AWS) and guarded, so a command outside the tenant is refused before it leaves
 * the process (layer 2) and, in AWS, by IAM if it ever did (the second wall). Made once per tenant
 * and process; the least recently used are dropped past a bound.
 */
export function tenantClientFor(tenantId: string): DynamoDBDocumentClient {
  let client = tenantClients.get(tenantId);
  if (client) {
    tenantClients.delete(tenantId);
  } else {
    client = createDocumentClient(tenantCredentials(tenantId));
    addTenantGuard(client.middlewareStack as never, () => currentTenantContext()?.tenantId);
    if (tenantClients.size >= MAX_TENANT_CLIENTS) {
      const oldest = tenantClients.keys().next();
      if (!oldest.done) tenantClients.delete(oldest.value);
    }
  }
  tenantClients.set(tenantId, client);
  return client;
}

/**
 * The tenant-guarded client all tenant code paths use: each command goes to the client of the
 * tenant in the request's AsyncLocalStorage context, and with no tenant in scope nothing is sent.
 * It offers `send` alone, which is all ElectroDB and the services call. An operation's first
 * write carries its request's bookkeeping (`operation-commit.ts`).
 */
export const tenantDocumentClient = {
  send(...args: Parameters<DynamoDBDocumentClient['send']>) {
    const tenantId = currentTenantContext()?.tenantId;
    if (!tenantId) {
      return Promise.reject(new TenantIsolationError('a command was issued with no tenant in scope'));
    }
    const client = tenantClientFor(tenantId);
    const [command, options] = args;
    // An operation's first write commits with its request's bookkeeping (operation-commit.ts).
    return sendWithinCommit((next) => client.send(next as never, options as never), command);
  },
} as unknown as DynamoDBDocumentClient;

/**
 * The platform client: no tenant guard. Only signup, tenant resolution (slug, user id lookups), the
 * authorizer and platform-admin listing use it; every call site says so by importing it.
 */
export const platformDocumentClient: DynamoDBDocumentClient = createDocumentClient();

export const TABLE_NAME = config.tableName;
