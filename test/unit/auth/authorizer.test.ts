import type { APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { handler } from '../../../functions/authorizer/handler';

const eventWith = (authorization: string | undefined) =>
  ({
    version: '2.0',
    type: 'REQUEST',
    routeArn: 'arn',
    identitySource: authorization ? [authorization] : [],
    routeKey: 'GET /v1/tenants/current',
    rawPath: '/v1/tenants/current',
    rawQueryString: '',
    headers: authorization ? { authorization } : {},
    requestContext: {},
  }) as unknown as APIGatewayRequestAuthorizerEventV2;

describe('the authorizer', () => {
  it.each([
    ['no header', undefined],
    ['a non-bearer scheme', 'Basic dXNlcjpwYXNz'],
    ['a bearer that is not a JWT', 'Bearer not-a-token'],
    ['a JWT that does not verify', 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.'],
  ])('throws Unauthorized (API Gateway: 401) for %s', async (_what, header) => {
    await expect(handler(eventWith(header))).rejects.toThrow('Unauthorized');
  });
});
