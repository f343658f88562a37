import { mkdirSync } from 'node:fs';
import { onFinishedRequest } from '../../shared/observability/request-cost';
import {
  pruneRequestLogFiles,
  requestLogFile,
  type RequestLine,
} from '../../shared/observability/request-lines';
import { HourFiles } from './metric-store';

/**
 * The twin's stand-in for the API functions' log groups, for what the operator figures job reads:
 * each finished request's cost line (the fields `recordRequestCost` logs), appended to the file of
 * its hour in `dir`. Files older than two days are removed, as log retention would.
 */
export function keepRequestLog(dir: string): () => Promise<void> {
  mkdirSync(dir, { recursive: true });
  pruneRequestLogFiles(dir, new Date());
  const files = new HourFiles((at) => requestLogFile(dir, new Date(at)));
  let pruned = Date.now();
  const unsubscribe = onFinishedRequest((request) => {
    const at = Date.now();
    const line: RequestLine = {
      at: new Date(at).toISOString(),
      tenantId: request.tenantId,
      route: request.routeId,
      status: request.status,
      durationMs: Math.round(request.durationMs),
      readUnits: request.readUnits,
      writeUnits: request.writeUnits,
    };
    files.write(JSON.stringify(line), at);
    if (at - pruned > 3_600_000) {
      pruned = at;
      pruneRequestLogFiles(dir, new Date(at));
    }
  });
  return async () => {
    unsubscribe();
  };
}
