import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { logger } from '../../observability/logger';
import { countProblem } from '../../observability/metrics';
import { isDependencyUnavailable } from '../../dependency-errors';
import { AppError, ServiceUnavailableError } from '../../errors';
import { RateLimitedError } from '../../quotas/rate-limited-error';
import { internalErrorResponse, isScimPath, problemResponse, scimProblem } from '../problem';
import { rateLimitHeaders } from '../rate-limit-headers';
import type { AdmissionContext } from './tenant-context';

/**
 * A dependency that threw its own error (throttled, failing, timed out, refused) is a 503 with
 * `Retry-After`; what it said is the error's cause, for the log.
 */
function typedError(error: unknown): AppError | undefined {
  if (error instanceof AppError) return error;
  // A typed error thrown under a library (the call budget's 503, thrown inside the DynamoDB client
  // ElectroDB wraps) is answered as itself.
  const wrapped = wrappedAppError(error);
  if (wrapped) return wrapped;
  if (isDependencyUnavailable(error)) {
    return new ServiceUnavailableError('A service the API depends on is unavailable; retry shortly.', {
      cause: error,
    });
  }
  return undefined;
}

/** The first typed error in `error`'s chain of causes, a few levels deep. */
export function wrappedAppError(error: unknown): AppError | undefined {
  let current: unknown = (error as { cause?: unknown } | null)?.cause;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth += 1) {
    if (current instanceof AppError) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * The one place errors become responses: typed errors, and dependencies that failed, become their
 * problem+json (in SCIM's error format on the SCIM routes); anything else is a bug, logged in full and answered with a generic 500 that names
 * the request id and nothing more.
 */
export function problemErrorHandler(): MiddlewareObj<
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Error,
  AdmissionContext
> {
  return {
    onError: async function respondWithProblem(request) {
      const { error, event } = request;
      const requestId = event.requestContext?.requestId;
      const typed = typedError(error);
      // A refusal after the tenant was named says, as every tenant answer does, what named it.
      const admitted = request.context?.admission?.request;
      const resolved: Record<string, string> =
        admitted && 'resolvedBy' in admitted && admitted.resolvedBy
          ? { 'Tenant-Resolved-By': admitted.resolvedBy }
          : {};
      if (typed) {
        countProblem(typed.code, typed.statusCode);
        if (typed.statusCode >= 500) logger.error('Request failed', { error: typed, cause: typed.cause });
        else logger.info('Request refused', { code: typed.code, status: typed.statusCode });
        const response = problemResponse(typed, requestId, event.rawPath);
        if (typed instanceof RateLimitedError) {
          response.headers = { ...rateLimitHeaders(typed.rateLimit), ...response.headers };
        }
        response.headers = { ...response.headers, ...resolved };
        request.response = isScimPath(event.rawPath) ? scimProblem(response) : response;
        return;
      }
      countProblem('internal_error', 500);
      logger.error('Unhandled error', { error: error ?? undefined });
      const response = internalErrorResponse(requestId);
      response.headers = { ...response.headers, ...resolved };
      request.response = isScimPath(event.rawPath) ? scimProblem(response) : response;
    },
  };
}
