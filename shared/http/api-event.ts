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
  if (Number.isFinite(epoch) && epoch > 0) return new Date(epoch);
  // An event without API Gateway's time (a hand-made one) gets the clock's, the same at every ask.
  let at = unstamped.get(event);
  if (!at) unstamped.set(event, (at = new Date()));
  return new Date(at);
}

const unstamped = new WeakMap<ApiEvent, Date>();

export function requestMetaOf(event: ApiEvent): RequestMeta & { receivedAt: Date } {
  return {
    requestId: event.requestContext.requestId,
    sourceIp: event.requestContext.http.sourceIp,
    userAgent: event.headers['user-agent'],
    receivedAt: receivedAtOf(event),
  };
}
