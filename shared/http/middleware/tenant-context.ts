import type { MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import type { ApiEvent, ApiResult } from '../api-event';
import { admit, concludeAdmission, type Admission } from '../admission/pipeline';
import type { RouteDefinition } from '../route';

/** The Lambda context of an API request, carrying its admission once admitted. */
export type AdmissionContext = Context & { admission?: Admission };

/**
 * The tenant-context middleware: runs admission (`admission/pipeline.ts`, one typed pipeline from
 * the Cognito claims the authorizer verified to the quota take) before the operation, answers a
 * replayed Idempotency-Key without it, and concludes admission after the operation answered or
 * failed (the answer stored for replay, the take kept or given back, the RateLimit-* headers).
 */
export function tenantContextMiddleware(
  route: RouteDefinition,
): MiddlewareObj<ApiEvent, ApiResult, Error, AdmissionContext> {
  return {
    before: async function admitRequest(request) {
      const admission = await admit(request.event, route, request.context.getRemainingTimeInMillis());
      request.context.admission = admission;
      return admission.replay;
    },
    after: async function concludeAnswered(request) {
      const { admission } = request.context;
      if (admission && request.response) {
        request.response = (await concludeAdmission(admission, { response: request.response })) ?? null;
      }
    },
    onError: async function concludeFailed(request) {
      const { admission } = request.context;
      if (admission) await concludeAdmission(admission, { failed: true });
    },
  };
}
