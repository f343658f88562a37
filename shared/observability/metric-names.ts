/**
 * Where the application's metrics live in CloudWatch: read by Powertools Metrics when the functions
 * publish them (`metrics.ts`), and by the stack's alarms on them (`infra/constructs/operator-alarms.ts`).
 */
export const METRICS_NAMESPACE = 'Tenantry';
/** Powertools adds it to every metric as the `service` dimension. */
export const METRICS_SERVICE = 'tenantry';
