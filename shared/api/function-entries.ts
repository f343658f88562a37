import type { FunctionName } from '../http/route';

/**
 * Where each Lambda function's entry point lives, relative to the project root. The CDK stack
 * bundles these files and the local twin loads them, each by path, as Lambda does: `infra/` never
 * imports `functions/`.
 */
export function functionEntry(
  name:
    | FunctionName
    | 'authorizer'
    | 'jobs/scheduler'
    | 'jobs/worker'
    | 'jobs/billing-outbox'
    | 'jobs/notifications'
    | 'jobs/webhook-deliveries'
    | 'jobs/sso-reconcile'
    | 'triggers/custom-message'
    | 'triggers/pre-token-generation',
): string {
  return name.includes('/') ? `functions/${name}.ts` : `functions/${name}/handler.ts`;
}
