import { MethodNotAllowedError, NotFoundError } from '../errors';
import type { ApiEvent } from '../http/api-event';
import { ROUTES } from './manifest';

const PATTERNS = ROUTES.map((route) => ({
  method: route.method,
  pattern: new RegExp(`^${route.path.replace(/\{\w+\}/g, '[^/]+')}$`),
}));

/**
 * What API Gateway's `$default` route answers: 405 with `Allow` when the path exists with other
 * methods, else 404. Both problem+json, like every error of the API.
 */
export function unmatchedRoute(event: ApiEvent): never {
  const path = event.rawPath;
  const allowed = [...new Set(PATTERNS.filter((p) => p.pattern.test(path)).map((p) => p.method))];
  if (allowed.length > 0) {
    throw new MethodNotAllowedError(
      `${event.requestContext.http.method} is not allowed on ${path}.`,
      allowed,
    );
  }
  throw new NotFoundError(`No operation has the path ${path}.`, 'route_not_found');
}
