import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startLocalTwin } from '../../infra/local/start';
import { freePort } from '../../infra/local/free-port';

export interface TwinInfo {
  apiUrl: string;
  dynamoDbEndpoint: string;
  cognitoEndpoint: string;
  sesEndpoint: string;
  mailUrl: string;
  exportsUrl: string;
  stripeUrl: string;
  region: string;
  tableName: string;
  userPoolId: string;
  clientId: string;
  platformAdmin: { email: string; password: string; userId: string };
  signupLimitPerHour: number;
  runtimeEnv: Record<string, string>;
  logsDir: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    twin: TwinInfo;
  }
}

/**
 * Starts one local twin (DynamoDB in memory, cognito-local in a temp dir) for a project's run: the
 * integration suite's, and the browser suite's (which serves the console).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tenantry-it-'));
  const signupLimitPerHour = 3;
  const twin = await startLocalTwin({
    dataDir,
    persist: false,
    apiPort: await freePort(),
    logLevel: 'SILENT',
    testClock: true,
    // Only the browser suite's twin serves (and so builds) the console.
    console: project.name === 'browser',
    env: {
      SIGNUP_LIMIT_PER_IP_PER_HOUR: String(signupLimitPerHour),
      // Webhook retries in tenths of a second, and endpoints disabled after 4 failures in a row.
      WEBHOOK_RETRY_DELAYS_SECONDS: '0.1,0.1,0.1,0.1,0.1',
      WEBHOOK_DISABLE_AFTER_FAILURES: '4',
    },
  });
  project.provide('twin', {
    apiUrl: twin.apiUrl,
    dynamoDbEndpoint: twin.dynamoDbEndpoint,
    cognitoEndpoint: twin.cognitoEndpoint,
    sesEndpoint: twin.sesEndpoint,
    mailUrl: twin.mailUrl,
    exportsUrl: twin.exportsUrl,
    stripeUrl: twin.stripeUrl,
    region: twin.region,
    tableName: twin.tableName,
    userPoolId: twin.userPool.userPoolId,
    clientId: twin.userPool.clientId,
    platformAdmin: twin.seed.platformAdmin,
    signupLimitPerHour,
    runtimeEnv: twin.runtimeEnv,
    logsDir: twin.logsDir,
  });
  return async () => {
    await twin.stop();
    // TENANTRY_KEEP_TWIN_DATA=1 keeps the twin's data and logs for a look after the run.
    if (process.env.TENANTRY_KEEP_TWIN_DATA) console.log(`Twin data and logs kept in ${dataDir}`);
    else rmSync(dataDir, { recursive: true, force: true });
  };
}
