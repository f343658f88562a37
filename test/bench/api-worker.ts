/**
 * One more copy of the twin's API (gateway adapter, authorizer, handlers) in a process of its own,
 * on the running twin's DynamoDB Local and cognito-local: several of them serve like several Lambda
 * instances, each with its own CPU. Reports its address, then each request's time in its function.
 */
import { freePort } from '../../infra/local/free-port';

Object.assign(process.env, JSON.parse(process.env.BENCH_RUNTIME_ENV ?? '{}') as Record<string, string>);
const { startLocalApiGateway } = await import('../../infra/local/api-gateway');
const { onFinishedRequest } = await import('../../shared/observability/request-cost');
const api = await startLocalApiGateway({ port: await freePort() });
onFinishedRequest((request) =>
  process.send?.({ type: 'finished', routeId: request.routeId, durationMs: request.durationMs }),
);
process.send?.({ type: 'ready', url: api.url });
process.on('message', (message: { type: string }) => {
  if (message.type === 'stop') void api.stop().then(() => process.exit(0));
});
