/**
 * Where the application's metrics live in CloudWatch: read by Powertools Metrics when the functions
 * publish them (`metrics.ts`), and by the stack's alarms on them (`infra/constructs/operator-alarms.ts`).
 */
export const METRICS_NAMESPACE = 'Tenantry';
/** Powertools adds it to every metric as the `service` dimension. */
export const METRICS_SERVICE = 'tenantry';

/** The kinds of credential the authorizer refuses, each a value of `RefusedCredentials`' `credential` dimension. */
export const REFUSED_CREDENTIAL_KINDS = ['missing', 'malformed', 'apiKey', 'idToken'] as const;
export type RefusedCredential = (typeof REFUSED_CREDENTIAL_KINDS)[number];
