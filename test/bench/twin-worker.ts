/**
 * The benchmark's twin in a process of its own: its handlers, gateway adapter and authorizer
 * get an event loop that the load generator does not share (in Lambda, each request has its own
 * instance). Posts its endpoints once up, then every finished request's time in its function.
 */
import { onFinishedRequest } from '../../shared/observability/request-cost';
import { startBenchTwin } from './bench-twin';

const bench = await startBenchTwin();
onFinishedRequest((request) =>
  process.send?.({ type: 'finished', routeId: request.routeId, durationMs: request.durationMs }),
);
process.send?.({
  type: 'ready',
  twin: {
    apiUrl: bench.twin.apiUrl,
    cognitoEndpoint: bench.twin.cognitoEndpoint,
    dynamoDbEndpoint: bench.twin.dynamoDbEndpoint,
    region: bench.twin.region,
    tableName: bench.twin.tableName,
    userPoolId: bench.twin.userPool.userPoolId,
    clientId: bench.twin.userPool.clientId,
    admin: bench.twin.seed.platformAdmin,
  },
});
process.on('message', (message: { type: string }) => {
  if (message.type === 'stop') void bench.stop().then(() => process.exit(0));
});
