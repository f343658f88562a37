import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fork } from 'node:child_process';
import { Agent, request as httpRequest } from 'node:http';
import { fileURLToPath } from 'node:url';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { reservePort } from '../../infra/local/free-port';
import { LOCAL_PASSWORD, setPermanentPassword } from '../../infra/local/seed';
import { signIn } from '../../infra/local/sign-in';
import { npmStartOptions, startLocalTwin, type LocalTwin } from '../../infra/local/start';

/** Where a running twin answers, and its platform admin (all a benchmark client needs). */
export interface TwinEndpoints {
  apiUrl: string;
  /** Several copies of the API (as several Lambda instances); requests go round them in turn. */
  apiUrls?: string[];
  cognitoEndpoint: string;
  dynamoDbEndpoint: string;
  region: string;
  tableName: string;
  userPoolId: string;
  clientId: string;
  admin: { email: string; password: string };
}

/** The few calls a benchmark needs against a running twin. */
export interface BenchClient {
  endpoints: TwinEndpoints;
  call(
    method: string,
    path: string,
    options?: { token?: string; body?: unknown; headers?: Record<string, string> },
  ): Promise<{ status: number; body: Record<string, unknown>; ms: number }>;
  adminToken(): Promise<string>;
  /** A tenant made by the platform admin, its owner signed in. */
  createTenant(plan: string): Promise<{ id: string; token: string; ownerId: string; email: string }>;
  /** A new sign-in of a person the benchmark made (the bench password). */
  signInAs(email: string): Promise<string>;
}

/** A twin of the benchmark's own (in memory, quiet), with a client. */
export interface BenchTwin extends BenchClient {
  twin: LocalTwin;
  stop(): Promise<void>;
}

export function benchClient(endpoints: TwinEndpoints): BenchClient {
  const cognito = new CognitoIdentityProviderClient({
    endpoint: endpoints.cognitoEndpoint,
    region: endpoints.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const signInAs = (email: string, password = LOCAL_PASSWORD) =>
    signIn({
      cognitoEndpoint: endpoints.cognitoEndpoint,
      region: endpoints.region,
      clientId: endpoints.clientId,
      email,
      password,
    });
  let admin: Promise<string> | undefined;

  const apis = (endpoints.apiUrls ?? [endpoints.apiUrl]).map((url) => new URL(url));
  let turn = 0;
  // A plain keep-alive agent with no cap on sockets: the client must not be what is measured.
  const agent = new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });
  const call: BenchClient['call'] = async (method, path, options = {}) => {
    const started = performance.now();
    const payload = options.body !== undefined ? JSON.stringify(options.body) : undefined;
    const api = apis[turn++ % apis.length] as URL;
    const send = () =>
      new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = httpRequest(
          {
            host: api.hostname,
            port: api.port,
            path,
            method,
            agent,
            headers: {
              ...options.headers,
              ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
              ...(payload !== undefined
                ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }
                : {}),
            },
          },
          (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => (text += chunk));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
          },
        );
        // A kept-alive socket the server closed as idle just as it was reused: Node's documented
        // case for sending again (the server never read the request).
        req.on('error', (error: NodeJS.ErrnoException) =>
          reject(
            req.reusedSocket && error.code === 'ECONNRESET' ? Object.assign(error, { retry: true }) : error,
          ),
        );
        req.end(payload);
      });
    const response = await send().catch((error: { retry?: boolean }) => {
      if (error.retry) return send();
      throw error;
    });
    const text = response.text;
    const ms = performance.now() - started;
    let body: Record<string, unknown> = {};
    try {
      body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      body = { raw: text };
    }
    return { status: response.status, body, ms };
  };

  const adminToken = () => (admin ??= signInAs(endpoints.admin.email, endpoints.admin.password));

  const createTenant: BenchClient['createTenant'] = async (plan) => {
    const tag = randomBytes(5).toString('hex');
    const email = `owner-${tag}@bench.test`;
    const created = await call('POST', '/v1/tenants', {
      token: await adminToken(),
      body: { name: `Bench ${tag}`, slug: `bench-${tag}`, owner: { email }, plan },
    });
    if (created.status !== 201) throw new Error(`tenant: ${created.status} ${JSON.stringify(created.body)}`);
    await setPermanentPassword(cognito, endpoints.userPoolId, email, LOCAL_PASSWORD);
    const token = await signInAs(email);
    const made = created.body as { tenant: { id: string }; owner: { id: string } };
    return { id: made.tenant.id, token, ownerId: made.owner.id, email };
  };

  return { endpoints, call, adminToken, createTenant, signInAs: (email) => signInAs(email) };
}

