/** How long API Gateway caches an authorizer answer per Authorization header (CDK and local twin). */
export const AUTHORIZER_CACHE_TTL_SECONDS = 300;

/** API Gateway's own payload limit for HTTP APIs. */
export const API_GATEWAY_MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;
