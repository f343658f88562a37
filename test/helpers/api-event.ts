import type { Context } from 'aws-lambda';
import type { ApiEvent } from '../../shared/http/api-event';

/** An API Gateway v2 event as API Gateway (or the local adapter) hands it to a function. */
export function apiEvent(options: {
  routeKey: string;
  path: string;
  pathParameters?: Record<string, string>;
  headers?: Record<string, string>;
  body?: unknown;
  authorizer?: Record<string, unknown>;
  query?: Record<string, string>;
  /** When API Gateway received it (`timeEpoch`); 0, the handler's "now", if not given. */
  receivedAt?: Date;
}): ApiEvent {
  const [method = 'GET'] = options.routeKey.split(' ');
  return {
    version: '2.0',
    routeKey: options.routeKey,
    rawPath: options.path,
    rawQueryString: '',
    headers: { 'content-type': 'application/json', ...options.headers },
    ...(options.query ? { queryStringParameters: options.query } : {}),
    ...(options.pathParameters ? { pathParameters: options.pathParameters } : {}),
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    isBase64Encoded: false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      // API Gateway's own host: the platform's, which names no tenant.
      domainName: 'abc123.execute-api.us-east-1.amazonaws.com',
      domainPrefix: 'abc123',
      http: {
        method,
        path: options.path,
        protocol: 'HTTP/1.1',
        sourceIp: '203.0.113.9',
        userAgent: 'vitest',
      },
      requestId: 'req-unit-1',
      routeKey: options.routeKey,
      stage: '$default',
      time: '',
      timeEpoch: options.receivedAt?.getTime() ?? 0,
      authorizer: { lambda: options.authorizer ?? {} },
    },
  };
}

export const lambdaContext = {
  awsRequestId: 'aws-req-1',
  functionName: 'unit',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:unit',
  memoryLimitInMB: '512',
  logGroupName: 'unit',
  logStreamName: 'unit',
  callbackWaitsForEmptyEventLoop: false,
  getRemainingTimeInMillis: () => 10_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
} satisfies Context;