/**
 * The benchmarks' twin. `asNpmStart`: exactly what `npm start` starts (data on disk, the schedules,
 * the console, a line per request, the functions' log to a file), in a data directory of its own;
 * otherwise a lean one (DynamoDB in memory, no logs) for the benchmarks that count calls, not time.
 * Both allow any number of signups from one address (the benchmark's).
 */
export async function startBenchTwin(options: { asNpmStart?: boolean } = {}): Promise<BenchTwin> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const dataDir = mkdtempSync(join(tmpdir(), 'tenantry-bench-twin-'));
  const reservation = await reservePort();
  const apiPort = reservation.port;
  const env = { SIGNUP_LIMIT_PER_IP_PER_HOUR: '100000' };
  const twin = await startLocalTwin(
    options.asNpmStart
      ? {
          ...npmStartOptions(dataDir, apiPort, (line) => console.log(line)),
          env,
          apiPortReservation: reservation,
        }
      : {
          dataDir,
          persist: false,
          apiPort,
          apiPortReservation: reservation,
          logLevel: 'SILENT',
          env,
          console: false,
        },
  );
  const client = benchClient({
    apiUrl: twin.apiUrl,
    cognitoEndpoint: twin.cognitoEndpoint,
    dynamoDbEndpoint: twin.dynamoDbEndpoint,
    region: twin.region,
    tableName: twin.tableName,
    userPoolId: twin.userPool.userPoolId,
    clientId: twin.userPool.clientId,
    admin: twin.seed.platformAdmin,
  });
  return {
    ...client,
    twin,
    stop: async () => {
      await twin.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * A twin in a process of its own (`twin-worker.ts`), so that the load generator and the twin's
 * handlers do not share one event loop; `onFinished` hears each request's time in its function.
 */
export async function startBenchTwinInWorker(
  onFinished: (request: { routeId: string; durationMs: number }) => void,
): Promise<BenchClient & { stop(): Promise<void> }> {
  const child = fork(fileURLToPath(new URL('./twin-worker.ts', import.meta.url)), {
    // BENCH_CPU_PROFILE=<dir>: the twin's threads write V8 CPU profiles there when it stops.
    execArgv: [
      '--import',
      'tsx',
      ...(process.env.BENCH_CPU_PROFILE
        ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROFILE}`]
        : []),
    ],
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    // The twin prints a line per request as npm start does: written (its cost is measured), not shown.
    silent: true,
  });
  child.stdout?.resume();
  child.stderr?.pipe(process.stderr);
  const endpoints = await new Promise<TwinEndpoints>((resolve, reject) => {
    child.on(
      'message',
      (message: { type: string; twin?: TwinEndpoints; routeId?: string; durationMs?: number }) => {
        if (message.type === 'ready' && message.twin) resolve(message.twin);
        if (message.type === 'finished')
          onFinished({ routeId: message.routeId ?? '', durationMs: message.durationMs ?? 0 });
      },
    );
    child.once('exit', (code) => reject(new Error(`the twin process exited (${code})`)));
  });
  return {
    ...benchClient(endpoints),
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.send({ type: 'stop' });
      }),
  };
}

/** The p-th percentile (0–100) of `values`, by nearest rank. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

/** A fixed-width table, for benchmarks that print figures. */
export function printTable(headers: string[], rows: Array<Array<string | number>>): void {
  const cells = [headers, ...rows.map((row) => row.map(String))];
  const widths = headers.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? '').length)));
  for (const row of cells) console.log(row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  '));
}
