/**
 * `npm run bench:load`: the seeds' load on a twin of its own. 100 Professional tenants at once (their
 * monthly limits and rate limit checked, as most tenants' are), each
 * looping five times over: read its tenant, create an agent, list agents, start a run, complete it,
 * read its quotas (3,000 requests). Then, in the same run and at the same concurrency, the floor:
 * the fewest raw DynamoDB calls each route needs, made straight on the twin's DynamoDB Local. Prints
 * per route and overall p50/p95/p99/max, success, the share under 1 s, throughput, and the ratio to
 * the floor. Figures only: nothing here is asserted (targets are read, not timed tests).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { percentile, printTable, startBenchTwinInWorker } from './bench-twin';
import { pool } from './pool';

const TENANTS = Number(process.env.BENCH_TENANTS ?? 100);
const LOOPS = Number(process.env.BENCH_LOOPS ?? 5);
const ROUTE_IDS = [
  'tenants.getCurrent',
  'agents.create',
  'agents.list',
  'runs.start',
  'runs.complete',
  'quotas.get',
] as const;
type RouteId = (typeof ROUTE_IDS)[number];

interface Sample {
  route: RouteId;
  ms: number;
  ok: boolean;
  /** The tenant's first request: its session's sign-in is recorded, nothing of it is cached. */
  first: boolean;
}

function stats(values: number[]) {
  return {
    p50: percentile(values, 50),
    p95: percentile(values, 95),
    p99: percentile(values, 99),
    max: Math.max(...values),
  };
}

const fmt = (ms: number) => (Number.isFinite(ms) ? ms.toFixed(0) : '—');

