/**
 * One "handler instance" for the race tests: a separate Node process that loads a function handler
 * (its own module state, caches and SDK clients) and fires N concurrent invocations at it, as
 * API Gateway would with the authorizer's context. Prints the status counts as JSON.
 *   tsx race-worker.ts <function> <routeKey> <path> <tenantId> <userId> <count> [pathParams JSON] [body JSON]
 */
import { randomUUID } from 'node:crypto';
import { apiEvent, lambdaContext } from './api-event';
import { loadHandler } from './handler-modules';

const [fn = '', routeKey = '', path = '', tenantId = '', userId = '', countText = '1', params = '{}', body] =
  process.argv.slice(2);
const handler = await loadHandler(fn);

const statuses: Record<string, number> = {};
await Promise.all(
  Array.from({ length: Number(countText) }, async () => {
    const event = apiEvent({
      routeKey,
      path,
      pathParameters: JSON.parse(params) as Record<string, string>,
      authorizer: { principalType: 'user', sub: 'sub', userId, tenantId, groups: '' },
      ...(body ? { body: JSON.parse(body) as unknown } : {}),
      // The race's moment, chosen by the test (RACE_AT), so its month is known.
      ...(process.env.RACE_AT ? { receivedAt: new Date(process.env.RACE_AT) } : {}),
    });
    event.requestContext.requestId = randomUUID();
    const result = await handler(event, lambdaContext);
    const key = String(result.statusCode);
    statuses[key] = (statuses[key] ?? 0) + 1;
  }),
);
process.stdout.write(`${JSON.stringify(statuses)}\n`);
