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

/** The twin's cost lines of one hour: one NDJSON file per hour (`requests-YYYY-MM-DDTHH.ndjson`). */
export function requestLogFile(dir: string, at: Date): string {
  return join(dir, `requests-${at.toISOString().slice(0, 13)}.ndjson`);
}

/** Removes the twin's hour files older than `keepHours` (CloudWatch keeps logs by retention). */
export function pruneRequestLogFiles(dir: string, now: Date, keepHours = 48): void {
  if (!existsSync(dir)) return;
  const oldest = requestLogFile(dir, new Date(now.getTime() - keepHours * 3_600_000));
  for (const name of readdirSync(dir)) {
    if (/^requests-.*\.ndjson$/.test(name) && join(dir, name) < oldest) rmSync(join(dir, name));
  }
}
