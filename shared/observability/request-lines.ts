import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The per-request cost line's outcome and the local twin's files of those lines: no configuration
 * read here, so the twin's launcher can load it before the functions' environment exists.
 */

/** A request's outcome as three flags: a client error (4xx but 429), throttled (429), a server error (5xx). */
export function outcomeFlags(status: number): { clientError: 0 | 1; throttled: 0 | 1; serverError: 0 | 1 } {
  return {
    clientError: status >= 400 && status < 500 && status !== 429 ? 1 : 0,
    throttled: status === 429 ? 1 : 0,
    serverError: status >= 500 ? 1 : 0,
  };
}

/** The fields of the cost line the figures are made from (written by `recordRequestCost`). */
export interface RequestLine {
  at: string;
  tenantId?: string | undefined;
  route: string;
  status: number;
  durationMs: number;
  readUnits: number;
  writeUnits: number;
}

/** The twin's file of one hour of `prefix` lines: `<prefix>-YYYY-MM-DDTHH.ndjson`. */
export function hourFile(dir: string, prefix: string, at: Date): string {
  return join(dir, `${prefix}-${at.toISOString().slice(0, 13)}.ndjson`);
}

/** The twin's cost lines of one hour: one NDJSON file per hour (`requests-YYYY-MM-DDTHH.ndjson`). */
export function requestLogFile(dir: string, at: Date): string {
  return hourFile(dir, 'requests', at);
}

/** Removes the twin's `prefix` hour files older than `keepHours` (CloudWatch keeps them by retention). */
export function pruneHourFiles(dir: string, prefix: string, now: Date, keepHours = 48): void {
  if (!existsSync(dir)) return;
  const oldest = hourFile(dir, prefix, new Date(now.getTime() - keepHours * 3_600_000));
  for (const name of readdirSync(dir)) {
    if (name.startsWith(`${prefix}-`) && name.endsWith('.ndjson') && join(dir, name) < oldest)
      rmSync(join(dir, name));
  }
}

export function pruneRequestLogFiles(dir: string, now: Date, keepHours = 48): void {
  pruneHourFiles(dir, 'requests', now, keepHours);
}
