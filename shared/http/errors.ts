/**
 * Typed errors. Services throw these; one middleware ({@link ./error-handler}) turns them into
 * RFC 9457 problem+json. `code` is stable and documented: clients branch on it, not on `detail`.
 */
export abstract class AppError extends Error {
  abstract readonly statusCode: number;
  abstract readonly code: string;
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
    return this.name.replace(/Error$/, '').replace(/([a-z])([A-Z])/g, '$1 $2');
  }
}

export interface FieldIssue {
  path: string;
  message: string;
}

export class ValidationError extends AppError {
  readonly statusCode = 400;
  readonly code: string;
  constructor(message: string, issues: FieldIssue[] = [], code = 'validation_failed') {
    super(message, issues.length ? { errors: issues } : {});
    this.code = code;
  }
}

export class UnauthorizedError extends AppError {
  readonly statusCode = 401;
  readonly code = 'unauthorized';
}

export class ForbiddenError extends AppError {
  readonly statusCode = 403;
  readonly code: string;
  constructor(message: string, code = 'forbidden', extensions: Record<string, unknown> = {}) {
    super(message, extensions);
    this.code = code;
  }
}

export class NotFoundError extends AppError {
  readonly statusCode = 404;
  readonly code: string;
  constructor(message: string, code = 'not_found') {
    super(message);
    this.code = code;
  }
}

export class MethodNotAllowedError extends AppError {
  readonly statusCode = 405;
  readonly code = 'method_not_allowed';
}

export class ConflictError extends AppError {
  readonly statusCode = 409;
  readonly code: string;
  constructor(message: string, code = 'conflict') {
    super(message);
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

export class TooManyRequestsError extends AppError {
  readonly statusCode = 429;
  readonly code: string;
  constructor(
    message: string,
    retryAfterSeconds: number,
    code = 'rate_limited',
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

/** A dependency (Cognito, DynamoDB) failed in a way the caller may retry. */
export class ServiceUnavailableError extends AppError {
  readonly statusCode = 503;
  readonly code = 'service_unavailable';
}
