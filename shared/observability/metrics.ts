import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

/**
 * CloudWatch metrics as EMF log lines (Powertools), flushed per invocation by the API handler stack.
 * Off in the local twin (POWERTOOLS_DEV), where every function shares one process.
 */
export const metrics = new Metrics({ namespace: 'Tenantry', serviceName: 'tenantry' });

/** One refused or failed request, by its problem code (a small, fixed set: safe as a dimension). */
export function countProblem(code: string, status: number): void {
  const metric = metrics.singleMetric();
  metric.addDimension('code', code);
  metric.addMetric(status >= 500 ? 'ServerErrors' : 'ProblemResponses', MetricUnit.Count, 1);
}

export function countMeteredRequest(): void {
  metrics.addMetric('MeteredRequests', MetricUnit.Count, 1);
}

export function countThresholdCrossed(resource: string, threshold: number): void {
  const metric = metrics.singleMetric();
  metric.addDimensions({ resource, threshold: String(threshold) });
  metric.addMetric('QuotaThresholdsCrossed', MetricUnit.Count, 1);
}
