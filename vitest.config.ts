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
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  CURSOR_SECRET: 'unit-tests-cursor-secret-0123456789abcdef',
  LOCAL_SECRETS_KEY: 'unit-tests-secrets-key-0123456789abcdefgh',
  // As in AWS: the twin allows loopback webhooks, and its settings reach test workers.
  WEBHOOKS_ALLOW_LOOPBACK: 'false',
};

/**
 * The AWS SDK warns once per process that its 2027 releases need Node 22; the project runs on 20
 * and 22 alike, so the test output leaves it out (the twin's handlers run in this process).
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

/** expect.poll waits 1 s by default: a page or a twin on two busy cores takes longer. */
const patientPolls = { poll: { timeout: 15_000, interval: 100 } };

export default defineConfig({
  test: {
    reporters: ['default', 'json'],
    // Two test files at a time even on two cores: the integration files mostly wait on the twin
    // (DynamoDB Local, cognito-local, the handlers in the main process), so a second one overlaps.
    maxWorkers: 2,
    // One line per file: no per-test lines for slow tests (benchmarks measure speed, not tests).
    slowTestThreshold: 600_000,
    outputFile: { json: '.data/test-results.json' },
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          env: unitEnv,
          // Unit tests touch no network; the time is for a busy machine's slow imports.
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/helpers/global-setup.ts'],
          setupFiles: ['test/helpers/twin-env.ts'],
          expect: patientPolls,
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          // Playwright driving Chromium through the console, against the integration suite's twin
          // (which serves the console), after the other projects, when that twin is quiet.
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          globalSetup: ['test/helpers/global-setup.ts'],
          setupFiles: ['test/helpers/twin-env.ts'],
          expect: patientPolls,
          testTimeout: 60_000,
          hookTimeout: 120_000,
          sequence: { groupOrder: 1 },
        },
      },
      {
        test: {
          // Dependencies paused and crashed under load: last, alone on the shared twin, whose
          // children it takes away (npm run test:faults runs it by itself).
          name: 'faults',
          include: ['test/faults/**/*.test.ts'],
          globalSetup: ['test/helpers/global-setup.ts'],
          setupFiles: ['test/helpers/twin-env.ts'],
          expect: patientPolls,
          testTimeout: 180_000,
          hookTimeout: 120_000,
          fileParallelism: false,
          sequence: { groupOrder: 2 },
        },
      },
      {
        test: {
          name: 'infra',
          include: ['test/infra/**/*.test.ts'],
          // One synthesis takes ~3 s idle and ~18 s on two busy cores; its hook is a test's equal.
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
