import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Console } from 'node:console';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LOCAL_DEVELOPMENT_ORIGINS } from '../../shared/http/cors';
import { startLocalApiGateway } from './api-gateway';
import { consoleResponder, ensureConsoleBuilt } from './console';
import { keepRequestLog } from './request-log-files';
import { startMetricStore } from './metric-store';
import { configureHostedSignIn, ensureTable, ensureUserPool, type LocalUserPool } from './bootstrap';
import { startCognitoLocal, type CognitoMessage } from './cognito-local';
import { cognitoMessageRelay } from './cognito-mail';
import { startLambdaLocal } from './lambda-local';
import { startDynamoDbLocal } from './dynamodb-local';
import { stablePort, type PortReservation } from './free-port';
import { seedLocalData, type SeedResult } from './seed';
import { startMailDev } from './maildev';
import { startSesLocal } from './ses-local';
import { startLocalExportFiles } from './export-files';
import { startFaultControl } from './fault-control';
import { startMailRelay } from './mail-relay';
import { startStripeLocal } from './stripe-local';
import { startDnsLocal } from './dns-local';
import { LOCAL_IDP_PASSWORD, NORTHWIND_PEOPLE, type LocalPerson } from './northwind';
import { startLocalOidcIdp, type LocalOidcIdp } from './oidc-idp';
import { startLocalSamlIdp, type LocalSamlIdp } from './saml-idp';
import { samlServiceProviderEntityId } from '../../shared/model/sso';

/** The custom message trigger's name in the twin's Lambda stand-in (what cognito-local invokes). */
const CUSTOM_MESSAGE_FUNCTION = 'tenantry-custom-message';
/** The pre-token-generation trigger's (a sign-in through a tenant's identity provider is admitted there). */
const PRE_TOKEN_GENERATION_FUNCTION = 'tenantry-pre-token-generation';

export interface LocalTwinOptions {
  /** Where DynamoDB Local and cognito-local keep data; `persist: false` keeps DynamoDB in memory. */
  dataDir: string;
  persist: boolean;
  apiPort: number;
  /** A reservation of `apiPort` held until the API is about to listen on it (see `reservePort`). */
  apiPortReservation?: PortReservation;
  region?: string;
  tableName?: string;
  logLevel?: string;
  /** Extra runtime settings (e.g. shorter caches in tests). */
  env?: Record<string, string>;
  /** Run the EventBridge schedules on a local timer (npm start does; tests run jobs themselves). */
  runSchedules?: boolean;
  /** Tests only: honour `x-test-clock` as the time a request was received (never for npm start). */
  testClock?: boolean;
  /** Serve the console at `/` of the API's port, built first if its sources changed (default true). */
  console?: boolean;
  /** Keep DynamoDB's data on disk even when nothing else persists (the test twin: a crash loses nothing). */
  durableDatabase?: boolean;
  /**
   * Tests only: a control server that pauses, resumes and crashes the twin's children
   * (`POST /faults/<dynamodb|cognito|maildev|ses>/<pause|resume|crash>`, `GET /faults`).
   */
  faultControl?: boolean;
  /** Told of each child's exit and restart (npm start prints them). */
  onSupervisorEvent?: (line: string) => void;
  /**
   * The functions' logs go to this file, one JSON line each, instead of the terminal (npm start:
   * the terminal shows one line per request, from `onAnswered`).
   */
  functionLogFile?: string;
  /** Told of each request the API answered. */
  onAnswered?: (answered: { method: string; url: string; status: number; ms: number }) => void;
}

/**
 * Sends the functions' structured log (the one Powertools logger they share) to a file: in Lambda
 * it goes to CloudWatch, not to whoever is watching; the twin's terminal keeps one line a request.
 */
async function logFunctionsTo(file: string): Promise<void> {
  mkdirSync(dirname(file), { recursive: true });
  const stream = createWriteStream(file, { flags: 'a' });
  const { logger } = await import('../../shared/observability/logger');
  // Powertools writes through its `console`, made at construction for stdout; the twin swaps it.
  (logger as unknown as { console: Console }).console = new Console({ stdout: stream, stderr: stream });
}

