import { randomUUID } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import type {
  APIGatewayProxyStructuredResultV2,
  APIGatewayRequestAuthorizerEventV2,
  Context,
} from 'aws-lambda';
import { ROUTES } from '../../shared/api/manifest';
import { CORS_POLICY } from '../../shared/http/cors';
import {
  API_GATEWAY_MAX_PAYLOAD_BYTES,
  AUTHORIZER_CACHE_TTL_SECONDS,
  FUNCTION_TIMEOUT_SECONDS,
  INTEGRATION_TIMEOUT_SECONDS,
} from '../../shared/http/api-constants';
import { routeKey, type FunctionName, type RouteDefinition } from '../../shared/http/route';
import type { ApiEvent } from '../../shared/http/api-event';
import { lambdaContext, loadEntry } from './lambda-context';
import type { FrontMessage, GatewayRequest, GatewayResponse, MainMessage } from './gateway-front-protocol';

type LambdaHandler<E, R> = (event: E, context: Context) => Promise<R>;
type ApiHandler = LambdaHandler<ApiEvent, APIGatewayProxyStructuredResultV2>;
type AuthorizerHandler = LambdaHandler<
  APIGatewayRequestAuthorizerEventV2,
  { isAuthorized: boolean; context?: Record<string, unknown> }
>;

interface CompiledRoute {
  route: RouteDefinition;
  pattern: RegExp;
  params: string[];
}

function compile(route: RouteDefinition): CompiledRoute {
  const params: string[] = [];
  const source = route.path
    .split('/')
    .map((segment) => {
      const param = /^\{(\w+)\}$/.exec(segment);
      if (!param?.[1]) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      params.push(param[1]);
      return '([^/]+)';
    })
    .join('/');
  return { route, pattern: new RegExp(`^${source}$`), params };
}

/** Literal segments win over parameters, as in API Gateway (`/v1/tenants/current` before `{tenantId}`). */
function specificity(route: RouteDefinition): number {
  return route.path.split('/').filter((segment) => !segment.startsWith('{')).length;
}

function gatewayError(
  status: number,
  message: string,
  requestId: string,
  cors: Record<string, string> = {},
): GatewayResponse {
  return {
    status,
    headers: { 'content-type': 'application/json', 'apigw-requestid': requestId, ...cors },
    body: JSON.stringify({ message }),
  };
}

/** The headers API Gateway adds to an answer for an allowed origin (none for any other origin). */
function corsHeaders(origin: string | undefined, allowedOrigins: readonly string[]): Record<string, string> {
  if (!origin || !allowedOrigins.includes(origin)) return {};
  return {
    'access-control-allow-origin': origin,
    'access-control-expose-headers': CORS_POLICY.exposeHeaders.join(','),
    vary: 'origin',
  };
}

/**
 * API Gateway's answer to a CORS preflight (OPTIONS with Origin and Access-Control-Request-Method),
 * given before any route or authorizer: 204, with the policy's headers for an allowed origin.
 */
function preflight(origin: string, allowedOrigins: readonly string[], requestId: string): GatewayResponse {
  const headers: Record<string, string> = { 'apigw-requestid': requestId };
  if (allowedOrigins.includes(origin)) {
    Object.assign(headers, {
      'access-control-allow-origin': origin,
      'access-control-allow-methods': CORS_POLICY.allowMethods.join(','),
      'access-control-allow-headers': CORS_POLICY.allowHeaders.join(','),
      'access-control-max-age': String(CORS_POLICY.maxAgeSeconds),
      vary: 'origin',
    });
  }
  return { status: 204, headers };
}

/** API Gateway's `$default` route: whatever matches no route goes to the docs function, unauthorized. */
const DEFAULT_ROUTE = { function: 'docs', auth: 'public', method: 'ANY', routeKey: '$default' } as const;

export interface LocalApiGateway {
  url: string;
  stop(): Promise<void>;
}

/**
 * A small stand-in for API Gateway (HTTP API, payload 2.0) built from the route manifest: it matches
 * the route, runs the real authorizer handler (its answer cached per Authorization header), and
 * calls the real function handler with the event API Gateway would send, authorizer context in
 * `requestContext.authorizer.lambda`. Gateway-level refusals answer as API Gateway does. Connections
 * are accepted and read by a front thread (`gateway-front.ts`), the handlers run on this one.
 */
