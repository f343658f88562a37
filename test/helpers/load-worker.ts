/**
 * A handler instance under load, for the fault suite to kill mid-way: a separate Node process loads
 * a function handler and sends it `count` POSTs, `concurrency` at a time, each with its own
 * Idempotency-Key (`<prefix>-<i>`, also the agent's name), as API Gateway would with the
 * authorizer's context. Prints `ACK <key> <status> <id>` for each answer as it comes, so the test
 * knows what was acknowledged before the process died.
 *   tsx load-worker.ts agents <tenantId> <userId> <prefix> <count> <concurrency>
 *   tsx load-worker.ts runs <tenantId> <userId> <prefix> <count> <concurrency> <agentId>
 */
import { randomUUID } from 'node:crypto';
import { apiEvent, lambdaContext } from './api-event';
import { loadHandler } from './handler-modules';

const [
  fn = '',
  tenantId = '',
  userId = '',
  prefix = '',
  countText = '0',
  concurrencyText = '1',
  agentId = '',
] = process.argv.slice(2);
const handler = await loadHandler(fn);
const count = Number(countText);

function request(key: string) {
  const authorizer = { principalType: 'user', sub: 'sub', userId, tenantId, groups: '' };
  const headers = { 'idempotency-key': key };
  return fn === 'runs'
    ? apiEvent({
        routeKey: 'POST /v1/tenants/{tenantId}/agents/{agentId}/runs',
        path: `/v1/tenants/${tenantId}/agents/${agentId}/runs`,
        pathParameters: { tenantId, agentId },
        body: { input: { key } },
        authorizer,
        headers,
      })
    : apiEvent({
        routeKey: 'POST /v1/tenants/{tenantId}/agents',
        path: `/v1/tenants/${tenantId}/agents`,
        pathParameters: { tenantId },
        body: { name: key, model: 'claude-sonnet' },
        authorizer,
        headers,
      });
}

let next = 0;
async function lane() {
  while (next < count) {
    const key = `${prefix}-${next}`;
    next += 1;
    const event = request(key);
    event.requestContext.requestId = randomUUID();
    const result = await handler(event, lambdaContext);
    const id = result.statusCode === 201 ? (JSON.parse(result.body ?? '{}') as { id: string }).id : '-';
    process.stdout.write(`ACK ${key} ${result.statusCode} ${id}\n`);
  }
}
await Promise.all(Array.from({ length: Number(concurrencyText) }, lane));
process.stdout.write('DONE\n');
