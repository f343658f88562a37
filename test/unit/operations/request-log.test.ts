import {
  CloudWatchLogsClient,
  GetQueryResultsCommand,
  StartQueryCommand,
  type ResultField,
} from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  pruneRequestLogFiles,
  requestLogFile,
  type RequestLine,
} from '../../../shared/observability/request-lines';
import {
  INSIGHTS_ROW_LIMIT,
  cloudWatchRequestLog,
  figuresOf,
  localRequestLog,
  routeFiguresQuery,
} from '../../../shared/operations/request-log';

const logs = mockClient(CloudWatchLogsClient);
const hour = new Date('2026-12-02T09:00:00.000Z');
const end = new Date('2026-12-02T10:00:00.000Z');

const row = (tenantId: string, route: string, requests: number): ResultField[] => [
  { field: 'tenantId', value: tenantId },
  { field: 'route', value: route },
  { field: 'requests', value: String(requests) },
  { field: 'clientErrors', value: '1' },
  { field: 'throttled', value: '0' },
  { field: 'serverErrors', value: '2' },
  { field: 'meanMs', value: '12.6' },
  { field: 'p99Ms', value: '80.2' },
  { field: 'maxMs', value: '120' },
  { field: 'readUnits', value: '3.5' },
  { field: 'writeUnits', value: '1' },
];

