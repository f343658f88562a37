import type {
  APIGatewayProxyEventV2WithLambdaAuthorizer,
  APIGatewayProxyStructuredResultV2,
} from 'aws-lambda';
import type { RequestMeta } from '../context/tenant-context';

/** The event API Gateway (HTTP API, payload 2.0) hands a function, with the authorizer's context. */
export type ApiEvent = APIGatewayProxyEventV2WithLambdaAuthorizer<Record<string, unknown>>;
export type ApiResult = APIGatewayProxyStructuredResultV2;

/**
 * When API Gateway received the request (`requestContext.timeEpoch`): the request's one "now", for
 * metering, quota periods and everything it writes, so every part of it agrees on the minute and
 * the month.
 */
export function receivedAtOf(event: ApiEvent): Date {
  const epoch = event.requestContext.timeEpoch;
  return new Date(Number.isFinite(epoch) && epoch > 0 ? epoch : Date.now());
}

export function requestMetaOf(event: ApiEvent): RequestMeta & { receivedAt: Date } {
  return {
    requestId: event.requestContext.requestId,
    sourceIp: event.requestContext.http.sourceIp,
    userAgent: event.headers['user-agent'],
    receivedAt: receivedAtOf(event),
  };
}