/**
 * The local stand-in for the EventBridge schedules: every minute, each job is run for the current
 * period. A job whose period is done answers from its run record, so this costs one read a minute.
 */
async function startLocalSchedules(): Promise<() => Promise<void>> {
  const { JOB_NAMES } = await import('../../shared/jobs/job-definitions');
  const { runJob, inProcessDispatcher } = await import('../../shared/jobs/job-runner');
  const { processBillingOutbox } = await import('../../shared/billing/billing-outbox');
  const { stripeBilling } = await import('../../shared/billing/stripe-billing');
  const { runOperatorFigures, OPERATOR_FIGURES_JOB } =
    await import('../../shared/operations/operator-figures');
  const { countJobRun, recordOutboxBacklog } = await import('../../shared/observability/metrics');
  let running: Promise<unknown> = Promise.resolve();
  // Each run sends the heartbeat the scheduler sends in AWS (what the \`<job>Late\` alarms watch).
  const beat = <T>(job: string, run: () => Promise<T>) => run().then((result) => (countJobRun(job), result));
  const tick = () => {
    running = running
      .then(() =>
        Promise.all(JOB_NAMES.map((job) => beat(job, () => runJob(job, new Date(), inProcessDispatcher)))),
      )
      .then(() => beat('billing-outbox', () => processBillingOutbox(stripeBilling)))
      .then((run) => recordOutboxBacklog(run.pending, run.oldestSeconds))
      // Every tick rather than every 15 minutes: the twin's figures follow its requests.
      .then(() => beat(OPERATOR_FIGURES_JOB, () => runOperatorFigures(new Date())))
      .catch((error: unknown) =>
        console.error('Local schedule failed:', error instanceof Error ? error.message : error),
      );
  };
  tick();
  // Every 15 s: each job runs once per period whatever the tick, and new tenants get their Stripe
  // customer within seconds.
  const timer = setInterval(tick, 15_000);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}

export interface LocalTwin {
  apiUrl: string;
  dynamoDbEndpoint: string;
  cognitoEndpoint: string;
  /** The SES stand-in: its web inbox, and every email as JSON at `/store`. */
  sesEndpoint: string;
  /** MailDev, which every email SES accepted is relayed to over SMTP (mail-relay.ts): a web inbox and `/api/email`. */
  mailUrl: string;
  /** The Stripe stand-in (Stripe's API, and its own `/_stand-in/` controls). */
  stripeUrl: string;
  /** The stand-in for the exports bucket: tenant exports, through signed links only. */
  exportsUrl: string;
  /** The Lambda stand-in cognito-local invokes the user pool's triggers at (Lambda's Invoke API). */
  lambdaEndpoint: string;
  /** The DNS server the domain verifier asks, and the file of its records (\`npm run dns\`). */
  dns: { server: string; recordsFile: string };
  /** The stand-in for a company's OpenID provider (Northwind Traders), for a tenant's SSO. */
  oidcIdp: Pick<LocalOidcIdp, 'issuer' | 'clientId' | 'clientSecret' | 'people'>;
  /** The stand-in for the same company's SAML 2.0 identity provider (its metadata URL is what a tenant sets). */
  samlIdp: Pick<LocalSamlIdp, 'entityId' | 'metadataUrl'>;
  region: string;
  tableName: string;
  userPool: LocalUserPool;
  seed: SeedResult;
  /** The runtime settings the handlers run with (for `npm run job`). */
  runtimeEnv: Record<string, string>;
  /** The twin's logs: each child process's, and the Cognito emails relayed (cognito-mail.log). */
  logsDir: string;
  /** The twin's stand-in for CloudWatch metrics: the functions' EMF lines and the gateway's, by hour. */
  metricsDir: string;
  /** The fault control server, when asked for (tests). */
  faultControlUrl?: string;
  stop(): Promise<void>;
}

/** The header tests set to choose when the twin says a request was received. */
export const TEST_CLOCK_HEADER = 'x-test-clock';