async function main(): Promise<void> {
  // The twin in a thread of its own: the load generator must not slow the handlers it measures.
  const handlerMs: Record<string, number[]> = {};
  let listening = false;
  const bench = await startBenchTwinInWorker((request) => {
    if (listening) (handlerMs[request.routeId] ??= []).push(request.durationMs);
  });
  try {
    console.log(`Setting up ${TENANTS} Professional tenants…`);
    const tenants = await pool(TENANTS, 10, () => bench.createTenant('professional'));

    // The app: every tenant at once, each its own loop; the twin reports the time each request spent
    // in its function (past the gateway and the authorizer).
    listening = true;
    const samples: Sample[] = [];
    const record = (
      route: RouteId,
      response: { status: number; ms: number },
      expected: number,
      first = false,
    ) => samples.push({ route, ms: response.ms, ok: response.status === expected, first });
    const started = performance.now();
    await Promise.all(
      tenants.map(async (tenant) => {
        const base = `/v1/tenants/${tenant.id}`;
        const token = tenant.token;
        for (let loop = 0; loop < LOOPS; loop += 1) {
          record(
            'tenants.getCurrent',
            await bench.call('GET', '/v1/tenants/current', { token }),
            200,
            loop === 0,
          );
          const agent = await bench.call('POST', `${base}/agents`, {
            token,
            body: { name: `Agent ${loop}`, model: 'claude-sonnet' },
          });
          record('agents.create', agent, 201);
          record('agents.list', await bench.call('GET', `${base}/agents`, { token }), 200);
          const run = await bench.call('POST', `${base}/agents/${String(agent.body.id)}/runs`, {
            token,
            body: {},
          });
          record('runs.start', run, 201);
          record(
            'runs.complete',
            await bench.call('POST', `${base}/runs/${String(run.body.id)}/complete`, {
              token,
              body: { status: 'succeeded', tokensUsed: 100 },
            }),
            200,
          );
          record('quotas.get', await bench.call('GET', `${base}/quotas`, { token }), 200);
        }
      }),
    );
    const elapsedS = (performance.now() - started) / 1000;
    listening = false;

    // The floor: the fewest DynamoDB calls each route needs, at the same concurrency, in this run.
    const table = bench.endpoints.tableName;
    const dynamo = DynamoDBDocumentClient.from(
      new DynamoDBClient({
        endpoint: bench.endpoints.dynamoDbEndpoint,
        region: bench.endpoints.region,
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      }),
    );
    const meter = (pk: string) =>
      dynamo.send(
        new UpdateCommand({
          TableName: table,
          Key: { pk, sk: 'FLOOR#METER' },
          UpdateExpression: 'ADD used :one',
          ConditionExpression: 'attribute_not_exists(used) OR used < :max',
          ExpressionAttributeValues: { ':one': 1, ':max': 1_000_000 },
        }),
      );
    const floorSteps: Record<RouteId, (pk: string, i: number) => Promise<unknown>> = {
      'tenants.getCurrent': async (pk) => {
        await meter(pk);
        await dynamo.send(new GetCommand({ TableName: table, Key: { pk, sk: 'FLOOR#TENANT' } }));
      },
      'agents.create': async (pk, i) => {
        await meter(pk);
        await dynamo.send(
          new TransactWriteCommand({
            TransactItems: [
              { Put: { TableName: table, Item: { pk, sk: `FLOOR#AGENT#${i}`, name: 'a' } } },
              {
                Update: {
                  TableName: table,
                  Key: { pk, sk: 'FLOOR#AGENTS' },
                  UpdateExpression: 'ADD used :one',
                  ExpressionAttributeValues: { ':one': 1 },
                },
              },
              { Put: { TableName: table, Item: { pk, sk: `FLOOR#AUDIT#a${i}`, action: 'x' } } },
            ],
          }),
        );
      },
      'agents.list': async (pk) => {
        await meter(pk);
        await dynamo.send(
          new QueryCommand({
            TableName: table,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sk)',
            ExpressionAttributeValues: { ':pk': pk, ':sk': 'FLOOR#AGENT#' },
            Limit: 25,
          }),
        );
      },
      'runs.start': async (pk, i) => {
        await meter(pk);
        await dynamo.send(
          new TransactWriteCommand({
            TransactItems: [
              { Put: { TableName: table, Item: { pk, sk: `FLOOR#RUN#${i}`, status: 'running' } } },
              {
                Update: {
                  TableName: table,
                  Key: { pk, sk: 'FLOOR#RUNS' },
                  UpdateExpression: 'ADD used :one',
                  ExpressionAttributeValues: { ':one': 1 },
                },
              },
              { Put: { TableName: table, Item: { pk, sk: `FLOOR#AUDIT#s${i}`, action: 'x' } } },
            ],
          }),
        );
      },
      'runs.complete': async (pk, i) => {
        await meter(pk);
        await dynamo.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: table,
                  Key: { pk, sk: `FLOOR#RUN#${i}` },
                  UpdateExpression: 'SET #s = :done',
                  ExpressionAttributeNames: { '#s': 'status' },
                  ExpressionAttributeValues: { ':done': 'succeeded' },
                },
              },
              {
                Update: {
                  TableName: table,
                  Key: { pk, sk: 'FLOOR#TOKENS' },
                  UpdateExpression: 'ADD used :n',
                  ExpressionAttributeValues: { ':n': 100 },
                },
              },
              { Put: { TableName: table, Item: { pk, sk: `FLOOR#AUDIT#c${i}`, action: 'x' } } },
            ],
          }),
        );
      },
      'quotas.get': async (pk) => {
        await meter(pk);
        await dynamo.send(
          new QueryCommand({
            TableName: table,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sk)',
            ExpressionAttributeValues: { ':pk': pk, ':sk': 'FLOOR#' },
            Limit: 10,
          }),
        );
      },
    };
    const floor: Record<string, number[]> = {};
    await Promise.all(
      tenants.map(async (_tenant, t) => {
        const pk = `BENCHFLOOR#${t}`;
        for (let loop = 0; loop < LOOPS; loop += 1) {
          for (const route of ROUTE_IDS) {
            const began = performance.now();
            await floorSteps[route](pk, loop);
            (floor[route] ??= []).push(performance.now() - began);
          }
        }
      }),
    );

    const rows = [...ROUTE_IDS, 'overall' as const].map((route) => {
      const own = route === 'overall' ? samples : samples.filter((s) => s.route === route);
      const ms = own.map((s) => s.ms);
      const floorMs = route === 'overall' ? Object.values(floor).flat() : (floor[route] ?? []);
      const app = stats(ms);
      const base = stats(floorMs);
      const inHandler = stats(
        route === 'overall' ? Object.values(handlerMs).flat() : (handlerMs[route] ?? []),
      );
      return [
        route,
        own.length,
        fmt(app.p50),
        fmt(app.p95),
        fmt(app.p99),
        fmt(app.max),
        `${((100 * own.filter((s) => s.ok).length) / own.length).toFixed(1)}%`,
        `${((100 * ms.filter((v) => v < 1000).length) / ms.length).toFixed(1)}%`,
        fmt(inHandler.p50),
        fmt(inHandler.p99),
        fmt(base.p50),
        fmt(base.p99),
        (app.p50 / base.p50).toFixed(1),
        (app.p99 / base.p99).toFixed(1),
      ];
    });
    console.log(
      `\n${TENANTS} Professional tenants at once, ${LOOPS} loops each: ${samples.length} requests in ${elapsedS.toFixed(1)} s, ${(samples.length / elapsedS).toFixed(0)} requests/s.`,
    );
    console.log(
      'Latency in ms; the floor is the fewest raw DynamoDB calls of each route, same concurrency, same run.',
    );
    console.log('Targets: every response under 1 s, 100 % success, p50 ≤ 2× and p99 ≤ 3× the floor.\n');
    printTable(
      [
        'route',
        'n',
        'p50',
        'p95',
        'p99',
        'max',
        'success',
        '<1 s',
        'in fn p50',
        'in fn p99',
        'floor p50',
        'floor p99',
        '×p50',
        '×p99',
      ],
      rows,
    );
    const reads = samples.filter((s) => s.route === 'tenants.getCurrent');
    const [first, later] = [true, false].map((isFirst) =>
      stats(reads.filter((s) => s.first === isFirst).map((s) => s.ms)),
    );
    console.log(
      `\ntenants.getCurrent as each tenant's first request (all ${TENANTS} at once; its session's sign-in recorded, nothing cached): p50 ${fmt(first?.p50 ?? NaN)}, p99 ${fmt(first?.p99 ?? NaN)} ms; later: p50 ${fmt(later?.p50 ?? NaN)}, p99 ${fmt(later?.p99 ?? NaN)} ms.`,
    );
  } finally {
    await bench.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
