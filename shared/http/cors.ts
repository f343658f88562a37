/**
 * The CORS policy of the HTTP API, read by the CDK stack (API Gateway answers preflights) and the
 * local twin (which answers them the same way). The allowed origins are configuration: CDK context
 * `corsAllowedOrigins` in AWS, `CORS_ALLOWED_ORIGINS` for the twin.
 */
export const CORS_POLICY = {
  allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
  allowHeaders: ['authorization', 'content-type', 'idempotency-key', 'x-tenant-id'],
  exposeHeaders: [
    'ratelimit-policy',
    'ratelimit',
    'ratelimit-limit',
    'ratelimit-remaining',
    'ratelimit-reset',
    'retry-after',
    'idempotent-replayed',
    'x-export-count',
    'x-export-truncated',
    'tenant-resolved-by',
  ],
  maxAgeSeconds: 600,
} as const;

/** The origins a browser may call the API from while developing locally (Vite's defaults). */
export const LOCAL_DEVELOPMENT_ORIGINS = ['http://localhost:5173', 'http://127.0.0.1:5173'];
