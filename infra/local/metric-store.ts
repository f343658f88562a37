import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

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

const fileOf = (dir: string, at: number) =>
  join(dir, `metrics-${new Date(at).toISOString().slice(0, 13)}.ndjson`);

function isEmf(text: string): EmfDocument | undefined {
  if (!text.startsWith('{"_aws"') && !text.includes('"CloudWatchMetrics"')) return undefined;
  try {
    const parsed = JSON.parse(text) as EmfDocument;
    return parsed._aws?.CloudWatchMetrics ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** Appends one EMF document to its hour's file. */
export function storeEmf(dir: string, document: EmfDocument): void {
  const at = document._aws?.Timestamp ?? Date.now();
  appendFileSync(fileOf(dir, at), `${JSON.stringify(document)}\n`);
}

/**
 * Takes the EMF lines out of this process's stdout into the store (what CloudWatch does with a
 * function's output); everything else is printed as before. Returns the undo.
 */
export function captureEmf(dir: string): () => void {
  mkdirSync(dir, { recursive: true });
  pruneMetricFiles(dir, Date.now());
  const stdout = process.stdout;
  const original = stdout.write.bind(stdout) as (...args: unknown[]) => boolean;
  stdout.write = ((chunk: unknown, ...rest: unknown[]) => {
    const text =
      typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : undefined;
    if (text === undefined) return original(chunk, ...rest);
    const kept: string[] = [];
    for (const line of text.split('\n')) {
      const document = isEmf(line.trim());
      if (document) storeEmf(dir, document);
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
  return () => {
    stdout.write = original as typeof stdout.write;
  };
}

/** API Gateway's metrics for one answered request (namespace AWS/ApiGateway, by the API's id). */
export function storeGatewayRequest(
  dir: string,
  answered: { status: number; ms: number },
  at = Date.now(),
): void {
  storeEmf(dir, {
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
  });
}

export function pruneMetricFiles(dir: string, now: number, keepHours = 48): void {
  if (!existsSync(dir)) return;
  const oldest = fileOf(dir, now - keepHours * 3_600_000);
  for (const name of readdirSync(dir)) {
    if (/^metrics-.*\.ndjson$/.test(name) && join(dir, name) < oldest) rmSync(join(dir, name));
  }
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
