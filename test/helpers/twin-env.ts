import { inject } from 'vitest';

/**
 * Points this test worker's runtime configuration at the twin, so integration tests can also call
 * services directly (with injected time) against the same DynamoDB Local and cognito-local.
 */
const twin = inject('twin');
Object.assign(process.env, {
  AWS_REGION: twin.region,
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  TABLE_NAME: twin.tableName,
  DYNAMODB_ENDPOINT: twin.dynamoDbEndpoint,
  COGNITO_ENDPOINT: twin.cognitoEndpoint,
  COGNITO_USER_POOL_ID: twin.userPoolId,
  COGNITO_CLIENT_ID: twin.clientId,
  COGNITO_JWKS_URI: `${twin.cognitoEndpoint}/${twin.userPoolId}/.well-known/jwks.json`,
  LOG_LEVEL: 'SILENT',
  // Services a test calls in its own worker publish no metrics (EMF lines in the test output); the
  // twin's handlers, in the main process, publish theirs to its metric store.
  POWERTOOLS_METRICS_DISABLED: 'true',
  CURSOR_SECRET: twin.runtimeEnv.CURSOR_SECRET,
  LOCAL_SECRETS_KEY: twin.runtimeEnv.LOCAL_SECRETS_KEY,
  SES_ENDPOINT: twin.runtimeEnv.SES_ENDPOINT,
  STRIPE_API_URL: twin.runtimeEnv.STRIPE_API_URL,
  STRIPE_SECRET_KEY: twin.runtimeEnv.STRIPE_SECRET_KEY,
  STRIPE_WEBHOOK_SECRET: twin.runtimeEnv.STRIPE_WEBHOOK_SECRET,
  LOCAL_REQUEST_LOG_DIR: twin.runtimeEnv.LOCAL_REQUEST_LOG_DIR,
  TENANT_BASE_DOMAINS: twin.runtimeEnv.TENANT_BASE_DOMAINS,
  DNS_SERVERS: twin.runtimeEnv.DNS_SERVERS,
  CUSTOM_DOMAIN_SERVING: twin.runtimeEnv.CUSTOM_DOMAIN_SERVING,
  CUSTOM_DOMAIN_TARGET: twin.runtimeEnv.CUSTOM_DOMAIN_TARGET,
});
