import { getConfig } from '../../config';
import type { AdmittedRequestBase, OperationInput } from '../admitted-request';
import type { ApiEvent } from '../api-event';
import type { RouteDefinition } from '../route';
import { bodyText, noBody, noPathParams, noQueryParams, parseJsonBody, parseWith } from '../validation';

const { maxBodyBytes } = getConfig().http;

/**
 * Stage 3, validate: the path parameters, the query string and the body, parsed with the route's
 * schemas, after the caller is admitted to the tenant and before idempotency, rate limit and quota:
 * a malformed request consumes nothing and writes nothing. The parsed input is the only input the
 * operation sees. A route without a query schema refuses every query parameter.
 */
export function validate<R extends RouteDefinition>(
  event: ApiEvent,
  route: R,
): { input: OperationInput<R>; raw?: AdmittedRequestBase['raw'] } {
  const { request } = route;
  const path = parseWith(request.path ?? noPathParams, event.pathParameters ?? {}, 'path');
  const query = parseWith(request.query ?? noQueryParams, event.queryStringParameters ?? {}, 'query string');
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
  const input = { path, query, body } as OperationInput<R>;
  return request.raw ? { input, raw: { body: bodyText(event), headers: event.headers } } : { input };
}
