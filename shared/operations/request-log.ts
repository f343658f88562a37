import {
  CloudWatchLogsClient,
  GetQueryResultsCommand,
  StartQueryCommand,
  type ResultField,
} from '@aws-sdk/client-cloudwatch-logs';
import { existsSync, readFileSync } from 'node:fs';
import { getConfig } from '../config';
import { logger } from '../observability/logger';
import { outcomeFlags, requestLogFile, type RequestLine } from '../observability/request-lines';
import { sdkLogger } from '../observability/sdk-logger';

/**
 * One route's figures for one tenant in one UTC hour, from the per-request cost line
 * (`recordRequestCost`): what the operator figures job keeps per tenant (`route-stats.ts`).
 */
export interface RouteFigures {
  route: string;
  requests: number;
  /** 4xx answers other than 429: the caller's mistakes (bad input, missing permission). */
  clientErrors: number;
  /** 429 answers: rate limits, quotas on API calls, metering contention. */
  throttled: number;
  /** 5xx answers: ours. */
  serverErrors: number;
  meanMs: number;
  p99Ms: number;
  maxMs: number;
  readUnits: number;
  writeUnits: number;
}

export interface TenantRouteFigures extends RouteFigures {
  tenantId: string;
}

/** Where the finished requests of an hour are read from: CloudWatch Logs in AWS, the twin's files locally. */
export interface RequestLog {
  /** Every (tenant, route) pair's figures for the hour starting at `hourStart` (UTC), up to `until`. */
  hourFigures(hourStart: Date, until: Date): Promise<TenantRouteFigures[]>;
}

/**
 * The Logs Insights query over the cost line, by tenant and route. One hour at a time: a query
 * answers at most 10,000 rows, so an hour with more (tenant, route) pairs is asked again in shards
 * of tenant ids (by their last character).
 */
export function routeFiguresQuery(shard?: string): string {
  return [
    'filter message = "Request cost" and ispresent(tenantId)',
    ...(shard ? [`filter tenantId like /${shard}$/`] : []),
    'stats count(*) as requests, sum(clientError) as clientErrors, sum(throttled) as throttled,' +
      ' sum(serverError) as serverErrors, avg(durationMs) as meanMs, pct(durationMs, 99) as p99Ms,' +
      ' max(durationMs) as maxMs, sum(readUnits) as readUnits, sum(writeUnits) as writeUnits' +
      ' by tenantId, route',
    `limit ${INSIGHTS_ROW_LIMIT}`,
  ].join(' | ');
}

export const INSIGHTS_ROW_LIMIT = 10_000;
/** The last character of a ULID (Crockford's base 32): the shards of a truncated hour. */
const ULID_LAST_CHARACTERS = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'.split('');

function numberOf(value: string | undefined): number {
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : 0;
}

