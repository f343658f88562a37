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
