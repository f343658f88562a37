import { defineConfig } from 'vitest/config';

/**
 * Settings the unit tests run with. Endpoints point at a closed port, so a call that escaped its mock
 * fails loudly; they are set explicitly because the integration project's global setup puts the
 * twin's settings in this process's environment, which test workers inherit.
 */
const unitEnv = {
  DYNAMODB_ENDPOINT: 'http://127.0.0.1:9',
  COGNITO_ENDPOINT: 'http://127.0.0.1:9',
  COGNITO_JWKS_URI: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_unit/.well-known/jwks.json',
  POWERTOOLS_DEV: 'false',
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'unit',
  AWS_SECRET_ACCESS_KEY: 'unit',
  TABLE_NAME: 'tenantry-unit',
  COGNITO_USER_POOL_ID: 'us-east-1_unit',
  COGNITO_CLIENT_ID: 'unit-client',
  LOG_LEVEL: 'SILENT',
  POWERTOOLS_METRICS_DISABLED: 'true',
  CURSOR_SECRET: 'unit-tests-cursor-secret-0123456789abcdef',
};

export default defineConfig({
  test: {
    reporters: ['default', 'json'],
    outputFile: { json: '.data/test-results.json' },
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          env: unitEnv,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/helpers/global-setup.ts'],
          setupFiles: ['test/helpers/twin-env.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'infra',
          include: ['test/infra/**/*.test.ts'],
          testTimeout: 120_000,
        },
      },
    ],
  },
});
