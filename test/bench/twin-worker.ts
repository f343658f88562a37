/**
 * The benchmark's twin in a process of its own: its handlers, gateway adapter and authorizer get an
 * event loop that the load generator does not share. With `BENCH_API_PROCESSES` above 1, more copies
 * of the API run in processes of their own on the same DynamoDB Local and cognito-local (several
 * Lambda instances, each with its own CPU). Posts the endpoints once up, then every finished
 * request's time in its function.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { onFinishedRequest } from '../../shared/observability/request-cost';
import { startBenchTwin } from './bench-twin';

// The seeds' load is measured on the twin `npm start` starts (its lines go to the parent, unread).
const bench = await startBenchTwin({ asNpmStart: true });
const forward = (message: unknown) => process.send?.(message);
onFinishedRequest((request) =>
  forward({ type: 'finished', routeId: request.routeId, durationMs: request.durationMs }),
);
const extra = Math.max(0, Number(process.env.BENCH_API_PROCESSES ?? 1) - 1);
const workers = await Promise.all(
  Array.from(
    { length: extra },
    () =>
      new Promise<{ url: string; stop: () => void }>((resolve, reject) => {
        const child = fork(fileURLToPath(new URL('./api-worker.ts', import.meta.url)), {
          execArgv: ['--import', 'tsx'],
          env: { ...process.env, BENCH_RUNTIME_ENV: JSON.stringify(bench.twin.runtimeEnv) },
        });
        child.on('message', (message: { type: string; url?: string }) => {
          if (message.type === 'ready' && message.url)
            resolve({ url: message.url, stop: () => child.send({ type: 'stop' }) });
          if (message.type === 'finished') forward(message);
        });
        child.once('exit', (code) =>
          code === 0 ? undefined : reject(new Error(`api worker exited ${code}`)),
        );
      }),
  ),
);
forward({
  type: 'ready',
  twin: {
    apiUrl: bench.twin.apiUrl,
    apiUrls: [bench.twin.apiUrl, ...workers.map((worker) => worker.url)],
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
  if (message.type === 'stop') {
    for (const worker of workers) worker.stop();
    void bench.stop().then(() => process.exit(0));
  }
});