function rowOf(fields: ResultField[]): TenantRouteFigures | undefined {
  const value = (name: string) => fields.find((field) => field.field === name)?.value;
  const tenantId = value('tenantId');
  const route = value('route');
  if (!tenantId || !route) return undefined;
  return {
    tenantId,
    route,
    requests: numberOf(value('requests')),
    clientErrors: numberOf(value('clientErrors')),
    throttled: numberOf(value('throttled')),
    serverErrors: numberOf(value('serverErrors')),
    meanMs: Math.round(numberOf(value('meanMs'))),
    p99Ms: Math.round(numberOf(value('p99Ms'))),
    maxMs: Math.round(numberOf(value('maxMs'))),
    readUnits: numberOf(value('readUnits')),
    writeUnits: numberOf(value('writeUnits')),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** CloudWatch Logs Insights over the API functions' log groups. */
export function cloudWatchRequestLog(
  logGroupNames: string[],
  client: CloudWatchLogsClient = new CloudWatchLogsClient({
    region: getConfig().region,
    logger: sdkLogger as never,
  }),
  pollMs = 1_000,
): RequestLog {
  async function run(hourStart: Date, until: Date, shard?: string): Promise<TenantRouteFigures[]> {
    const started = await client.send(
      new StartQueryCommand({
        logGroupNames,
        startTime: Math.floor(hourStart.getTime() / 1000),
        // Inclusive in Logs Insights: the hour's last second, not the next hour's first.
        endTime: Math.floor(until.getTime() / 1000) - 1,
        queryString: routeFiguresQuery(shard),
        limit: INSIGHTS_ROW_LIMIT,
      }),
    );
    if (!started.queryId) throw new Error('CloudWatch Logs started no query');
    for (;;) {
      const answer = await client.send(new GetQueryResultsCommand({ queryId: started.queryId }));
      const status = answer.status ?? 'Unknown';
      if (status === 'Complete') return (answer.results ?? []).flatMap((fields) => rowOf(fields) ?? []);
      if (status !== 'Running' && status !== 'Scheduled')
        throw new Error(`The route figures query ended ${status}`);
      await sleep(pollMs);
    }
  }
  return {
    async hourFigures(hourStart, until) {
      const rows = await run(hourStart, until);
      if (rows.length < INSIGHTS_ROW_LIMIT) return rows;
      logger.info('Route figures: an hour of more than 10,000 rows, asked again in shards', {
        hour: hourStart.toISOString(),
      });
      const shards = [];
      for (const last of ULID_LAST_CHARACTERS) shards.push(...(await run(hourStart, until, last)));
      return shards;
    },
  };
}

/** The local twin's stand-in for the query: the same figures, from the twin's files of cost lines. */
export function localRequestLog(dir: string): RequestLog {
  return {
    async hourFigures(hourStart, until) {
      const file = requestLogFile(dir, hourStart);
      if (!existsSync(file)) return [];
      const lines: RequestLine[] = [];
      for (const text of readFileSync(file, 'utf8').split('\n')) {
        if (!text) continue;
        try {
          const line = JSON.parse(text) as RequestLine;
          if (line.tenantId && Date.parse(line.at) < until.getTime()) lines.push(line);
        } catch {
          // A line cut short by a crash: the rest of the hour still counts.
        }
      }
      return figuresOf(lines);
    },
  };
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

/** What the Logs Insights query computes, over lines in hand. */
export function figuresOf(lines: RequestLine[]): TenantRouteFigures[] {
  const groups = new Map<string, RequestLine[]>();
  for (const line of lines) {
    if (!line.tenantId) continue;
    const key = `${line.tenantId}\u0000${line.route}`;
    const group = groups.get(key);
    if (group) group.push(line);
    else groups.set(key, [line]);
  }
  return [...groups.values()].map((group) => {
    const first = group[0] as RequestLine;
    const durations = group.map((line) => line.durationMs).sort((a, b) => a - b);
    const sum = (pick: (line: RequestLine) => number) => group.reduce((total, line) => total + pick(line), 0);
    return {
      tenantId: first.tenantId as string,
      route: first.route,
      requests: group.length,
      clientErrors: sum((line) => outcomeFlags(line.status).clientError),
      throttled: sum((line) => outcomeFlags(line.status).throttled),
      serverErrors: sum((line) => outcomeFlags(line.status).serverError),
      meanMs: Math.round(sum((line) => line.durationMs) / group.length),
      p99Ms: Math.round(percentile(durations, 99)),
      maxMs: Math.round(durations[durations.length - 1] ?? 0),
      readUnits: sum((line) => line.readUnits),
      writeUnits: sum((line) => line.writeUnits),
    };
  });
}

/** The environment's request log: Logs Insights where log groups are configured, the twin's files where a directory is. */
export function defaultRequestLog(): RequestLog | undefined {
  const { requestLog } = getConfig().operations;
  if (requestLog.logGroups.length) return cloudWatchRequestLog(requestLog.logGroups);
  if (requestLog.localDir) return localRequestLog(requestLog.localDir);
  return undefined;
}
