import type {
  APIGatewayProxyEventV2WithLambdaAuthorizer,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import { UnauthorizedError } from '../errors';
import type { OperationCommit } from '../data/operation-commit';
import type { QuotaTake } from '../quotas/quota-takes';
import type { RateLimitState } from '../quotas/request-metering';
import type { RequestMeta, TenantContext, UserPrincipal } from '../tenancy/context';
import type { RouteDefinition } from './route';

/** The event API Gateway (HTTP API, payload 2.0) hands a function, with the authorizer's context. */
export type ApiEvent = APIGatewayProxyEventV2WithLambdaAuthorizer<Record<string, unknown>>;
export type ApiResult = APIGatewayProxyStructuredResultV2;

/** The request's path parameters, query and body, parsed with the route's schemas. */
export interface ValidatedInput {
  path: unknown;
  query: unknown;
  body: unknown;
}

/** What the middlewares learn about a request, handed to the operation. */
export interface RequestScope {
  route: RouteDefinition;
  meta: RequestMeta;
  /**
   * When API Gateway received the request (`requestContext.timeEpoch`): the request's one "now", for
   * metering, quota periods and the records it writes, so every part of it agrees on the minute and
   * the month.
   */
  receivedAt: Date;
  /** Set for `tenant` routes. */
  tenant?: TenantContext;
  /** Set for `tenant` and `platform` routes. */
  principal?: UserPrincipal;
  /** Set by the validation middleware, before anything is consumed. */
  input?: ValidatedInput;
  /** For routes that ask for it: the body as sent and the headers (signature checks). */
  raw?: { body: string; headers: Readonly<Record<string, string | undefined>> };
  /** The Idempotency-Key this request claimed, if any, and the claim's token. */
  idempotency?: { key: string; token: string };
  /**
   * What the operation's first write commits with (the key's record, a quota take's receipt), and
   * whether it did: set by the middlewares that attach something.
   */
  commit?: OperationCommit;
  /** The rate-limit state after metering, for the RateLimit-* headers. */
  rateLimit?: RateLimitState;
  /** The monthly quota the route took before its operation (`quotas/quota-takes.ts`). */
  consumption?: QuotaTake;
}

/** The Lambda context, carrying what the middlewares learned. */
export type ScopedContext = Context & { scope: RequestScope };

export function requestMetaOf(event: ApiEvent): RequestMeta {
  return {
    requestId: event.requestContext.requestId,
    sourceIp: event.requestContext.http.sourceIp,
    userAgent: event.headers['user-agent'],
    receivedAt: receivedAtOf(event),
  };
}

export function receivedAtOf(event: ApiEvent): Date {
  const epoch = event.requestContext.timeEpoch;
  return new Date(Number.isFinite(epoch) && epoch > 0 ? epoch : Date.now());
}

/** The tenant context of a `tenant` route; the middleware guarantees it, this states it in types. */
export function requireTenant(scope: RequestScope): TenantContext {
  if (!scope.tenant) throw new UnauthorizedError('The request carries no tenant context.');
  return scope.tenant;
}

export function requirePrincipal(scope: RequestScope): UserPrincipal {
  if (!scope.principal) throw new UnauthorizedError('The request carries no verified identity.');
  return scope.principal;
}

/** The commit of the request's operation, made when a middleware first attaches something to it. */
export function operationCommitOf(scope: RequestScope): OperationCommit {
  scope.commit ??= { attachments: [], committed: false };
  return scope.commit;
}
