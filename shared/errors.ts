import { PROBLEMS, type ProblemCode, type ProblemCodeFor } from './problem-catalogue';

/**
 * Typed errors. Services throw these; one middleware turns them into RFC 9457 problem+json. `code`
 * is stable and documented (`problem-catalogue.ts`): clients branch on it, not on `detail`.
 */

/** An error a service or middleware throws on purpose; anything else answering is a bug (500). */
export abstract class AppError extends Error {
  abstract readonly statusCode: number;
  abstract readonly code: ProblemCode;
  /** Extra members placed in the problem body (never secrets, never stack traces). */
  readonly extensions: Record<string, unknown>;
  /** Headers the response must carry (e.g. `Retry-After`). */
  readonly headers: Record<string, string>;

  constructor(
    message: string,
    extensions: Record<string, unknown> = {},
    headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = new.target.name;
    this.extensions = extensions;
    this.headers = headers;
  }

  get title(): string {
    return PROBLEMS[this.code].title;
  }
}

export interface FieldIssue {
  path: string;
  message: string;
}

export class ValidationError extends AppError {
  readonly statusCode = 400;
  readonly code: ProblemCodeFor<400>;
  constructor(message: string, issues: FieldIssue[] = [], code: ProblemCodeFor<400> = 'validation_failed') {
    super(message, issues.length ? { errors: issues } : {});
    this.code = code;
  }
}

export class UnauthorizedError extends AppError {
  readonly statusCode = 401;
  readonly code: ProblemCodeFor<401>;
  constructor(message: string, code: ProblemCodeFor<401> = 'unauthorized') {
    super(message);
    this.code = code;
  }
}

export class ForbiddenError extends AppError {
  readonly statusCode = 403;
  readonly code: ProblemCodeFor<403>;
  constructor(
    message: string,
    code: ProblemCodeFor<403> = 'forbidden',
    extensions: Record<string, unknown> = {},
  ) {
    super(message, extensions);
    this.code = code;
  }
}

export class NotFoundError extends AppError {
  readonly statusCode = 404;
  readonly code: ProblemCodeFor<404>;
  constructor(message: string, code: ProblemCodeFor<404> = 'not_found') {
    super(message);
    this.code = code;
  }
}

export class MethodNotAllowedError extends AppError {
  readonly statusCode = 405;
  readonly code = 'method_not_allowed';
  constructor(message: string, allowed: readonly string[]) {
    super(message, { allowed }, { Allow: allowed.join(', ') });
  }
}

export class ConflictError extends AppError {
  readonly statusCode = 409;
  readonly code: ProblemCodeFor<409>;
  constructor(
    message: string,
    code: ProblemCodeFor<409> = 'concurrent_modification',
    extensions: Record<string, unknown> = {},
  ) {
    super(message, extensions);
    this.code = code;
  }
}

export class PayloadTooLargeError extends AppError {
  readonly statusCode = 413;
  readonly code = 'payload_too_large';
}

export class UnsupportedMediaTypeError extends AppError {
  readonly statusCode = 415;
  readonly code = 'unsupported_media_type';
}

export class UnprocessableError extends AppError {
  readonly statusCode = 422;
  readonly code: ProblemCodeFor<422>;
  constructor(message: string, code: ProblemCodeFor<422>) {
    super(message);
    this.code = code;
  }
}

export class TooManyRequestsError extends AppError {
  readonly statusCode = 429;
  readonly code: ProblemCodeFor<429>;
  constructor(
    message: string,
    retryAfterSeconds: number,
    code: ProblemCodeFor<429> = 'rate_limited',
    extensions: Record<string, unknown> = {},
    headers: Record<string, string> = {},
  ) {
    super(
      message,
      { ...extensions, retryAfterSeconds },
      { ...headers, 'Retry-After': String(retryAfterSeconds) },
    );
    this.code = code;
  }
}

/** How long a client should wait before retrying a request a dependency could not serve. */
export const DEPENDENCY_RETRY_AFTER_SECONDS = 5;

/**
 * A dependency (DynamoDB, Cognito, Stripe, SES) failed in a way the caller may retry: a 503 with
 * `Retry-After`. Its message is ours and generic; what the dependency said stays in `cause`, for
 * the log, never for the client.
 */
export class ServiceUnavailableError extends AppError {
  readonly statusCode = 503;
  readonly code = 'service_unavailable';
  constructor(message: string, options: { cause?: unknown; retryAfterSeconds?: number } = {}) {
    const retryAfter = options.retryAfterSeconds ?? DEPENDENCY_RETRY_AFTER_SECONDS;
    super(message, { retryAfterSeconds: retryAfter }, { 'Retry-After': String(retryAfter) });
    if (options.cause !== undefined) this.cause = options.cause;
  }
}

/** A list's time filter with `from` after `to` is a 400 `invalid_range` (ISO timestamps). */
export function assertTimeRange(from: string | undefined, to: string | undefined): void {
  if (from && to && Date.parse(from) > Date.parse(to)) {
    throw new ValidationError(
      '`from` is after `to`.',
      [{ path: 'from', message: 'after to' }],
      'invalid_range',
    );
  }
}