export async function startLocalApiGateway(options: {
  port: number;
  host?: string;
  /** Origins a browser may call from (CORS); the twin answers preflights as API Gateway does. */
  allowedOrigins?: readonly string[];
  /**
   * Tests only: a request header whose ISO time the twin stamps as the request's `timeEpoch`, the
   * time API Gateway received it, so tests choose the minute and the month instead of the wall clock.
   */
  testClockHeader?: string;
  /**
   * The console's stand-in for CloudFront on this port: GET and HEAD of any path outside the API
   * (`/v1/…`, `/docs…`) that no route matches (infra/local/console.ts).
   */
  console?: (method: string, pathname: string) => GatewayResponse | undefined;
  /** Told of each answered request (npm start prints one line for each). */
  onAnswered?: (answered: { method: string; url: string; status: number; ms: number }) => void;
}): Promise<LocalApiGateway> {
  const allowedOrigins = options.allowedOrigins ?? [];
  const compiled = [...ROUTES].sort((a, b) => specificity(b) - specificity(a)).map(compile);
  const handlers = new Map<string, Promise<ApiHandler>>();
  const loadHandler = (fn: FunctionName) => {
    let handler = handlers.get(fn);
    if (!handler) {
      handler = loadEntry<ApiHandler>(fn).then((m) => m.handler);
      handlers.set(fn, handler);
    }
    return handler;
  };
  const authorizer = loadEntry<AuthorizerHandler>('authorizer').then((m) => m.handler);
  // Every function is loaded before the twin answers: its first requests would otherwise wait for
  // the TypeScript of a whole function to be compiled (seconds), a cost Lambda's bundles do not have.
  await Promise.all([authorizer, ...[...new Set(ROUTES.map((route) => route.function))].map(loadHandler)]);
  const authorizerCache = new Map<
    string,
    {
      expiresAt: number;
      answer: { isAuthorized: boolean; context?: Record<string, unknown> } | 'unauthorized';
    }
  >();

  async function authorize(
    header: string,
    requestId: string,
    route: RouteDefinition,
    req: GatewayRequest,
    url: URL,
  ) {
    const cached = authorizerCache.get(header);
    if (cached && cached.expiresAt > Date.now()) return cached.answer;
    const event: APIGatewayRequestAuthorizerEventV2 = {
      version: '2.0',
      type: 'REQUEST',
      routeArn: `arn:aws:execute-api:local:000000000000:local/$default/${route.method}${url.pathname}`,
      identitySource: [header],
      routeKey: routeKey(route),
      rawPath: url.pathname,
      rawQueryString: url.search.slice(1),
      cookies: [],
      headers: { authorization: header },
      queryStringParameters: {},
      requestContext: {
        accountId: '000000000000',
        apiId: 'local',
        domainName: String(req.headers.host ?? 'localhost'),
        domainPrefix: 'local',
        http: {
          method: route.method,
          path: url.pathname,
          protocol: 'HTTP/1.1',
          sourceIp: req.remoteAddress ?? '127.0.0.1',
          userAgent: String(req.headers['user-agent'] ?? ''),
        },
        requestId,
        routeKey: routeKey(route),
        stage: '$default',
        time: new Date().toUTCString(),
        timeEpoch: Date.now(),
      },
      pathParameters: {},
      stageVariables: {},
    };
    let answer: { isAuthorized: boolean; context?: Record<string, unknown> } | 'unauthorized';
    try {
      answer = await (
        await authorizer
      )(event, lambdaContext('tenantry-authorizer', requestId, FUNCTION_TIMEOUT_SECONDS));
    } catch (error) {
      if (error instanceof Error && error.message === 'Unauthorized') answer = 'unauthorized';
      else throw error;
    }
    authorizerCache.set(header, { expiresAt: Date.now() + AUTHORIZER_CACHE_TTL_SECONDS * 1000, answer });
    return answer;
  }

  async function handle(req: GatewayRequest): Promise<GatewayResponse> {
    const requestId = randomUUID();
    const url = new URL(req.url, 'http://localhost');
    const method = req.method.toUpperCase();
    const origin = req.headers.origin;
    if (method === 'OPTIONS' && origin && req.headers['access-control-request-method']) {
      return preflight(origin, allowedOrigins, requestId);
    }
    const cors = corsHeaders(origin, allowedOrigins);
    const match = compiled
      .filter((c) => c.route.method === method)
      .map((c) => ({ c, m: c.pattern.exec(url.pathname) }))
      .find((x) => x.m !== null);
    if (!match && options.console) {
      const page = options.console(method, url.pathname);
      if (page) return { ...page, headers: { ...page.headers, 'apigw-requestid': requestId } };
    }
    const route = match?.c.route ?? DEFAULT_ROUTE;
    const params = match?.c.params ?? [];
    const key = match ? routeKey(match.c.route) : DEFAULT_ROUTE.routeKey;
    if (req.body === 'too-large') return gatewayError(413, 'Request Entity Too Large', requestId, cors);
    const body = Buffer.from(req.body.buffer, req.body.byteOffset, req.body.byteLength);

    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
    }
    const clock = options.testClockHeader ? headers[options.testClockHeader] : undefined;
    if (options.testClockHeader) delete headers[options.testClockHeader];
    const receivedAt = clock && Number.isFinite(Date.parse(clock)) ? Date.parse(clock) : Date.now();
    let authorizerContext: Record<string, unknown> | undefined;
    if (route.auth !== 'public') {
      const header = headers.authorization;
      if (!header) return gatewayError(401, 'Unauthorized', requestId, cors);
      let answer;
      try {
        answer = await authorize(header, requestId, route, req, url);
      } catch {
        return gatewayError(500, 'Internal Server Error', requestId, cors);
      }
      if (answer === 'unauthorized') return gatewayError(401, 'Unauthorized', requestId, cors);
      if (!answer.isAuthorized) return gatewayError(403, 'Forbidden', requestId, cors);
      authorizerContext = answer.context ?? {};
    }

    const pathParameters: Record<string, string> = {};
    params.forEach((name, index) => {
      const raw = match?.m?.[index + 1] ?? '';
      try {
        pathParameters[name] = decodeURIComponent(raw);
      } catch {
        pathParameters[name] = raw;
      }
    });
    const queryStringParameters: Record<string, string> = {};
    for (const [name, value] of url.searchParams) {
      queryStringParameters[name] = queryStringParameters[name]
        ? `${queryStringParameters[name]},${value}`
        : value;
    }
    const isText =
      body.length === 0 ||
      /json|text|xml|form-urlencoded/.test(headers['content-type'] ?? 'application/json');
    const event: ApiEvent = {
      version: '2.0',
      routeKey: key,
      rawPath: url.pathname,
      rawQueryString: url.search.slice(1),
      headers,
      ...(Object.keys(queryStringParameters).length ? { queryStringParameters } : {}),
      ...(params.length ? { pathParameters } : {}),
      requestContext: {
        accountId: '000000000000',
        apiId: 'local',
        domainName: headers.host ?? 'localhost',
        domainPrefix: 'local',
        http: {
          method,
          path: url.pathname,
          protocol: 'HTTP/1.1',
          sourceIp: req.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1',
          userAgent: headers['user-agent'] ?? '',
        },
        requestId,
        routeKey: key,
        stage: '$default',
        time: new Date(receivedAt).toUTCString(),
        timeEpoch: receivedAt,
        authorizer: { lambda: authorizerContext ?? {} },
      },
      ...(body.length ? { body: isText ? body.toString('utf8') : body.toString('base64') } : {}),
      isBase64Encoded: !isText,
    };
    let result: APIGatewayProxyStructuredResultV2 | 'timeout';
    let integrationTimer: NodeJS.Timeout | undefined;
    try {
      const handler = await loadHandler(route.function);
      // API Gateway waits for its integration 30 s at most, then answers on its own.
      const timedOut = new Promise<'timeout'>((resolve) => {
        integrationTimer = setTimeout(() => resolve('timeout'), INTEGRATION_TIMEOUT_SECONDS * 1000);
      });
      result = await Promise.race([
        handler(event, lambdaContext(`tenantry-${route.function}`, requestId, FUNCTION_TIMEOUT_SECONDS)),
        timedOut,
      ]);
    } catch {
      return gatewayError(500, 'Internal Server Error', requestId, cors);
    } finally {
      clearTimeout(integrationTimer);
    }
    if (result === 'timeout') return gatewayError(503, 'Service Unavailable', requestId, cors);
    const responseHeaders: Record<string, string> = { 'apigw-requestid': requestId };
    for (const [name, value] of Object.entries(result.headers ?? {})) responseHeaders[name] = String(value);
    Object.assign(responseHeaders, cors);
    return {
      status: result.statusCode ?? 200,
      headers: responseHeaders,
      ...(result.body
        ? { body: result.isBase64Encoded ? new Uint8Array(Buffer.from(result.body, 'base64')) : result.body }
        : {}),
    };
  }

  const host = options.host ?? '127.0.0.1';
  const front = new Worker(new URL('./gateway-front.boot.mjs', import.meta.url), {
    workerData: { port: options.port, host, maxPayloadBytes: API_GATEWAY_MAX_PAYLOAD_BYTES },
  });
  const send = (message: MainMessage) => front.postMessage(message);
  let stopped: (() => void) | undefined;
  const port = await new Promise<number>((resolve, reject) => {
    front.once('error', reject);
    front.on('message', (message: FrontMessage) => {
      if (message.type === 'listening') resolve(message.port);
      else if (message.type === 'failed')
        reject(new Error(`The local API could not listen: ${message.message}`));
      else if (message.type === 'stopped') stopped?.();
      else if (message.type === 'request') {
        const { request } = message;
        const started = performance.now();
        handle(request)
          .catch(() => gatewayError(500, 'Internal Server Error', 'unknown'))
          .then((answer) => {
            send({ type: 'response', id: request.id, ...answer });
            const ms = performance.now() - started;
            options.onAnswered?.({ method: request.method, url: request.url, status: answer.status, ms });
          });
      }
    });
  });
  return {
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`,
    stop: async () => {
      await new Promise<void>((resolve) => {
        stopped = resolve;
        send({ type: 'stop' });
      });
      await front.terminate();
    },
  };
}
