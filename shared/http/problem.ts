import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { AppError } from '../errors';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** The RFC 9457 body this API answers with, plus the stable `code` and the request id. */
export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  code: string;
  detail: string;
  instance?: string;
  requestId?: string;
  [extension: string]: unknown;
}

/** Each problem's `type`: its code's section of the problem reference this API serves. */
export const PROBLEM_TYPE_BASE = '/docs/problems#';

/** Shapes a typed error as problem+json. 5xx bodies stay generic: details belong in the log. */
export function problemResponse(
  error: AppError,
  requestId: string | undefined,
  instance?: string,
): APIGatewayProxyStructuredResultV2 {
  const body: ProblemDocument = {
    ...error.extensions,
    type: `${PROBLEM_TYPE_BASE}${error.code}`,
    title: error.title,
    status: error.statusCode,
    code: error.code,
    detail: error.message,
    ...(instance ? { instance } : {}),
    ...(requestId ? { requestId } : {}),
  };
  return {
    statusCode: error.statusCode,
    headers: { 'content-type': PROBLEM_CONTENT_TYPE, ...error.headers },
    body: JSON.stringify(body),
  };
}

export function internalErrorResponse(requestId: string | undefined): APIGatewayProxyStructuredResultV2 {
  const body: ProblemDocument = {
    type: `${PROBLEM_TYPE_BASE}internal_error`,
    title: 'Internal Server Error',
    status: 500,
    code: 'internal_error',
    detail: 'An unexpected error occurred. Quote the request id when reporting it.',
    ...(requestId ? { requestId } : {}),
  };
  return { statusCode: 500, headers: { 'content-type': PROBLEM_CONTENT_TYPE }, body: JSON.stringify(body) };
}

/** The SCIM routes (`/v1/tenants/{id}/scim/v2/…`) answer errors in SCIM's own format (RFC 7644 §3.12). */
export function isScimPath(path: string | undefined): boolean {
  return /^\/v1\/tenants\/[^/]+\/scim\/v2(\/|$)/.test(path ?? '');
}

const SCIM_ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

/** SCIM's `scimType` for the problems that have one (RFC 7644 table 9). */
const SCIM_TYPES: Partial<Record<string, string>> = {
  validation_failed: 'invalidValue',
  body_required: 'invalidSyntax',
  malformed_json: 'invalidSyntax',
  scim_filter_invalid: 'invalidFilter',
  scim_patch_invalid: 'invalidSyntax',
  scim_value_invalid: 'invalidValue',
  scim_domain_not_captured: 'invalidValue',
  scim_mutability: 'mutability',
  scim_user_exists: 'uniqueness',
};

/**
 * A problem in SCIM's error format, for the SCIM routes: `schemas`, `status` (a string), `scimType`
 * where one applies and `detail`, which directories show their admins; the problem's own members
 * (`type`, `title`, `code`, `requestId`, `errors`) beside them, which SCIM clients ignore.
 */
export function scimProblem(response: APIGatewayProxyStructuredResultV2): APIGatewayProxyStructuredResultV2 {
  const problem = JSON.parse(String(response.body ?? '{}')) as ProblemDocument & { scimType?: string };
  const scimType = problem.scimType ?? SCIM_TYPES[problem.code];
  return {
    ...response,
    headers: { ...response.headers, 'content-type': 'application/scim+json' },
    body: JSON.stringify({
      schemas: [SCIM_ERROR_SCHEMA],
      ...problem,
      // SCIM's status is the HTTP status as a string.
      status: String(problem.status),
      ...(scimType ? { scimType } : {}),
    }),
  };
}
