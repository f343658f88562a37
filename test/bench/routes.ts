/**
 * `npm run bench:routes`: what one request of each route costs, on a twin of its own. Every route
 * of the manifest is called eight times by a rightful caller (the first warms the per-instance
 * caches, as a warm Lambda would be); for the warm calls, the table shows the DynamoDB calls and the
 * sequential round trips they took beside the route's floor, the read and write capacity units
 * DynamoDB reported (`ReturnConsumedCapacity`), the function's CPU time per request (median) beside
 * a bare Middy handler that sends the same DynamoDB commands in the same run, and the cost per
 * million requests at on-demand prices. Then a tenant's first request, with nothing cached.
 * Figures beside their targets; nothing is asserted.
 */
import middy from '@middy/core';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactGetCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { ROUTES } from '../../shared/api/manifest';
import type { ApiEvent, ApiResult } from '../../shared/http/api-event';
import type { RouteDefinition } from '../../shared/http/route';
import { onFinishedRequest, type FinishedRequest } from '../../shared/observability/request-cost';
import { apiEvent, lambdaContext } from '../helpers/api-event';
import { pathFor, sampleBody, useSampleIdp, type PathIds } from '../helpers/route-samples';
import { printTable, startBenchTwin } from './bench-twin';
import { ssoFixture } from './sso-fixture';

/** On-demand prices (us-east-1), per million. */
const PRICE = {
  writeUnit: 0.625,
  readUnit: 0.125,
  httpApiRequest: 1.0,
  lambdaRequest: 0.2,
  /** arm64, per GB-second (per million: ×1e6). */
  lambdaGbSecond: 0.0000133334,
};
const MEMORY_GB = 0.5;
/**
 * Warm calls measured per route, and bare handler runs beside them: the CPU figure is their median.
 * Three left single routes swinging between 0.8× and 6× from run to run on this machine.
 */
const MEASURED = 7;

/** The targets of issue 18, printed beside the figures. */
const TARGET = { extraCalls: 1, runTrips: 2, firstRequestTrips: 4, cpuRatio: 2 };

/**
 * The fewest DynamoDB calls a route needs with warm caches: a tenant request meters (one conditional
 * write on the month's counter, which also holds the minute's rate window), then does its one read
 * or its one write (a transaction when several items must change together). Documentation and the
 * plans read nothing; Stripe's webhook is refused here for its signature and reads nothing. Each
 * call is its own round trip: the floor of round trips is the floor of calls.
 */
function floorOf(route: RouteDefinition): number {
  if (route.function === 'docs' || route.id === 'plans.list' || route.id === 'billing.webhook') return 0;
  return (route.auth === 'tenant' ? 1 : 0) + 1;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
};

/**
 * The baseline: a bare Middy handler that sends, one after another, a command of each kind the
 * route sent, on a small item of its own, through a plain document client (no ElectroDB, no
 * admission, no guard, no logging). What the route spends beyond it is the framework's.
 */
function bareHandler(endpoint: string, region: string, tableName: string) {
  const client = DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint, region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
  );
  const key = { pk: 'BENCH#BARE', sk: 'ITEM' };
  const other = { pk: 'BENCH#BARE', sk: 'OTHER' };
  const commandFor = (name: string) => {
    switch (name) {
      case 'GetItem':
        return new GetCommand({ TableName: tableName, Key: key });
      case 'Query':
        return new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': key.pk },
          Limit: 25,
        });
      case 'PutItem':
        return new PutCommand({ TableName: tableName, Item: { ...other, at: Date.now() } });
      case 'UpdateItem':
        return new UpdateCommand({
          TableName: tableName,
          Key: key,
          UpdateExpression: 'ADD used :one',
          ExpressionAttributeValues: { ':one': 1 },
        });
      case 'DeleteItem':
        return new DeleteCommand({ TableName: tableName, Key: { pk: 'BENCH#BARE', sk: 'GONE' } });
      case 'TransactWriteItems':
        return new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: tableName,
                Key: key,
                UpdateExpression: 'ADD used :one',
                ExpressionAttributeValues: { ':one': 1 },
              },
            },
            { Put: { TableName: tableName, Item: { ...other, at: Date.now() } } },
          ],
        });
      case 'TransactGetItems':
        return new TransactGetCommand({ TransactItems: [{ Get: { TableName: tableName, Key: key } }] });
      case 'BatchGetItem':
        return new BatchGetCommand({ RequestItems: { [tableName]: { Keys: [key, other] } } });
      case 'BatchWriteItem':
        return new BatchWriteCommand({
          RequestItems: { [tableName]: [{ PutRequest: { Item: { ...other, at: Date.now() } } }] },
        });
      default:
        return new GetCommand({ TableName: tableName, Key: key });
    }
  };
  let commands: string[] = [];
  const handler = middy<ApiEvent, ApiResult>().handler(async () => {
    for (const name of commands) await client.send(commandFor(name) as never);
    return { statusCode: 200, body: '{}' };
  });
  return async (sent: string[]): Promise<number> => {
    commands = sent;
    const before = process.cpuUsage();
    await handler(apiEvent({ routeKey: 'GET /bare', path: '/bare' }), lambdaContext);
    const used = process.cpuUsage(before);
    return (used.user + used.system) / 1000;
  };
}

