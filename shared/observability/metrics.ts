import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logger } from './logger';
import { publishFinishedRequest, type FinishedRequest } from './request-cost';
import { outcomeFlags } from './request-lines';
import { METRICS_NAMESPACE, METRICS_SERVICE, type RefusedCredential } from './metric-names';

/**
 * CloudWatch metrics as EMF log lines (Powertools), flushed per invocation by the API handler stack.
 * The local twin keeps them as CloudWatch would (`infra/local/metric-store.ts`).
 */
export const metrics = new Metrics({
  namespace: METRICS_NAMESPACE,
  serviceName: METRICS_SERVICE,
  // Its own warnings (an invocation with no metric to publish) are log lines like any other.
  logger,
});

/** One refused or failed request, by its problem code (a small, fixed set: safe as a dimension). */
export function countProblem(code: string, status: number): void {
  const metric = metrics.singleMetric();
  metric.addDimension('code', code);
  metric.addMetric(status >= 500 ? 'ServerErrors' : 'ProblemResponses', MetricUnit.Count, 1);
}

export type { RefusedCredential } from './metric-names';

/** One credential the authorizer refused: a burst of them is an attack or a broken client. */
export function countRefusedCredential(kind: RefusedCredential): void {
  const metric = metrics.singleMetric();
  metric.addDimension('credential', kind);
  metric.addMetric('RefusedCredentials', MetricUnit.Count, 1);
}

/**
 * A scheduled job ran (its fan-out done, or the billing outbox worked): the heartbeat whose absence
 * says a schedule is late. By job name (a fixed set).
 */
export function countJobRun(job: string): void {
  const metric = metrics.singleMetric();
  metric.addDimension('job', job);
  metric.addMetric('JobRuns', MetricUnit.Count, 1);
}

/** The billing outbox's backlog as a run found it: its items, and how long the oldest has waited. */
export function recordOutboxBacklog(pending: number, oldestSeconds: number): void {
  const metric = metrics.singleMetric();
  metric.addMetric('BillingOutboxPending', MetricUnit.Count, pending);
  metric.addMetric('BillingOutboxOldestSeconds', MetricUnit.Seconds, oldestSeconds);
}

/** An endpoint the deliveries disabled after its failures: many at once say the fault is ours. */
export function countWebhookEndpointDisabled(): void {
  metrics.singleMetric().addMetric('WebhookEndpointsDisabled', MetricUnit.Count, 1);
}

/** A request admitted from a leased block, with no write of its own. */
export function countMeteredInBlock(): void {
  metrics.addMetric('MeteredFromBlock', MetricUnit.Count, 1);
}

export function countMeteredRequest(): void {
  metrics.addMetric('MeteredRequests', MetricUnit.Count, 1);
}

export function countThresholdCrossed(resource: string, threshold: number): void {
  const metric = metrics.singleMetric();
  metric.addDimensions({ resource, threshold: String(threshold) });
  metric.addMetric('QuotaThresholdsCrossed', MetricUnit.Count, 1);
}

/**
 * What a request cost in DynamoDB: logged with its tenant and route (for per-tenant cost queries in
 * Logs Insights), and as metrics by route (a bounded dimension: the manifest's route ids; never the
 * tenant, which is unbounded).
 */
export function recordRequestCost(request: FinishedRequest): void {
  logger.info('Request cost', {
    tenantId: request.tenantId,
    route: request.routeId,
    status: request.status,
    // Numbers, so Logs Insights can sum them (the operator figures job, Contributor Insights).
    ...outcomeFlags(request.status),
    dynamoCalls: request.calls,
    dynamoRoundTrips: request.roundTrips,
    readUnits: request.readUnits,
    writeUnits: request.writeUnits,
    durationMs: Math.round(request.durationMs),
    cpuMs: Math.round(request.cpuMs * 10) / 10,
  });
  const metric = metrics.singleMetric();
  metric.addDimension('route', request.routeId);
  metric.addMetric('DynamoDBCalls', MetricUnit.Count, request.calls);
  metric.addMetric('ReadCapacityUnits', MetricUnit.Count, request.readUnits);
  metric.addMetric('WriteCapacityUnits', MetricUnit.Count, request.writeUnits);
  publishFinishedRequest(request);
}

/** How far a quota counter had drifted from its items when the reconciliation repaired it. */
export function countQuotaDrift(resource: string, drift: number): void {
  const metric = metrics.singleMetric();
  metric.addDimension('resource', resource);
  metric.addMetric('QuotaDriftRepaired', MetricUnit.Count, drift);
}