interface LocalState {
  userPool?: LocalUserPool;
  seed?: SeedResult;
  /** Seals pagination cursors; kept with the data so cursors survive a restart. */
  cursorSecret?: string;
  /** The twin's stand-in for the KMS key of secret settings; kept with the data they encrypt. */
  secretsKey?: string;
  /** The Stripe stand-in's keys, kept with its state. */
  stripe?: { secretKey: string; webhookSecret: string };
  /** Each local service's port, taken again at the next start where it is free. */
  ports?: Partial<ServicePorts>;
}

interface ServicePorts {
  dns: number;
  dynamodb: number;
  cognito: number;
  ses: number;
  stripe: number;
  exports: number;
  smtp: number;
  mailWeb: number;
  lambda: number;
  oidc: number;
  saml: number;
}

/**
 * Starts the local twin: DynamoDB Local, cognito-local, the table and user pool (first start only),
 * the seed data (first start only), and the real handlers behind the local API Gateway adapter.
 * The handlers read their configuration from the environment set here, exactly as in Lambda.
 */
export async function startLocalTwin(options: LocalTwinOptions): Promise<LocalTwin> {
  const region = options.region ?? 'us-east-1';
  const tableName = options.tableName ?? 'tenantry';
  mkdirSync(options.dataDir, { recursive: true });
  const statePath = join(options.dataDir, 'local-state.json');
  const state: LocalState =
    options.persist && existsSync(statePath) ? JSON.parse(readFileSync(statePath, 'utf8')) : {};

  // A persisted twin keeps each service's port across restarts where it can (bookmarks keep working).
  const previous = options.persist ? (state.ports ?? {}) : {};
  // The DNS server's port is a UDP one: it takes the previous one where free (dns-local.ts).
  const dns = await startDnsLocal({
    recordsFile: join(options.dataDir, 'dns-records.json'),
    ...(previous.dns ? { port: previous.dns } : {}),
  });
  const ports: ServicePorts = {
    dns: dns.port,
    dynamodb: await stablePort(previous.dynamodb),
    cognito: await stablePort(previous.cognito),
    ses: await stablePort(previous.ses),
    stripe: await stablePort(previous.stripe),
    exports: await stablePort(previous.exports),
    smtp: await stablePort(previous.smtp),
    mailWeb: await stablePort(previous.mailWeb),
    lambda: await stablePort(previous.lambda),
    oidc: await stablePort(previous.oidc),
    saml: await stablePort(previous.saml),
  };
  const [dynamoPort, cognitoPort, sesPort, stripePort, exportsPort, smtpPort, mailWebPort] = [
    ports.dynamodb,
    ports.cognito,
    ports.ses,
    ports.stripe,
    ports.exports,
    ports.smtp,
    ports.mailWeb,
  ];
  const supervision = {
    supervisorLog: join(options.dataDir, 'logs', 'supervisor.log'),
    ...(options.onSupervisorEvent ? { onEvent: options.onSupervisorEvent } : {}),
  };
  const dynamo = await startDynamoDbLocal({
    port: dynamoPort,
    ...(options.persist || options.durableDatabase ? { dataDir: join(options.dataDir, 'dynamodb') } : {}),
    logFile: join(options.dataDir, 'logs', 'dynamodb-local.log'),
    ...supervision,
  });
  const stops: Array<() => Promise<void>> = [dns.stop, dynamo.stop];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  try {
    // What Cognito emails (an invitation's temporary password) goes, as in AWS, to the inbox: SES
    // relays it to MailDev. cognito-local only writes it out; SES starts after it, hence the late binding.
    let relayCognitoMessage: (message: CognitoMessage) => void = () => undefined;
    // The user pool's triggers, which cognito-local invokes through Lambda's Invoke API as Cognito does.
    const lambda = await startLambdaLocal({
      port: ports.lambda,
      functions: {
        [CUSTOM_MESSAGE_FUNCTION]: 'triggers/custom-message',
        [PRE_TOKEN_GENERATION_FUNCTION]: 'triggers/pre-token-generation',
      },
      logFile: join(options.dataDir, 'logs', 'lambda-local.log'),
    });
    stops.push(lambda.stop);
    const cognito = await startCognitoLocal({
      triggers: {
        lambdaEndpoint: lambda.endpoint,
        functions: {
          CustomMessage: CUSTOM_MESSAGE_FUNCTION,
          PreTokenGeneration: PRE_TOKEN_GENERATION_FUNCTION,
        },
      },
      port: cognitoPort,
      dataDir: join(options.dataDir, 'cognito'),
      region,
      logFile: join(options.dataDir, 'logs', 'cognito-local.log'),
      onMessage: (message) => relayCognitoMessage(message),
      ...supervision,
    });
    stops.push(cognito.stop);
    // A company's identity provider, which a tenant's SSO points at; it answers the user pool's
    // federation endpoint, as a real one answers Cognito's hosted domain.
    // Northwind's one directory, shared by its OpenID and SAML providers.
    const northwind: LocalPerson[] = [...NORTHWIND_PEOPLE];
    const oidcIdp = await startLocalOidcIdp({
      port: ports.oidc,
      redirectUris: [`${cognito.endpoint}/oauth2/idpresponse`],
      people: northwind,
    });
    stops.push(oidcIdp.stop);
    const samlIdp = await startLocalSamlIdp({
      port: ports.saml,
      people: northwind,
      ...(options.persist ? { keyFile: join(options.dataDir, 'saml-idp-key.json') } : {}),
    });
    stops.push(samlIdp.stop);
    const mail = await startMailDev({
      smtpPort,
      webPort: mailWebPort,
      logFile: join(options.dataDir, 'logs', 'maildev.log'),
      ...(options.persist ? { mailDirectory: join(options.dataDir, 'mail') } : {}),
      ...supervision,
    });
    stops.push(mail.stop);
    const ses = await startSesLocal({
      port: sesPort,
      logFile: join(options.dataDir, 'logs', 'ses-local.log'),
      ...supervision,
    });
    stops.push(ses.stop);
    const relay = await startMailRelay({
      sesEndpoint: ses.endpoint,
      smtpPort: mail.smtpPort,
      spoolDir: join(options.dataDir, 'mail-spool'),
      logFile: join(options.dataDir, 'logs', 'mail-relay.log'),
    });
    stops.push(relay.stop);
    relayCognitoMessage = cognitoMessageRelay(
      ses.endpoint,
      region,
      join(options.dataDir, 'logs', 'cognito-mail.log'),
    );
    const stripe = await startStripeLocal({
      port: stripePort,
      ...(options.persist ? { stateFile: join(options.dataDir, 'stripe-local.json') } : {}),
      ...(state.stripe ?? {}),
    });
    stops.push(stripe.stop);
    const exportFiles = await startLocalExportFiles({
      port: exportsPort,
      dir: join(options.dataDir, 'exports'),
    });
    stops.push(exportFiles.stop);

    await ensureTable(dynamo.endpoint, region, tableName);
    const userPool = await ensureUserPool(cognito.endpoint, region, state.userPool);
    const poolChanged = state.userPool?.userPoolId !== userPool.userPoolId;
    const cursorSecret = state.cursorSecret ?? randomBytes(32).toString('base64url');
    const secretsKey = state.secretsKey ?? randomBytes(32).toString('base64url');

    const apiUrl = `http://127.0.0.1:${options.apiPort}`;
    // Federated sign-in comes back to the console the twin serves (and to Vite's, `npm run web:dev`).
    await configureHostedSignIn(cognito.endpoint, region, userPool, [apiUrl, ...LOCAL_DEVELOPMENT_ORIGINS]);
    // The SAML provider has the pool registered as its service provider (the entity id names the pool).
    samlIdp.register({
      entityId: samlServiceProviderEntityId(userPool.userPoolId),
      acsUrl: `${cognito.endpoint}/saml2/idpresponse`,
    });
    const runtimeEnv: Record<string, string> = {
      AWS_REGION: region,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      TABLE_NAME: tableName,
      DYNAMODB_ENDPOINT: dynamo.endpoint,
      COGNITO_ENDPOINT: cognito.endpoint,
      COGNITO_USER_POOL_ID: userPool.userPoolId,
      COGNITO_CLIENT_ID: userPool.clientId,
      // Federated sign-in starts, and identity providers answer, at the user pool's hosted domain:
      // in the twin, cognito-local, which plays those endpoints (cognito-local-server.cjs).
      COGNITO_DOMAIN_URL: cognito.endpoint,
      COGNITO_JWKS_URI: `${cognito.endpoint}/${userPool.userPoolId}/.well-known/jwks.json`,
      SES_ENDPOINT: ses.endpoint,
      STRIPE_API_URL: stripe.url,
      STRIPE_SECRET_KEY: stripe.secretKey,
      STRIPE_WEBHOOK_SECRET: stripe.webhookSecret,
      LOG_LEVEL: options.logLevel ?? 'INFO',
      // Pretty-printed (about 19 lines a request) only where the logs go to the terminal.
      ...(options.functionLogFile ? {} : { POWERTOOLS_DEV: 'true' }),
      // The functions publish their metrics (EMF on stdout), which the twin keeps as CloudWatch would
      // (metric-store.ts): what `npm run alarms` evaluates the stack's alarms on.
      POWERTOOLS_METRICS_DISABLED: 'false',
      CURSOR_SECRET: cursorSecret,
      LOCAL_SECRETS_KEY: secretsKey,
      EXPORTS_LOCAL_DIR: exportFiles.dir,
      EXPORTS_LOCAL_URL: exportFiles.url,
      EXPORTS_LOCAL_SECRET: exportFiles.secret,
      // The twin's webhook endpoints may be on this machine (plain http there); AWS refuses them.
      WEBHOOKS_ALLOW_LOOPBACK: 'true',
      // `<slug>.localhost` names a tenant by host: browsers and curl reach the twin there with no set-up.
      TENANT_BASE_DOMAINS: 'localhost',
      // Custom domains: the verifier asks the twin's DNS server; a verified domain whose CNAME points at
      // \`localhost\` is served by the gateway at once (no certificate: the twin speaks plain http).
      DNS_SERVERS: dns.server,
      CUSTOM_DOMAIN_SERVING: 'local',
      CUSTOM_DOMAIN_TARGET: 'localhost',
      // The console is served by the twin, on the API's port: emails and Stripe's return links point there.
      CONSOLE_URL: apiUrl,
      // The stand-in for the API functions' log groups: the operator figures job reads its cost lines.
      LOCAL_REQUEST_LOG_DIR: join(options.dataDir, 'request-log'),
      ...options.env,
    };
    Object.assign(process.env, runtimeEnv);
    if (options.functionLogFile) await logFunctionsTo(options.functionLogFile);
    const stopRequestLog = keepRequestLog(runtimeEnv.LOCAL_REQUEST_LOG_DIR as string);
    stops.push(stopRequestLog);
    const metricsDir = join(options.dataDir, 'metrics');
    const metricStore = startMetricStore(metricsDir);
    stops.push(() => metricStore.stop());

    const seed =
      state.seed && !poolChanged
        ? state.seed
        : await seedLocalData({ cognitoEndpoint: cognito.endpoint, region, userPoolId: userPool.userPoolId });
    // Platform-admin power needs a record beside the group claim; data from before records existed
    // gets it here too (granting an existing admin changes nothing). The admin is a person of the
    // directory like any other (its email names its id), so that grants by email find them.
    const { grantPlatformAdmin } = await import('../../shared/platform/platform-admins');
    const { claimDirectoryEmail } = await import('../../shared/identity/directory-person');
    await claimDirectoryEmail(seed.platformAdmin.email, seed.platformAdmin.userId);
    await grantPlatformAdmin(
      {
        id: 'system:local-seed',
        meta: { requestId: 'local-seed', sourceIp: '127.0.0.1', userAgent: 'tenantry-local' },
      },
      seed.platformAdmin.userId,
      { email: seed.platformAdmin.email },
    );
    if (options.persist)
      writeFileSync(
        statePath,
        JSON.stringify(
          {
            userPool,
            seed,
            cursorSecret,
            secretsKey,
            stripe: { secretKey: stripe.secretKey, webhookSecret: stripe.webhookSecret },
            ports,
          },
          null,
          2,
        ),
      );

    const allowedOrigins = (process.env.CORS_ALLOWED_ORIGINS ?? LOCAL_DEVELOPMENT_ORIGINS.join(','))
      .split(',')
      .map((origin) => origin.trim())
      .filter(Boolean);
    // The jobs queue's stand-in for exports: the worker's code, in this process.
    const { exportQueue } = await import('../../shared/exports/export-dispatch');
    const { processExportTask } = await import('../../shared/jobs/tenant-job-worker');
    exportQueue.runInProcess(processExportTask);
    // EventBridge's stand-in: the events' consumers (email), in this process.
    const { consumeEventsInProcess } = await import('../../shared/events/publish');
    const { consumeEvent } = await import('../../shared/jobs/event-consumer');
    consumeEventsInProcess(consumeEvent);
    // The webhook deliveries queue's stand-in: the delivery worker, on timers in this process.
    const { deliveryQueue } = await import('../../shared/webhooks/webhook-dispatch');
    const { deliverWebhook } = await import('../../shared/webhooks/webhook-delivery');
    deliveryQueue.runInProcess((task) => deliverWebhook(task));
    if (options.console !== false) await ensureConsoleBuilt((line) => console.log(line));
    await options.apiPortReservation?.release();
    const api = await startLocalApiGateway({
      port: options.apiPort,
      allowedOrigins,
      ...(options.testClock ? { testClockHeader: TEST_CLOCK_HEADER } : {}),
      onAnswered: (answered) => {
        metricStore.recordGatewayRequest(answered);
        options.onAnswered?.(answered);
      },
      ...(options.console !== false
        ? {
            console: consoleResponder({
              apiUrl: '',
              cognito: {
                region,
                userPoolId: userPool.userPoolId,
                clientId: userPool.clientId,
                endpoint: cognito.endpoint,
              },
            }),
          }
        : {}),
    });
    stops.push(api.stop);
    stripe.setWebhookUrl(`${api.url}/v1/stripe/webhook`);
    // Stripe sells what the plan data says (what `npm run stripe:setup` does against Stripe).
    const { ensureStripeCatalog } = await import('../../shared/billing/catalog-setup');
    await ensureStripeCatalog();
    if (options.runSchedules) stops.push(await startLocalSchedules());
    let faultControlUrl: string | undefined;
    if (options.faultControl) {
      const control = await startFaultControl({
        dynamodb: dynamo.process,
        cognito: cognito.process,
        maildev: mail.process,
        ses: ses.process,
        dns: dns.control,
      });
      stops.push(control.stop);
      faultControlUrl = control.url;
    }
    return {
      ...(faultControlUrl ? { faultControlUrl } : {}),
      apiUrl: api.url,
      dynamoDbEndpoint: dynamo.endpoint,
      cognitoEndpoint: cognito.endpoint,
      sesEndpoint: ses.endpoint,
      mailUrl: mail.webUrl,
      stripeUrl: stripe.url,
      exportsUrl: exportFiles.url,
      lambdaEndpoint: lambda.endpoint,
      dns: { server: dns.server, recordsFile: dns.recordsFile },
      oidcIdp: {
        issuer: oidcIdp.issuer,
        clientId: oidcIdp.clientId,
        clientSecret: oidcIdp.clientSecret,
        people: oidcIdp.people,
      },
      samlIdp: { entityId: samlIdp.entityId, metadataUrl: samlIdp.metadataUrl },
      region,
      tableName,
      userPool,
      seed,
      runtimeEnv,
      logsDir: join(options.dataDir, 'logs'),
      metricsDir,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

function printWelcome(twin: LocalTwin, dataDir: string): void {
  const { seed } = twin;
  const token = (email: string) => `npm run --silent token -- ${email} '${seed.platformAdmin.password}'`;
  console.log(`
Tenantry local twin is up.

  console        ${twin.apiUrl}/   (sign in with a seeded account below)
  API            ${twin.apiUrl}   (reference: ${twin.apiUrl}/docs)
  DynamoDB Local ${twin.dynamoDbEndpoint}   (table ${twin.tableName})
  cognito-local  ${twin.cognitoEndpoint}   (pool ${twin.userPool.userPoolId}, client ${twin.userPool.clientId})
  mail inbox     ${twin.mailUrl}   (MailDev: every email the API sent, through SES and SMTP)
  SES            ${twin.sesEndpoint}   (aws-ses-v2-local, SES's API; each email relayed to MailDev, retried until it takes it)
  Stripe         ${twin.stripeUrl}   (the Stripe stand-in; checkout pages have a Pay button)
  exports        ${twin.exportsUrl}   (tenant exports, downloaded through the signed links the API gives)
  DNS            ${twin.dns.server}   (what the custom-domain verifier asks; add records with npm run dns -- add TXT <name> <value>)
  Lambda         ${twin.lambdaEndpoint}   (the user pool's triggers, invoked by cognito-local as Cognito invokes them)
  OpenID (SSO)   ${twin.oidcIdp.issuer}   (Northwind Traders' identity provider; client ${twin.oidcIdp.clientId} / ${twin.oidcIdp.clientSecret}, password ${LOCAL_IDP_PASSWORD})
  SAML (SSO)     ${twin.samlIdp.metadataUrl}   (the same company's SAML provider: its metadata URL, the same people and password)
  data and logs  ${dataDir}   (the functions' log: ${join(dataDir, 'logs', 'functions.log')})

Seeded accounts (password ${seed.platformAdmin.password}):
  platform admin  ${seed.platformAdmin.email}
  demo owner      ${seed.demoTenant.owner.email}   tenant ${seed.demoTenant.id} (${seed.demoTenant.slug})

Try it:
  TOKEN=$(${token(seed.demoTenant.owner.email)})
  curl -s ${twin.apiUrl}/v1/tenants/current -H "Authorization: Bearer $TOKEN"
  curl -s ${twin.apiUrl}/v1/tenants/${seed.demoTenant.id}/users -H "Authorization: Bearer $TOKEN"

Ctrl-C stops everything; the next npm start reuses the data and, where they are free, the ports.
Each request the API answers is a line below: time, status, method, path, duration.
`);
}

/**
 * What `npm start` starts, in one place: the benchmark of the seeds' load runs the same twin
 * (`test/bench/twin-worker.ts`), so it measures what users run. `print` gets the terminal's lines.
 */
export function npmStartOptions(
  dataDir: string,
  apiPort: number,
  print: (line: string) => void,
): LocalTwinOptions {
  return {
    dataDir,
    persist: true,
    apiPort,
    runSchedules: true,
    onSupervisorEvent: print,
    functionLogFile: join(dataDir, 'logs', 'functions.log'),
    // \`LOG_LEVEL=DEBUG npm start\`: the functions' debug lines, in the log file.
    ...(process.env.LOG_LEVEL ? { logLevel: process.env.LOG_LEVEL } : {}),
    onAnswered: ({ method, url, status, ms }) =>
      print(`${new Date().toISOString().slice(11, 19)}  ${status}  ${method} ${url}  ${Math.round(ms)} ms`),
  };
}

async function main(): Promise<void> {
  const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
  const dataDir = process.env.TENANTRY_DATA_DIR ?? join(root, '.data');
  const apiPort = Number(process.env.PORT ?? 3000);
  const twin = await startLocalTwin(npmStartOptions(dataDir, apiPort, (line) => console.log(line)));
  writeFileSync(
    join(dataDir, 'endpoints.json'),
    JSON.stringify(
      {
        apiUrl: twin.apiUrl,
        cognitoEndpoint: twin.cognitoEndpoint,
        region: twin.region,
        clientId: twin.userPool.clientId,
        userPoolId: twin.userPool.userPoolId,
        runtimeEnv: twin.runtimeEnv,
      },
      null,
      2,
    ),
  );
  printWelcome(twin, dataDir);
  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    console.log('\nStopping the local twin: no new requests, the ones in flight are finished first…');
    await twin.stop();
    process.exit(0);
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
