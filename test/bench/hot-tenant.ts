import { fork } from 'node:child_process';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

/** The write limit DynamoDB applies to one item (and so to one partition key's hot item). */
const ITEM_WRITES_PER_SECOND = 1_000;
const WRITE_TARGETS = /\.(PutItem|UpdateItem|DeleteItem|TransactWriteItems|BatchWriteItem)$/;

/**
 * A proxy in front of DynamoDB Local that enforces AWS's per-item write limit: more than 1,000 writes
 * to one item within a second are answered with DynamoDB's `ThrottlingException` (which the SDK
 * retries with backoff), as DynamoDB does. It counts every write it forwards.
 */
async function startThrottlingProxy(target: string) {
  const upstream = new URL(target);
  const perItem = new Map<string, { second: number; count: number }>();
  const stats = { writes: 0, throttled: 0 };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const operation = String(req.headers['x-amz-target'] ?? '');
      if (WRITE_TARGETS.test(operation)) {
        const parsed = JSON.parse(body.toString('utf8')) as {
          Key?: unknown;
          Item?: { pk?: unknown; sk?: unknown };
        };
        const key = JSON.stringify(parsed.Key ?? { pk: parsed.Item?.pk, sk: parsed.Item?.sk });
        const second = Math.floor(Date.now() / 1000);
        const seen = perItem.get(key);
        const count = seen && seen.second === second ? seen.count + 1 : 1;
        perItem.set(key, { second, count });
        if (count > ITEM_WRITES_PER_SECOND) {
          stats.throttled += 1;
          res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
          res.end(
            JSON.stringify({
              __type: 'com.amazonaws.dynamodb.v20120810#ThrottlingException',
              message: 'Throughput exceeds the current capacity for one or more items.',
            }),
          );
          return;
        }
        stats.writes += 1;
      }
      const forward = httpRequest(
        {
          host: upstream.hostname,
          port: upstream.port,
          path: req.url,
          method: req.method,
          headers: req.headers,
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 500, answer.headers);
          answer.pipe(res);
        },
      );
      forward.on('error', () => {
        res.writeHead(502);
        res.end();
      });
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stats,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

interface InstanceResult {
  admitted: number;
  refused: number;
  errors: number;
  seconds: number;
}

export interface HotTenantResult {
  mode: string;
  admittedPerSecond: number;
  writesPerRequest: number;
  throttledWrites: number;
  admitted: number;
  ceiling: number;
  overAdmissions: number;
}

/**
 * The hot-tenant case: `instances` processes, each one Lambda instance metering one tenant's
 * requests one at a time, through the throttling proxy, for `durationMs`; with blocks (the default)
 * and with one write per request (`METERING_MAX_BLOCK=1`). The month's ceiling is set so that the
 * tenant reaches it: over-admissions are the calls admitted past it.
 */
export async function hotTenantCase(
  dynamoEndpoint: string,
  env: Record<string, string>,
  options: { instances: number; durationMs: number; ceiling: number },
): Promise<HotTenantResult[]> {
  const results: HotTenantResult[] = [];
  for (const [mode, maxBlock] of [
    ['one write per request', '1'],
    ['leased blocks', '100'],
  ] as const) {
    const proxy = await startThrottlingProxy(dynamoEndpoint);
    const tenantId = `ten_HOT${maxBlock.padStart(3, '0')}${'0'.repeat(17)}`.slice(0, 30);
    try {
      const finished = await Promise.all(
        Array.from(
          { length: options.instances },
          () =>
            new Promise<InstanceResult>((resolve, reject) => {
              const child = fork(fileURLToPath(new URL('./hot-tenant-instance.ts', import.meta.url)), {
                execArgv: ['--import', 'tsx'],
                env: {
                  ...process.env,
                  ...env,
                  DYNAMODB_ENDPOINT: proxy.url,
                  METERING_MAX_BLOCK: maxBlock,
                  BENCH_TENANT: tenantId,
                  BENCH_DURATION_MS: String(options.durationMs),
                  BENCH_CEILING: String(options.ceiling),
                },
              });
              child.once('message', (message) => resolve(message as InstanceResult));
              child.once('exit', (code) =>
                code === 0 ? undefined : reject(new Error(`instance exited ${code}`)),
              );
            }),
        ),
      );
      const admitted = finished.reduce((sum, r) => sum + r.admitted, 0);
      const seconds = Math.max(...finished.map((r) => r.seconds));
      results.push({
        mode,
        admittedPerSecond: admitted / seconds,
        writesPerRequest: proxy.stats.writes / Math.max(1, admitted),
        throttledWrites: proxy.stats.throttled,
        admitted,
        ceiling: options.ceiling,
        overAdmissions: Math.max(0, admitted - options.ceiling),
      });
    } finally {
      await proxy.stop();
    }
  }
  return results;
}