describe('the request log in AWS: Logs Insights over the cost lines', () => {
  afterEach(() => logs.reset());

  it('asks for the hour over the given log groups and maps each row, polling until the query completes', async () => {
    logs.on(StartQueryCommand).resolves({ queryId: 'q-1' });
    logs
      .on(GetQueryResultsCommand)
      .resolvesOnce({ status: 'Running' })
      .resolves({
        status: 'Complete',
        results: [row('ten_A', 'agents.list', 40), [{ field: 'route', value: 'x' }]],
      });
    const figures = await cloudWatchRequestLog(
      ['/aws/lambda/agents', '/aws/lambda/runs'],
      new CloudWatchLogsClient({}),
      1,
    ).hourFigures(hour, end);
    const start = logs.commandCalls(StartQueryCommand)[0]?.args[0].input;
    expect(start).toMatchObject({
      logGroupNames: ['/aws/lambda/agents', '/aws/lambda/runs'],
      startTime: hour.getTime() / 1000,
      endTime: end.getTime() / 1000 - 1,
      limit: INSIGHTS_ROW_LIMIT,
    });
    expect(start?.queryString).toBe(routeFiguresQuery());
    expect(start?.queryString).toContain('filter message = "Request cost"');
    expect(start?.queryString).toContain('by tenantId, route');
    expect(logs.commandCalls(GetQueryResultsCommand)).toHaveLength(2);
    // A row without a tenant is no tenant's.
    expect(figures).toEqual([
      {
        tenantId: 'ten_A',
        route: 'agents.list',
        requests: 40,
        clientErrors: 1,
        throttled: 0,
        serverErrors: 2,
        meanMs: 13,
        p99Ms: 80,
        maxMs: 120,
        readUnits: 3.5,
        writeUnits: 1,
      },
    ]);
  });

  it('asks again in 32 shards of tenant ids when an hour fills the 10,000 rows a query answers', async () => {
    const full = Array.from({ length: INSIGHTS_ROW_LIMIT }, (_, i) => row(`ten_${i}`, 'agents.list', 1));
    let started = 0;
    logs.on(StartQueryCommand).callsFake(() => ({ queryId: `q-${(started += 1)}` }));
    logs
      .on(GetQueryResultsCommand)
      .callsFake((input: { queryId: string }) =>
        input.queryId === 'q-1'
          ? { status: 'Complete', results: full }
          : { status: 'Complete', results: [row(`ten_${input.queryId}`, 'runs.start', 2)] },
      );
    const figures = await cloudWatchRequestLog(
      ['/aws/lambda/agents'],
      new CloudWatchLogsClient({}),
      1,
    ).hourFigures(hour, end);
    const queries = logs.commandCalls(StartQueryCommand).map((call) => call.args[0].input.queryString ?? '');
    expect(queries).toHaveLength(33);
    expect(queries.slice(1).every((query) => /filter tenantId like \/[0-9A-Z]\$\//.test(query))).toBe(true);
    expect(new Set(queries.slice(1)).size).toBe(32);
    expect(figures).toHaveLength(32);
  });

  it('fails the run when a query fails, rather than writing an empty hour', async () => {
    logs.on(StartQueryCommand).resolves({ queryId: 'q-1' });
    logs.on(GetQueryResultsCommand).resolves({ status: 'Failed' });
    await expect(
      cloudWatchRequestLog(['/aws/lambda/agents'], new CloudWatchLogsClient({}), 1).hourFigures(hour, end),
    ).rejects.toThrow(/Failed/);
  });
});

describe('the twin’s request log: the same figures from its files', () => {
  const line = (
    tenantId: string | undefined,
    route: string,
    status: number,
    durationMs: number,
  ): RequestLine => ({
    at: '2026-12-02T09:10:00.000Z',
    tenantId,
    route,
    status,
    durationMs,
    readUnits: 1,
    writeUnits: 0.5,
  });

  it('counts outcomes, the mean, the nearest-rank p99 and the maximum, by tenant and route', () => {
    const lines = [
      ...Array.from({ length: 98 }, (_, i) => line('ten_A', 'agents.list', 200, i + 1)),
      line('ten_A', 'agents.list', 429, 500),
      line('ten_A', 'agents.list', 503, 900),
      line('ten_A', 'agents.create', 400, 5),
      line('ten_B', 'agents.list', 200, 7),
      line(undefined, 'tenants.signup', 201, 50),
    ];
    const figures = figuresOf(lines);
    expect(figures).toHaveLength(3);
    expect(figures.find((f) => f.tenantId === 'ten_A' && f.route === 'agents.list')).toEqual({
      tenantId: 'ten_A',
      route: 'agents.list',
      requests: 100,
      clientErrors: 0,
      throttled: 1,
      serverErrors: 1,
      meanMs: Math.round((4851 + 500 + 900) / 100),
      p99Ms: 500,
      maxMs: 900,
      readUnits: 100,
      writeUnits: 50,
    });
    expect(figures.find((f) => f.route === 'agents.create')).toMatchObject({ requests: 1, clientErrors: 1 });
  });

  it('reads only the hour’s file, up to the instant asked, skipping a line cut short', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'request-log-'));
    try {
      writeFileSync(
        requestLogFile(dir, hour),
        [
          JSON.stringify(line('ten_A', 'agents.list', 200, 3)),
          JSON.stringify({ ...line('ten_A', 'agents.list', 200, 3), at: '2026-12-02T09:50:00.000Z' }),
          '{"at":"2026-12-02T09:1',
        ].join('\n'),
      );
      writeFileSync(requestLogFile(dir, end), JSON.stringify(line('ten_A', 'agents.list', 200, 3)));
      const log = localRequestLog(dir);
      expect((await log.hourFigures(hour, new Date('2026-12-02T09:30:00.000Z')))[0]?.requests).toBe(1);
      expect((await log.hourFigures(hour, end))[0]?.requests).toBe(2);
      expect(await log.hourFigures(new Date('2026-12-02T07:00:00.000Z'), hour)).toEqual([]);
      // Files older than two days go, as log retention would take them.
      writeFileSync(requestLogFile(dir, new Date('2026-11-29T09:00:00.000Z')), '');
      pruneRequestLogFiles(dir, end);
      expect(readdirSync(dir).sort()).toEqual([
        'requests-2026-12-02T09.ndjson',
        'requests-2026-12-02T10.ndjson',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
