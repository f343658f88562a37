import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import * as z from 'zod/mini';
import { en } from 'zod/locales';
import type * as core from 'zod/v4/core';
import { PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError, type FieldIssue } from '../errors';

// zod/mini carries no messages of its own ("Invalid input" for everything): its English ones say
// what was expected and what came.
z.config(en());

function pathOf(path: readonly PropertyKey[]): string {
  return path.map(String).join('.') || '(root)';
}

/**
 * One problem per bad field, named by its path: an unknown key by its own path, and a value that
 * matches no branch of a union by what the closest branch found wrong.
 */
function fieldIssues(issue: core.$ZodIssue, parent: readonly PropertyKey[] = []): FieldIssue[] {
  const path = [...parent, ...issue.path];
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({ path: pathOf([...path, key]), message: 'is not a known field' }));
  }
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    // The closest branch is the one whose type matched (its problems lie inside the value), then the
    // one with the fewest problems.
    const distance = (branch: core.$ZodIssue[]) =>
      branch.filter((inner) => inner.path.length === 0).length * 1_000 + branch.length;
    const closest = issue.errors.reduce((best, branch) =>
      distance(branch) < distance(best) ? branch : best,
    );
    if (closest.length > 0) return closest.flatMap((inner) => fieldIssues(inner, path));
  }
  return [{ path: pathOf(path), message: issue.message }];
}

function issuesOf(error: core.$ZodError): FieldIssue[] {
  return error.issues.flatMap((issue) => fieldIssues(issue));
}

/** Parses `value` with `schema` or throws a 400 naming every bad field. */
export function parseWith<S extends core.$ZodType>(schema: S, value: unknown, what: string): core.output<S> {
  const result = z.safeParse(schema, value);
  if (!result.success) {
    throw new ValidationError(`The ${what} is not valid.`, issuesOf(result.error));
  }
  return result.data;
}

/**
 * Reads the JSON body of an API Gateway v2 event: enforces the size limit, the content type and
 * well-formed JSON, then validates with `schema` (strict schemas refuse unknown fields, so a body
 * can never mass-assign an attribute the route does not name).
 */
/** The request body as the client sent it (API Gateway may hand it over base64-encoded). */
export function bodyText(event: APIGatewayProxyEventV2): string {
  const raw = event.body ?? '';
  return event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
}

export function parseJsonBody<S extends core.$ZodType>(
  event: APIGatewayProxyEventV2,
  schema: S,
  maxBytes: number,
): core.output<S> {
  const text = bodyText(event);
  if (Buffer.byteLength(text, 'utf8') > maxBytes) {
    throw new PayloadTooLargeError(`The request body is larger than ${maxBytes} bytes.`);
  }
  if (text.trim() === '') {
    throw new ValidationError('A JSON request body is required.', [], 'body_required');
  }
  const contentType = (event.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (contentType && contentType !== 'application/json' && !contentType.endsWith('+json')) {
    throw new UnsupportedMediaTypeError(
      `Content type ${contentType} is not supported; send application/json.`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ValidationError('The request body is not well-formed JSON.', [], 'malformed_json');
  }
  return parseWith(schema, parsed, 'request body');
}

/** A page size: 1..100, default 25. */
export const limitParam = z._default(
  z.coerce
    .number()
    .check(
      z.gte(1),
      z.lte(100),
      z.refine(Number.isInteger, 'must be a whole number'),
      z.meta({ type: 'integer' }),
    ),
  25,
);

/** An opaque pagination cursor as handed out by a previous page. */
export const cursorParam = z.optional(z.string().check(z.minLength(1), z.maxLength(2048)));

/** For routes that take no query parameters: an unknown one is a 400, not silently ignored. */
export const noQueryParams = z.strictObject({});

/** For routes without path parameters. */
export const noPathParams = z.strictObject({});

/** For operations that take no body: nothing, or an empty JSON object. */
export const noBody = z.strictObject({});
