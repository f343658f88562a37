import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { BuildMiddleware, MiddlewareStack } from '@smithy/types';
import { ForbiddenError } from '../errors';
import { PARTITION_KEY_ATTRIBUTES, TABLE_DEFINITION, tenantPartitionKey } from './table-definition';

/**
 * Raised when a command would touch a partition outside the current tenant. It means a bug or an
 * attack got past the layers above; the command never leaves the process.
 */
export class TenantIsolationError extends ForbiddenError {
  constructor(detail: string) {
    super(`Access outside the current tenant was refused: ${detail}`, 'tenant_isolation_violation');
  }
}

type Key = Record<string, AttributeValue | unknown> | undefined;

function stringValue(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && 'S' in value && typeof (value as { S: unknown }).S === 'string') {
    return (value as { S: string }).S;
  }
  return undefined;
}

function belongsToTenant(value: string | undefined, tenantId: string): boolean {
  if (value === undefined) return false;
  const prefix = tenantPartitionKey(tenantId);
  return value === prefix || value.startsWith(`${prefix}#`);
}

function assertKey(key: Key, tenantId: string, what: string): void {
  const pk = stringValue(key?.[TABLE_DEFINITION.partitionKey]);
  if (!belongsToTenant(pk, tenantId)) {
    throw new TenantIsolationError(
      `${what} key ${pk ?? '(none)'} is not under ${tenantPartitionKey(tenantId)}`,
    );
  }
}

interface QueryLike {
  KeyConditionExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Record<string, unknown>;
}

/** Finds the partition-key equality in a key condition and checks the value it binds. */
function assertKeyCondition(input: QueryLike, tenantId: string): void {
  const expression = input.KeyConditionExpression ?? '';
  const names = input.ExpressionAttributeNames ?? {};
  const values = input.ExpressionAttributeValues ?? {};
  const resolveName = (token: string) => (token.startsWith('#') ? names[token] : token);
  const equality = /([#:]?[A-Za-z0-9_]+)\s*=\s*([#:]?[A-Za-z0-9_]+)/g;
  let checked = false;
  for (const match of expression.matchAll(equality)) {
    const [, left = '', right = ''] = match;
    const [nameToken, valueToken] = left.startsWith(':') ? [right, left] : [left, right];
    const name = resolveName(nameToken);
    if (name && PARTITION_KEY_ATTRIBUTES.includes(name)) {
      const value = stringValue(values[valueToken]);
      if (!belongsToTenant(value, tenantId)) {
        throw new TenantIsolationError(`query on ${name} = ${value ?? '(none)'}`);
      }
      checked = true;
    }
  }
  if (!checked) throw new TenantIsolationError('query without a partition-key equality');
}

interface TransactWriteInput {
  TransactItems?: Array<{
    Put?: { Item?: Key };
    Update?: { Key?: Key };
    Delete?: { Key?: Key };
    ConditionCheck?: { Key?: Key };
  }>;
}

/** Checks one command's input against the tenant. Commands not listed are refused outright. */
export function assertCommandWithinTenant(commandName: string, input: unknown, tenantId: string): void {
  const name = commandName.replace(/Command$/, '');
  const i = input as Record<string, unknown>;
  switch (name) {
    case 'GetItem':
    case 'DeleteItem':
    case 'UpdateItem':
      return assertKey(i.Key as Key, tenantId, name);
    case 'PutItem':
      return assertKey(i.Item as Key, tenantId, name);
    case 'Query':
      return assertKeyCondition(i as QueryLike, tenantId);
    case 'TransactWriteItems':
      for (const item of (i as TransactWriteInput).TransactItems ?? []) {
        if (item.Put) assertKey(item.Put.Item, tenantId, 'TransactWrite Put');
        else if (item.Update) assertKey(item.Update.Key, tenantId, 'TransactWrite Update');
        else if (item.Delete) assertKey(item.Delete.Key, tenantId, 'TransactWrite Delete');
        else if (item.ConditionCheck)
          assertKey(item.ConditionCheck.Key, tenantId, 'TransactWrite ConditionCheck');
        else throw new TenantIsolationError('empty transaction item');
      }
      return;
    case 'TransactGetItems':
      for (const item of (i.TransactItems as Array<{ Get?: { Key?: Key } }>) ?? []) {
        assertKey(item.Get?.Key, tenantId, 'TransactGet');
      }
      return;
    case 'BatchGetItem':
      for (const request of Object.values((i.RequestItems as Record<string, { Keys?: Key[] }>) ?? {})) {
        for (const key of request.Keys ?? []) assertKey(key, tenantId, 'BatchGet');
      }
      return;
    case 'BatchWriteItem':
      for (const requests of Object.values(
        (i.RequestItems as Record<
          string,
          Array<{ PutRequest?: { Item?: Key }; DeleteRequest?: { Key?: Key } }>
        >) ?? {},
      )) {
        for (const request of requests) {
          if (request.PutRequest) assertKey(request.PutRequest.Item, tenantId, 'BatchWrite Put');
          else assertKey(request.DeleteRequest?.Key, tenantId, 'BatchWrite Delete');
        }
      }
      return;
    default:
      throw new TenantIsolationError(`${name} is not allowed on the tenant client`);
  }
}

/**
 * Adds the guard to a DynamoDB client's middleware stack. It runs at the build step, after the
 * document client has marshalled the input, and before anything is signed or sent. With no tenant
 * in scope, every command is refused: the guard fails closed.
 */
export function addTenantGuard(
  stack: MiddlewareStack<object, object>,
  resolveTenantId: () => string | undefined,
): void {
  const tenantGuard: BuildMiddleware<object, object> = (next, context) =>
    async function guardTenantBoundary(args) {
      const tenantId = resolveTenantId();
      const commandName = String((context as { commandName?: string }).commandName ?? 'UnknownCommand');
      if (!tenantId) throw new TenantIsolationError(`${commandName} issued with no tenant in scope`);
      assertCommandWithinTenant(commandName, args.input, tenantId);
      return next(args);
    };
  stack.add(tenantGuard, { step: 'build', name: 'tenantGuardMiddleware', priority: 'high' });
}
