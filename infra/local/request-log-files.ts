import { appendFileSync, mkdirSync } from 'node:fs';
import { onFinishedRequest } from '../../shared/observability/request-cost';
import {
  pruneRequestLogFiles,
  requestLogFile,
  type RequestLine,
} from '../../shared/observability/request-lines';

/**
 * The twin's stand-in for the API functions' log groups, for what the operator figures job reads:
 * each finished request's cost line (the fields `recordRequestCost` logs), appended to the file of
 * its hour in `dir`. Files older than two days are removed, as log retention would.
 */
export function keepRequestLog(dir: string): () => void {
  mkdirSync(dir, { recursive: true });
  pruneRequestLogFiles(dir, new Date());
  let pruned = Date.now();
  return onFinishedRequest((request) => {
    const at = new Date();
    const line: RequestLine = {
      at: at.toISOString(),
      tenantId: request.tenantId,
      route: request.routeId,
      status: request.status,
      durationMs: Math.round(request.durationMs),
      readUnits: request.readUnits,
      writeUnits: request.writeUnits,
    };
    appendFileSync(requestLogFile(dir, at), `${JSON.stringify(line)}\n`);
    if (at.getTime() - pruned > 3_600_000) {
      pruned = at.getTime();
      pruneRequestLogFiles(dir, at);
    }
  });
}
