/**
 * A handler instance that dies mid-request, as a Lambda whose process is killed (out of memory, a
 * host lost): a separate Node process loads a function handler, sends it one request with an
 * Idempotency-Key, and SIGKILLs itself at the chosen point:
 *   - `before-effect`: as the operation's first write (the effect) is about to be sent;
 *   - `settling`: as its quota take is about to be settled (the effect committed, its answer is stored);
 *   - `after-effect`: as the key's answer is about to be stored (the effect has committed).
 *   tsx crash-worker.ts <point> <function> <routeKey> <path> <tenantId> <userId> <key> <at ISO> <pathParams JSON> [body JSON]
 * Prints the answer's status and body when it does not die.
 */
import { randomUUID } from 'node:crypto';
import { apiEvent, lambdaContext } from './api-event';
import { loadHandler } from './handler-modules';

const [
  point = '',
  fn = '',
  routeKey = '',
  path = '',
  tenantId = '',
  userId = '',
  key = '',
  at = '',
  params = '{}',
  body,
] = process.argv.slice(2);
const handler = await loadHandler(fn);
const { tenantDocumentClient } = await import('../../shared/data/clients');
const { currentOperationCommit } = await import('../../shared/data/operation-commit');

const WRITES = new Set(['PutCommand', 'UpdateCommand', 'DeleteCommand', 'TransactWriteCommand']);
const send = tenantDocumentClient.send.bind(tenantDocumentClient);
(tenantDocumentClient as { send: unknown }).send = (command: {
  constructor: { name: string };
  input: object;
}) => {
  const name = command.constructor.name;
  const text = JSON.stringify(command.input);
  const onRecord = text.includes('"IDEMP#');
  if (point === 'after-effect' && onRecord && name === 'UpdateCommand' && text.includes('"completed"')) {
    process.kill(process.pid, 'SIGKILL');
  }
  if (
    point === 'settling' &&
    name === 'UpdateCommand' &&
    text.includes('"QUOTA#') &&
    text.includes('DELETE')
  ) {
    process.kill(process.pid, 'SIGKILL');
  }
  // The effect: the operation's first write, not yet committed.
  const commit = currentOperationCommit();
  if (point === 'before-effect' && commit && !commit.committed && WRITES.has(name)) {
    process.kill(process.pid, 'SIGKILL');
  }
  return send(command as never);
};

const event = apiEvent({
  routeKey,
  path,
  pathParameters: JSON.parse(params) as Record<string, string>,
  authorizer: { principalType: 'user', sub: 'sub', userId, tenantId, groups: '' },
  headers: { 'idempotency-key': key },
  ...(body ? { body: JSON.parse(body) as unknown } : {}),
  receivedAt: new Date(at),
});
event.requestContext.requestId = randomUUID();
const result = await handler(event, lambdaContext);
process.stdout.write(`${JSON.stringify({ status: result.statusCode, body: result.body })}\n`);
