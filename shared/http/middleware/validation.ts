import type { MiddlewareObj } from '@middy/core';
import { getConfig } from '../../config';
import type { ApiEvent, ApiResult, ScopedContext } from '../request-scope';
import type { RouteDefinition } from '../route';
import { bodyText, noBody, noPathParams, noQueryParams, parseJsonBody, parseWith } from '../validation';

const { maxBodyBytes } = getConfig().http;

/**
 * Parses the path parameters, the query string and the body with the route's schemas, right after
 * the tenant context and the permission check and before idempotency, rate limit and quota: a
 * malformed request consumes nothing and writes nothing. The parsed input is the only input the
 * operation sees. A route without a query schema refuses every query parameter.
 */
export function validationMiddleware(
  route: RouteDefinition,
): MiddlewareObj<ApiEvent, ApiResult, Error, ScopedContext> {
  const { request } = route;
  return {
    before: async function validateRequest({ event, context }) {
      const path = parseWith(request.path ?? noPathParams, event.pathParameters ?? {}, 'path');
      const query = parseWith(
        request.query ?? noQueryParams,
        event.queryStringParameters ?? {},
        'query string',
      );
      let body: unknown = undefined;
      const limit = request.maxBodyBytes ?? maxBodyBytes;
      if (request.body) {
        const empty = !event.body;
        body =
          empty && request.bodyOptional
            ? parseWith(request.body, {}, 'request body')
            : parseJsonBody(event, request.body, limit);
      } else if (event.body) {
        // An operation without a body takes none: only an empty object is tolerated.
        parseJsonBody(event, noBody, limit);
      }
      context.scope.input = { path, query, body };
      if (request.raw) context.scope.raw = { body: bodyText(event), headers: event.headers };
    },
  };
}
