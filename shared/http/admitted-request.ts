import type { ResolutionStrategy } from '../model/resolution-strategies';
import type * as z from 'zod/v4/core';
import type { Principal, RequestMeta, TenantContext, UserPrincipal } from '../context/tenant-context';
import type { RouteDefinition } from './route';
import type { QuotaTake } from '../quotas/quota-takes';

/** What every admitted request carries: its route, who sent it from where, and its one "now". */
export interface AdmittedRequestBase {
  route: RouteDefinition;
  meta: RequestMeta & { receivedAt: Date };
  /** When API Gateway received the request: the time of everything it writes. */
  receivedAt: Date;
  /** For routes that ask for it (`request.raw`): the body as sent and the headers (signature checks). */
  raw?: { body: string; headers: Readonly<Record<string, string | undefined>> };
}

/** A `public` route's request: nobody is signed in. */
export type PublicRequest = AdmittedRequestBase;

/** A `user` or `platform` route's request: a signed-in person (a platform admin on `platform`). */
export interface PersonRequest extends AdmittedRequestBase {
  principal: UserPrincipal;
}

/** A `tenant` route's request: the tenant it acts on, admitted, and who acts on it. */
export interface TenantRequest extends AdmittedRequestBase {
  tenant: TenantContext;
  principal: Principal;
  /** Which strategy named the tenant (the `Tenant-Resolved-By` header of the answer). */
  resolvedBy?: ResolutionStrategy;
  /** The Idempotency-Key the request claimed, if it sent one. */
  idempotencyKey?: string;
  /** The monthly quota metering took for the operation (`consumes`, `consumesBody`), if any. */
  take?: QuotaTake;
}

export type AdmittedRequest = PublicRequest | PersonRequest | TenantRequest;

/** The request an operation of route `R` receives, by the route's `auth`: nothing to re-check. */
export type RequestFor<R extends Pick<RouteDefinition, 'auth'>> = R['auth'] extends 'tenant'
  ? TenantRequest
  : R['auth'] extends 'user' | 'platform'
    ? PersonRequest
    : PublicRequest;

type Parsed<Request, K extends string> = Request extends { [P in K]: infer S }
  ? S extends z.$ZodType
    ? z.output<S>
    : undefined
  : undefined;

/** What an operation receives of the request: its path, query and body parsed with its route's schemas. */
export interface OperationInput<R extends RouteDefinition> {
  path: Parsed<R['request'], 'path'>;
  query: Parsed<R['request'], 'query'>;
  body: Parsed<R['request'], 'body'>;
}
