import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startLocalTwin } from '../../infra/local/start';
import { reservePort } from '../../infra/local/free-port';

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
  metricsDir: string;
  /** Pauses, resumes and crashes the twin's children (the fault suite). */
  faultControlUrl: string;
  /** The twin's DNS server's zone (infra/local/dns-local.ts): tests add records to it. */
  dnsRecordsFile: string;
  /** The stand-in OpenID provider (infra/local/oidc-idp.ts) and its client for the user pool. */
  oidcIdp: { issuer: string; clientId: string; clientSecret: string };
  /** The stand-in SAML provider (infra/local/saml-idp.ts), the pool registered at it. */
  samlIdp: { entityId: string; metadataUrl: string };
}

declare module 'vitest' {
  export interface ProvidedContext {
    twin: TwinInfo;
  }
}

interface SharedTwin {
  info: TwinInfo;
  users: number;
  stop(): Promise<void>;
}

/** The process's one twin: its handlers read their configuration from this process's environment. */
const shared = globalThis as typeof globalThis & { tenantryTestTwin?: Promise<SharedTwin> };

async function startTestTwin(): Promise<SharedTwin> {
  // In memory where the machine has a tmpfs: cognito-local rewrites its whole store (hundreds of KB
  // by the end of the suite) after every sign-in, and on disk those writes queued its output,
  // an invitation's temporary password among it, minutes behind.
  const dataDir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'tenantry-it-'));
  const signupLimitPerHour = 3;
  const apiPort = await reservePort();
  const twin = await startLocalTwin({
    dataDir,
    persist: false,
    apiPort: apiPort.port,
    apiPortReservation: apiPort,
    logLevel: (process.env.TENANTRY_TEST_LOG_LEVEL as 'SILENT' | undefined) ?? 'SILENT',
    testClock: true,
    // On disk (in memory where /dev/shm is): a crashed DynamoDB Local comes back with its data.
    durableDatabase: true,
    faultControl: true,
    env: {
      SIGNUP_LIMIT_PER_IP_PER_HOUR: String(signupLimitPerHour),
      // Webhook retries in tenths of a second, and endpoints disabled after 4 failures in a row.
      WEBHOOK_RETRY_DELAYS_SECONDS: '0.1,0.1,0.1,0.1,0.1',
      WEBHOOK_DISABLE_AFTER_FAILURES: '4',
    },
  });
  return {
    users: 0,
    info: {
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
      metricsDir: twin.metricsDir,
      faultControlUrl: twin.faultControlUrl ?? '',
      dnsRecordsFile: twin.dns.recordsFile,
      oidcIdp: {
        issuer: twin.oidcIdp.issuer,
        clientId: twin.oidcIdp.clientId,
        clientSecret: twin.oidcIdp.clientSecret,
      },
      samlIdp: twin.samlIdp,
    },
    stop: async () => {
      await twin.stop();
      // TENANTRY_KEEP_TWIN_DATA=1 keeps the twin's data and logs for a look after the run.
      if (process.env.TENANTRY_KEEP_TWIN_DATA) console.log(`Twin data and logs kept in ${dataDir}`);
      else rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * One local twin (DynamoDB in memory, cognito-local in a temp dir, the console served at `/`) for
 * the projects that need one, integration and browser, shared: a second twin in this process would
 * overwrite the first one's environment, which the handlers of both read. Stopped after the last.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  shared.tenantryTestTwin ??= startTestTwin();
  const twin = await shared.tenantryTestTwin;
  twin.users += 1;
  project.provide('twin', twin.info);
  return async () => {
    twin.users -= 1;
    if (twin.users > 0) return;
    shared.tenantryTestTwin = undefined;
    await twin.stop();
  };
}
