import type { MiddlewareObj } from '@middy/core';
import { metrics } from '../../observability/metrics';

/**
 * Publishes the request's stored metrics (EMF) when it ends, as Powertools' `logMetrics` does, but
 * only when there are some: a request that recorded none (a docs page, a platform read) writes no
 * "no application metrics" warning to the log.
 */
export function metricsMiddleware(): MiddlewareObj {
  const publish = async function publishStoredMetrics(): Promise<void> {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  };
  return { after: publish, onError: publish };
}
