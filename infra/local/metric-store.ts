import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hourFile, pruneHourFiles } from '../../shared/observability/request-lines';

/**
 * The twin's stand-in for CloudWatch metrics. In Lambda, the functions' metrics are Embedded Metric
 * Format lines on stdout that CloudWatch turns into metrics; here the twin plays that part: each EMF
 * line the functions print (Powertools Metrics, every instance, single metrics included) goes to the
 * file of its hour in `dir` instead of the terminal, and API Gateway's own metrics (requests, 4xx,
 * 5xx, latency) are written by the local gateway for each request it answers. `npm run alarms`
 * reads them (`infra/tools/alarm-evaluation.ts`). Files older than two days are removed.
 */

/** One metric value as CloudWatch would store it: namespace, name, the dimensions it was published with. */
export interface Datapoint {
  namespace: string;
  name: string;
  dimensions: Record<string, string>;
  /** The dimension sets the value was published under (EMF may name several). */
  dimensionSets: string[][];
  at: number;
  value: number;
}

interface EmfDocument {
  _aws?: {
    Timestamp?: number;
    CloudWatchMetrics?: Array<{
      Namespace?: string;
      Dimensions?: string[][];
      Metrics?: Array<{ Name?: string }>;
    }>;
  };
  [key: string]: unknown;
}

const fileOf = (dir: string, at: number) => hourFile(dir, 'metrics', new Date(at));

function isEmf(text: string): EmfDocument | undefined {
  if (!text.startsWith('{"_aws"') && !text.includes('"CloudWatchMetrics"')) return undefined;
  try {
    const parsed = JSON.parse(text) as EmfDocument;
    return parsed._aws?.CloudWatchMetrics ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Lines appended to the file of their hour, synchronously: what a request wrote is in the file
 * when its answer leaves (the tests and `npm run alarms` read it from other processes at once).
 */
export class HourFiles {
  constructor(private readonly fileAt: (at: number) => string) {}
  write(line: string, at = Date.now()): void {
    try {
      appendFileSync(this.fileAt(at), `${line}\n`);
    } catch (error) {
      // The twin's data folder was removed under it (a test run's teardown while a last answer was
      // on its way): that metric has nowhere to go, and the process must not die of it.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
}

/** The twin's metric store: where captured EMF lines and the gateway's metrics go. */
export interface MetricStore {
  /** API Gateway's metrics for one answered request (namespace AWS/ApiGateway, by the API's id). */
  recordGatewayRequest(answered: { status: number; ms: number }, at?: number): void;
  /** Stops taking stdout's EMF lines. */
  stop(): Promise<void>;
}

/**
 * Takes the EMF lines out of this process's stdout into the store (what CloudWatch does with a
 * function's output: Powertools writes each document as one line, `_aws` first); everything else is
 * printed as before.
 */
export function startMetricStore(dir: string): MetricStore {
  mkdirSync(dir, { recursive: true });
  pruneMetricFiles(dir, Date.now());
  const files = new HourFiles((at) => fileOf(dir, at));
  const stdout = process.stdout;
  const original = stdout.write.bind(stdout) as (...args: unknown[]) => boolean;
  stdout.write = ((chunk: unknown, ...rest: unknown[]) => {
    const text =
      typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : undefined;
    if (text === undefined || !text.includes('{"_aws"')) return original(chunk, ...rest);
    const kept: string[] = [];
    for (const line of text.split('\n')) {
      if (line.startsWith('{"_aws"')) files.write(line);
      else kept.push(line);
    }
    const left = kept.join('\n');
    if (left.length === 0) {
      const callback = rest.find((arg): arg is () => void => typeof arg === 'function');
      callback?.();
      return true;
    }
    return original(left, ...rest);
  }) as typeof stdout.write;
  let pruned = Date.now();
  return {
    recordGatewayRequest(answered, at = Date.now()) {
      files.write(
        JSON.stringify({
          _aws: {
            Timestamp: at,
            CloudWatchMetrics: [
              {
                Namespace: 'AWS/ApiGateway',
                Dimensions: [['ApiId']],
                Metrics: [{ Name: 'Count' }, { Name: '4xx' }, { Name: '5xx' }, { Name: 'Latency' }],
              },
            ],
          },
          ApiId: 'local',
          Count: 1,
          '4xx': answered.status >= 400 && answered.status < 500 ? 1 : 0,
          '5xx': answered.status >= 500 ? 1 : 0,
          Latency: Math.round(answered.ms),
        }),
        at,
      );
      if (at - pruned > 3_600_000) {
        pruned = at;
        pruneMetricFiles(dir, at);
      }
    },
    async stop() {
      stdout.write = original as typeof stdout.write;
    },
  };
}

export function pruneMetricFiles(dir: string, now: number, keepHours = 48): void {
  pruneHourFiles(dir, 'metrics', new Date(now), keepHours);
}

/** Every value stored since `since` (epoch ms), one per metric of each EMF document. */
export function readDatapoints(dir: string, since: number): Datapoint[] {
  if (!existsSync(dir)) return [];
  const first = fileOf(dir, since);
  const points: Datapoint[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (!/^metrics-.*\.ndjson$/.test(name) || join(dir, name) < first) continue;
    for (const line of readFileSync(join(dir, name), 'utf8').split('\n')) {
      const document = isEmf(line);
      if (!document?._aws) continue;
      const at = document._aws.Timestamp ?? 0;
      if (at < since) continue;
      for (const directive of document._aws.CloudWatchMetrics ?? []) {
        const sets = directive.Dimensions ?? [[]];
        const keys = [...new Set(sets.flat())];
        const dimensions = Object.fromEntries(keys.map((key) => [key, String(document[key] ?? '')]));
        for (const metric of directive.Metrics ?? []) {
          if (!metric.Name) continue;
          const raw = document[metric.Name];
          for (const value of Array.isArray(raw) ? raw : [raw]) {
            if (typeof value !== 'number') continue;
            points.push({
              namespace: directive.Namespace ?? '',
              name: metric.Name,
              dimensions,
              dimensionSets: sets,
              at,
              value,
            });
          }
        }
      }
    }
  }
  return points;
}
