/**
 * `npm run bench`: quota enforcement and metering on DynamoDB Local, side by side with the patterns
 * and libraries people reach for; then the usage API beside a metered route on the `npm start` twin. Prints figures; asserts nothing (targets are read, not timed tests).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDB, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { RateLimiterDynamo } from 'rate-limiter-flexible';
import { ensureTable } from '../../infra/local/bootstrap';
import { startDynamoDbLocal } from '../../infra/local/dynamodb-local';
import { freePort } from '../../infra/local/free-port';
import { hotTenantCase } from './hot-tenant';
import { pool } from './pool';
import { usageApiCase } from './usage-api';

const REGION = 'us-east-1';
const TABLE = 'tenantry-bench';
const credentials = { accessKeyId: 'bench', secretAccessKey: 'bench' };
const RACE_CONSUMERS = 200;
const RACE_LIMIT = 50;
const RACE_ROUNDS = 5;
const METERED_REQUESTS = 2_000;
const METER_CONCURRENCY = 20;
const PER_MINUTE = 1_000_000;
const HOT_INSTANCES = 6;

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tenantry-bench-'));
  const dynamo = await startDynamoDbLocal({
    port: await freePort(),
    logFile: join(dataDir, 'dynamodb.log'),
    supervisorLog: join(dataDir, 'supervisor.log'),
  });
  try {
    await ensureTable(dynamo.endpoint, REGION, TABLE);
    Object.assign(process.env, {
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      TABLE_NAME: TABLE,
      DYNAMODB_ENDPOINT: dynamo.endpoint,
      LOG_LEVEL: 'SILENT',
      CURSOR_SECRET: randomBytes(32).toString('base64url'),
      POWERTOOLS_METRICS_DISABLED: 'true',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    });
    const { consumePeriodic } = await import('../../shared/quotas/periodic-quota');
    const { meterRequest } = await import('../../shared/quotas/request-metering');
    const { runWithTenantContext } = await import('../../shared/context/tenant-context');
    const { recordDynamoCost, withRequestCost } = await import('../../shared/observability/request-cost');
    const { ownerContext } = await import('../helpers/tenant-context');

    // 1. Over-admissions under 200 concurrent consumers of a limit of 50.
    const peer = DynamoDBDocumentClient.from(
      new DynamoDBClient({ endpoint: dynamo.endpoint, region: REGION, credentials }),
    );
    const ours: number[] = [];
    const checkThenIncrement: number[] = [];
    for (let round = 0; round < RACE_ROUNDS; round += 1) {
      const tenantId = `ten_BENCHRACE${String(round).padStart(17, '0')}`;
      const ctx = ownerContext(tenantId, 'usr_bench', 'enterprise', { runs: RACE_LIMIT });
      const admitted = await Promise.allSettled(
        Array.from({ length: RACE_CONSUMERS }, () =>
          runWithTenantContext(ctx, () => consumePeriodic(ctx, 'runs', 1)),
        ),
      );
      ours.push(admitted.filter((r) => r.status === 'fulfilled').length);

      const key = { pk: `BENCH#check-then-increment#${round}`, sk: 'COUNTER' };
      const naive = await Promise.all(
        Array.from({ length: RACE_CONSUMERS }, async () => {
          const current = await peer.send(
            new GetCommand({ TableName: TABLE, Key: key, ConsistentRead: true }),
          );
          if (Number(current.Item?.used ?? 0) >= RACE_LIMIT) return false;
          await peer.send(
            new UpdateCommand({
              TableName: TABLE,
              Key: key,
              UpdateExpression: 'ADD used :one',
              ExpressionAttributeValues: { ':one': 1 },
            }),
          );
          return true;
        }),
      );
      checkThenIncrement.push(naive.filter(Boolean).length);
    }

    // 2. Capacity units and throughput per metered request, same per-minute limit.
    const ctx = ownerContext('ten_BENCHMETER00000000000000', 'usr_bench', 'enterprise', {
      requestsPerMinute: PER_MINUTE,
    });
    // The app's clients record every call's capacity units (request-cost.ts); so does the peer's.
    const unitsOf = (cost: { readUnits: number; writeUnits: number }) => cost.readUnits + cost.writeUnits;
    let started = performance.now();
    const ourRun = await withRequestCost(() =>
      pool(METERED_REQUESTS, METER_CONCURRENCY, () => runWithTenantContext(ctx, () => meterRequest(ctx))),
    );
    const ourSeconds = (performance.now() - started) / 1000;
    const ourUnits = unitsOf(ourRun.cost);

    const flexClient = new DynamoDB({ endpoint: dynamo.endpoint, region: REGION, credentials });
    recordDynamoCost(flexClient.middlewareStack as never);
    const limiter = await new Promise<RateLimiterDynamo>((resolve, reject) => {
      const created: RateLimiterDynamo = new RateLimiterDynamo(
        { storeClient: flexClient, tableName: 'rlflex-bench', points: PER_MINUTE, duration: 60 },
        (error?: unknown) => (error ? reject(error) : resolve(created)),
      );
    });
    await limiter.consume('warm-up');
    started = performance.now();
    const theirs = await withRequestCost(() =>
      pool(METERED_REQUESTS, METER_CONCURRENCY, () => limiter.consume('ten_BENCHMETER')),
    );
    const flexSeconds = (performance.now() - started) / 1000;
    const flexUnits = unitsOf(theirs.cost);

    const over = (admitted: number[]) => admitted.map((n) => Math.max(0, n - RACE_LIMIT));
    const fmt = (n: number, digits = 2) => n.toFixed(digits);
    const rows: Array<[string, string, string]> = [
      ['measure', 'tenantry', 'peer'],
      [
        `over-admissions, ${RACE_CONSUMERS} consumers vs limit ${RACE_LIMIT} (max of ${RACE_ROUNDS} rounds)`,
        String(Math.max(...over(ours))),
        `${Math.max(...over(checkThenIncrement))} (check-then-increment)`,
      ],
      ['admitted per round', ours.join(' '), checkThenIncrement.join(' ')],
      [
        'capacity units per metered request',
        fmt(ourUnits / METERED_REQUESTS),
        `${fmt(flexUnits / METERED_REQUESTS)} (rate-limiter-flexible RateLimiterDynamo)`,
      ],
      [
        'metered requests per second',
        fmt(METERED_REQUESTS / ourSeconds, 0),
        fmt(METERED_REQUESTS / flexSeconds, 0),
      ],
    ];
    const widths = [0, 1, 2].map((col) => Math.max(...rows.map((row) => row[col]?.length ?? 0)));
    console.log(
      `\nQuota and metering benchmark (DynamoDB Local, ${METERED_REQUESTS} metered requests at concurrency ${METER_CONCURRENCY})\n`,
    );
    for (const [i, row] of rows.entries()) {
      console.log(row.map((cell, col) => cell.padEnd(widths[col] ?? 0)).join('  |  '));
      if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('--+--'));
    }
    console.log(
      '\nTenantry meters with one conditional write on the month’s API-call counter, which also holds the current',
    );
    console.log(
      'minute’s rate window; a hot tenant leases blocks of calls with it (plus a write per minute to close the minute',
    );
    console.log(
      'into its hourly usage); rate-limiter-flexible writes a per-minute counter per request. Targets: 0 over-admissions,',
    );
    console.log('<= 2 capacity units per metered request, throughput no worse than the peer.\n');

    // 3. A hot tenant past one item's write limit.
    const hot = await hotTenantCase(
      dynamo.endpoint,
      {},
      { instances: HOT_INSTANCES, durationMs: 5_000, ceiling: 40_000 },
    );
    console.log(
      `Hot tenant: ${HOT_INSTANCES} processes as Lambda instances, each metering one tenant's requests one at a time for 5 s,`,
    );
    console.log(
      "through a proxy that throttles more than 1,000 writes a second to one item, as DynamoDB does; month's ceiling 40,000.\n",
    );
    const hotRows = [
      ['mode', 'admitted/s', 'writes per request', 'throttled writes', 'admitted', 'over-admissions'],
      ...hot.map((r) => [
        r.mode,
        r.admittedPerSecond.toFixed(0),
        r.writesPerRequest.toFixed(3),
        String(r.throttledWrites),
        String(r.admitted),
        String(r.overAdmissions),
      ]),
    ];
    const hotWidths =
      hotRows[0]?.map((_, col) => Math.max(...hotRows.map((row) => row[col]?.length ?? 0))) ?? [];
    for (const row of hotRows)
      console.log(row.map((cell, col) => cell.padEnd(hotWidths[col] ?? 0)).join('  |  '));
    const [single, blocks] = hot;
    if (single && blocks) {
      console.log(
        `\nBlocks against one write per request: ${(blocks.admittedPerSecond / single.admittedPerSecond).toFixed(1)}× the admitted rate, ${(blocks.writesPerRequest / single.writesPerRequest).toFixed(2)}× the writes per request. Targets: writes per request below 1, 0 over-admissions.\n`,
      );
    }
    flexClient.destroy();
    peer.destroy();

    // 4. The usage API beside a metered route, on the twin npm start starts.
    await usageApiCase();
  } finally {
    await dynamo.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
