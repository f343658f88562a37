/** The operator figures job's name in its schedule's event (`{ "job": "operator-figures" }`) and its heartbeat. */
export const OPERATOR_FIGURES_JOB = 'operator-figures';

/** How often the job runs in AWS (its EventBridge schedule): what the traffic figures may lag by. */
export const OPERATOR_FIGURES_EVERY_MINUTES = 15;

export const HEALTH_STATUSES = ['healthy', 'warning', 'critical'] as const;
export type HealthStatus = (typeof HEALTH_STATUSES)[number];
export const HEALTH_REASON_CODES = [
  'suspended',
  'deleted',
  'payment_failed',
  'quota_exhausted',
  'quota_nearing',
  'error_rate',
  'throttling',
  'webhook_endpoint_disabled',
] as const;
export type HealthReasonCode = (typeof HEALTH_REASON_CODES)[number];

/**
 * The traffic thresholds, from the rates operators alarm on fleet-wide: below `minRequests` in the
 * window a rate says nothing (one failed request of three is not a 33 % error rate).
 */
export const HEALTH_THRESHOLDS = {
  minRequests: 20,
  serverErrorRate: { warning: 0.01, critical: 0.05 },
  throttledRate: { warning: 0.05, critical: 0.25 },
} as const;

/** The longest range the route report spans; the hourly figures are kept a day longer. */
export const ROUTE_REPORT_MAX_DAYS = 31;
