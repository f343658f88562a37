import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { logger } from '../../shared/observability/logger';
import { countJobRun } from '../../shared/observability/metrics';
import {
  reconcileFederatedProviders,
  type ProviderReconcileResult,
} from '../../shared/sso/provider-reconcile';

export const SSO_RECONCILE_JOB = 'sso-reconcile';
/** The one custom resource's id: every deploy that changes the app client updates it. */
const PHYSICAL_ID = 'tenantry-sso-provider-reconcile';
/** Time kept back from the function's own limit to answer CloudFormation in. */
const ANSWER_MARGIN_MS = 15_000;

/**
 * Makes the app client offer the tenants' enabled identity providers again. Two callers:
 * - the daily EventBridge schedule (`{ "job": "sso-reconcile" }`), which repairs what a crashed save
 *   left; a failure throws, so Lambda retries it and then keeps it in the on-failure queue;
 * - CloudFormation, after each deploy that changed the app client (a custom resource whose properties
 *   are the client's): the deploy reset the client's providers to the template's. A failure is
 *   reported to CloudFormation as success with the reason logged, so a reconcile never rolls back a
 *   deploy (the daily run repairs it). CloudFormation is always answered, even on failure or when the
 *   reconcile outlasts the function's time (it is then answered before the time is up), so a stack
 *   never waits an hour on it.
 */
export async function handler(
  event: CloudFormationCustomResourceEvent | { job?: unknown },
  context?: Pick<Context, 'getRemainingTimeInMillis'>,
): Promise<ProviderReconcileResult | undefined> {
  if (!('RequestType' in event)) {
    const result = await reconcileFederatedProviders();
    logger.info('Identity providers reconciled', { ...result });
    countJobRun(SSO_RECONCILE_JOB);
    return result;
  }
  let reason = 'Nothing to do on delete';
  let result: ProviderReconcileResult | undefined;
  if (event.RequestType !== 'Delete') {
    let timer: NodeJS.Timeout | undefined;
    try {
      const budget = context ? context.getRemainingTimeInMillis() - ANSWER_MARGIN_MS : Infinity;
      result = await Promise.race([
        reconcileFederatedProviders(),
        new Promise<never>((_resolve, reject) => {
          if (Number.isFinite(budget)) {
            timer = setTimeout(() => reject(new Error('it ran out of time')), Math.max(0, budget));
          }
        }),
      ]);
      reason = `Offered ${result.offered} of ${result.providers} tenant providers (added ${result.added.length}, removed ${result.removed.length})`;
      logger.info('Identity providers reconciled after a deploy', { ...result });
    } catch (error) {
      reason = `The reconcile failed (the daily run repairs it): ${error instanceof Error ? error.message : String(error)}`;
      logger.error('Identity providers not reconciled after a deploy', { error });
    } finally {
      clearTimeout(timer);
    }
  }
  await answerCloudFormation(event, reason);
  return result;
}

/** The custom resource's answer, PUT to the pre-signed URL CloudFormation gave (its protocol). */
async function answerCloudFormation(event: CloudFormationCustomResourceEvent, reason: string): Promise<void> {
  const body = JSON.stringify({
    Status: 'SUCCESS',
    Reason: reason.slice(0, 1000),
    PhysicalResourceId: PHYSICAL_ID,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
  });
  const response = await fetch(event.ResponseURL, {
    method: 'PUT',
    // The pre-signed URL is signed for an empty content type.
    headers: { 'content-type': '', 'content-length': String(Buffer.byteLength(body)) },
    body,
    signal: AbortSignal.timeout(30_000),
  });
  if (!response.ok) throw new Error(`CloudFormation's response URL answered ${response.status}`);
}
