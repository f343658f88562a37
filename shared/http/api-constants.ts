/** How long API Gateway caches an authorizer answer per Authorization header (CDK and local twin). */
export const AUTHORIZER_CACHE_TTL_SECONDS = 300;

/** API Gateway's own payload limit for HTTP APIs. */
export const API_GATEWAY_MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;

/** Every API function's timeout: its dependency calls are budgeted to end within it (CDK and twin). */
export const FUNCTION_TIMEOUT_SECONDS = 10;

/** API Gateway's integration timeout for HTTP APIs: past it the caller gets the gateway's own 503. */
export const INTEGRATION_TIMEOUT_SECONDS = 30;