async function main(): Promise<void> {
  const bench = await startBenchTwin();
  useSampleIdp(bench.twin.oidcIdp);
  let capturing: string | undefined;
  let captured: FinishedRequest | undefined;
  const unsubscribe = onFinishedRequest((request) => {
    if (capturing && request.routeId === capturing) captured = request;
  });
  const bare = bareHandler(bench.twin.dynamoDbEndpoint, bench.twin.region, bench.twin.tableName);
  try {
    const admin = await bench.adminToken();
    // A plan with monthly limits, as most tenants have, so that the routes check them (an enterprise
    // tenant's are unlimited and skipped); its counted resources unlimited, for the records the
    // benchmark makes for every route, and its rate limit above the benchmark's pace.
    const tenant = await bench.createTenant('professional');
    const base = `/v1/tenants/${tenant.id}`;
    const plan = {
      plan: 'professional',
      // A rate limit still checked, but above the benchmark's own pace (hundreds of calls a minute).
      limitOverrides: {
        users: null,
        agents: null,
        projects: null,
        apiKeys: null,
        storageBytes: null,
        requestsPerMinute: 100_000,
      },
    };
    const overridden = await bench.call('PUT', `${base}/plan`, { token: admin, body: plan });
    if (overridden.status !== 200) throw new Error(`plan: ${overridden.status}`);
    const member = await bench.call('POST', `${base}/users`, {
      token: tenant.token,
      body: { email: `member-${Date.now()}@bench.test`, role: 'member' },
    });
    const memberId = String(member.body.id);
    // A run only for the routes that name one: starting runs has a rate policy of its own (300 a
    // minute on Professional), which a run for every call of every route would use up.
    const fresh = async (route: RouteDefinition) => {
      const agent = await bench.call('POST', `${base}/agents`, {
        token: tenant.token,
        body: { name: 'A', model: 'm' },
      });
      const agentId = String(agent.body.id);
      const run = route.path.includes('{runId}')
        ? await bench.call('POST', `${base}/agents/${agentId}/runs`, { token: tenant.token, body: {} })
        : { body: { id: 'run_00000000000000000000000000' } };
      const memory = await bench.call('POST', `${base}/agents/${agentId}/memory`, {
        token: tenant.token,
        body: { kind: 'text', content: 'x' },
      });
      const key = await bench.call('POST', `${base}/api-keys`, {
        token: tenant.token,
        body: { name: 'k', scopes: ['agents:read'] },
      });
      const project = await bench.call('POST', `${base}/projects`, {
        token: tenant.token,
        body: { name: 'P' },
      });
      return {
        agentId,
        projectId: String(project.body.id),
        runId: String(run.body.id),
        memoryId: String(memory.body.id),
        keyId: String(key.body.id),
      };
    };

    // Signing out everywhere ends every session of its caller: it is called by another tenant's owner,
    // signed in anew for each call (in the next second: a sign-in within the second of a sign-out
    // counts as before it), so the benchmark's own owner stays signed in.
    const leaving = await bench.createTenant('professional');
    const leavingToken = async () => {
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      return bench.signInAs(leaving.email);
    };

    const sso = await ssoFixture(
      bench,
      bench.twin.dns.recordsFile,
      sampleBody(ROUTES.find((route) => route.id === 'sso.put') as RouteDefinition, 'sso'),
    );

    const rows: Array<Array<string | number>> = [];
    const ratios: number[] = [];
    const overFloor: string[] = [];
    const trips = new Map<string, number>();
    let totalCost = 0;
    for (const route of ROUTES as readonly RouteDefinition[]) {
      const platform = route.auth === 'platform' || route.permission?.startsWith('platform:');
      const token = route.auth === 'public' ? undefined : platform ? admin : tenant.token;
      const measured: FinishedRequest[] = [];
      let status = 0;
      for (let attempt = 0; attempt <= MEASURED; attempt += 1) {
        const ids = { tenantId: tenant.id, userId: memberId, ...(await fresh(route)) };
        const caller = route.id === 'users.sessions.signOutEverywhere' ? await leavingToken() : token;
        if (route.id === 'users.resendInvitation') {
          const invited = await bench.call('POST', `${base}/users`, {
            token: tenant.token,
            body: { email: `invitee-${Date.now()}-${attempt}@bench.test`, role: 'viewer' },
          });
          ids.userId = String(invited.body.id);
        }
        if (route.id === 'users.remove' || route.id === 'users.changeRole') {
          const other = await bench.call('POST', `${base}/users`, {
            token: tenant.token,
            body: { email: `other-${Date.now()}-${attempt}@bench.test`, role: 'member' },
          });
          ids.userId = String(other.body.id);
        }
        let request = {
          token: caller,
          ids: ids as PathIds,
          body: route.id === 'tenants.changePlan' ? plan : sampleBody(route, `r${Date.now()}${attempt}`),
        };
        if (sso.covers(route)) request = await sso.prepare(route, request.ids, request.body);
        capturing = route.id;
        captured = undefined;
        const response = await bench.call(route.method, pathFor(route, request.ids), {
          token: request.token,
          body: request.body,
          // A route that requires an Idempotency-Key gets a fresh one each call, as its callers send.
          ...(route.requiresIdempotencyKey
            ? { headers: { 'idempotency-key': `bench-${route.id}-${Date.now()}-${attempt}` } }
            : {}),
        });
        capturing = undefined;
        status = response.status;
        if (attempt > 0 && captured) measured.push(captured);
      }
      const floor = floorOf(route);
      const result = measured.at(-1);
      if (!result) {
        rows.push([route.id, status, '—', '', '', floor, '', '', '', '', '', '']);
        continue;
      }
      const cpu = median(measured.map((request) => request.cpuMs));
      const bareRuns: number[] = [];
      for (let i = 0; i < MEASURED; i += 1) bareRuns.push(await bare(result.commands));
      const bareCpu = median(bareRuns);
      // Beside a handler that calls nothing, a ratio says nothing: only routes that call DynamoDB count.
      const ratio = result.calls > 0 && bareCpu > 0 ? cpu / bareCpu : 0;
      if (ratio) ratios.push(ratio);
      trips.set(route.id, result.roundTrips);
      if (result.calls - floor > TARGET.extraCalls) overFloor.push(`${route.id} +${result.calls - floor}`);
      const dynamo = result.writeUnits * PRICE.writeUnit + result.readUnits * PRICE.readUnit;
      const lambda =
        PRICE.lambdaRequest + PRICE.lambdaGbSecond * 1e6 * MEMORY_GB * (result.durationMs / 1000);
      const perMillion = dynamo + PRICE.httpApiRequest + lambda;
      totalCost += perMillion;
      rows.push([
        route.id,
        status,
        result.calls,
        result.roundTrips,
        result.commands.join(' '),
        floor,
        result.calls - floor > 0 ? `+${result.calls - floor}` : '0',
        result.readUnits,
        result.writeUnits,
        cpu.toFixed(2),
        bareCpu.toFixed(2),
        ratio ? `${ratio.toFixed(1)}x` : '—',
        `$${perMillion.toFixed(2)}`,
      ]);
    }

    // A tenant's first request: a new tenant, its owner's first call, nothing of it cached.
    const first = await bench.createTenant('starter');
    capturing = 'tenants.getCurrent';
    captured = undefined;
    await bench.call('GET', '/v1/tenants/current', { token: first.token });
    capturing = undefined;
    const firstRequest = captured as FinishedRequest | undefined;

    console.log(
      '\nOne warm request of each route on the twin: DynamoDB calls, sequential round trips and capacity units as',
    );
    console.log(
      `DynamoDB reported them; the function's CPU time per request (median of ${MEASURED}) beside a bare Middy handler`,
    );
    console.log(
      'sending the same commands. Cost per million requests: DynamoDB on demand ($0.625/M write units,',
    );
    console.log(
      '$0.125/M read units), HTTP API ($1.00/M), Lambda ($0.20/M invocations, arm64 at 512 MB for the time the handler',
    );
    console.log('took on the twin).\n');
    printTable(
      [
        'route',
        'status',
        'calls',
        'trips',
        'commands',
        'floor',
        'extra',
        'RCU',
        'WCU',
        'cpu ms',
        'bare ms',
        'cpu x',
        '$/M req',
      ],
      rows,
    );
    const runStart = trips.get('runs.start');
    const runComplete = trips.get('runs.complete');
    console.log(`\nMean over routes: $${(totalCost / rows.length).toFixed(2)} per million requests.`);
    console.log('\nAgainst the targets:');
    console.log(
      `  routes over floor + ${TARGET.extraCalls} calls: ${overFloor.length} of ${rows.length}${overFloor.length ? ` (${overFloor.join(', ')})` : ''}`,
    );
    console.log(
      `  runs.start: ${runStart ?? '—'} round trips, runs.complete: ${runComplete ?? '—'} (target ${TARGET.runTrips} each)`,
    );
    console.log(
      `  a tenant's first request: ${firstRequest?.calls ?? '—'} calls in ${firstRequest?.roundTrips ?? '—'} round trips (${firstRequest?.commands.join(' ') ?? ''}) (target ${TARGET.firstRequestTrips} at most)`,
    );
    console.log(
      `  CPU per request over the bare Middy handler (routes that call DynamoDB): median ${median(ratios).toFixed(1)}x, ${ratios.filter((r) => r > TARGET.cpuRatio).length} of ${ratios.length} over ${TARGET.cpuRatio}x, worst ${Math.max(...ratios).toFixed(1)}x (target ${TARGET.cpuRatio}x at most)`,
    );
  } finally {
    unsubscribe();
    await bench.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
