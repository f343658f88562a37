import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { logger } from '../../observability/logger';
import { countProblem } from '../../observability/metrics';
import { AppError } from '../../errors';
import { internalErrorResponse, problemResponse } from '../problem';

/**
 * The one place errors become responses: typed errors become their problem+json; anything else is a
 * bug, logged in full and answered with a generic 500 that names the request id and nothing more.
 */
export function problemErrorHandler(): MiddlewareObj<
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2
> {
  return {
    onError: async function respondWithProblem(request) {
      const { error, event } = request;
      const requestId = event.requestContext?.requestId;
      if (error instanceof AppError) {
        countProblem(error.code, error.statusCode);
        if (error.statusCode >= 500) logger.error('Request failed', { error });
        else logger.info('Request refused', { code: error.code, status: error.statusCode });
        request.response = problemResponse(error, requestId, event.rawPath);
        return;
      }
      countProblem('internal_error', 500);
      logger.error('Unhandled error', { error: error ?? undefined });
      request.response = internalErrorResponse(requestId);
    },
  };
}
