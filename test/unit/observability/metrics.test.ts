import { afterEach, describe, expect, it, vi } from 'vitest';
import { apiEvent, lambdaContext } from '../../helpers/api-event';

/** What the code under test writes to stdout, line by line (EMF metrics are written there). */
function captureStdout(): string[] {
  const lines: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(...String(chunk).split('\n'));
    return true;
  });
  return lines;
}

/** The EMF entries (CloudWatch's embedded metric format) among lines written to stdout. */
function emfEntries(lines: string[]): Array<Record<string, unknown>> {
  return lines.flatMap((line) => {
    try {
      const entry = JSON.parse(line) as Record<string, unknown>;
      return '_aws' in entry ? [entry] : [];
    } catch {
      return [];
    }
  });
}

describe('metrics', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
    vi.resetModules();
  });

  it('emits an EMF line counting a problem response by its code', async () => {
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
    vi.resetModules();
    const lines = captureStdout();
    const { handler } = await import('../../../functions/tenants/handler');
    const result = await handler(
      apiEvent({ routeKey: 'GET /v1/tenants/current', path: '/v1/tenants/current' }),
      lambdaContext,
    );
    expect(result.statusCode).toBe(401);
    const emf = emfEntries(lines).find((entry) => entry.code === 'unauthorized');
    expect(emf).toMatchObject({ code: 'unauthorized', ProblemResponses: 1, service: 'tenantry' });
  });

  it("publishes a request's stored metrics, and writes nothing when it stored none", async () => {
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
    vi.resetModules();
    const written: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const { metricsMiddleware } = await import('../../../shared/http/middleware/metrics');
    const { countMeteredRequest } = await import('../../../shared/observability/metrics');
    const after = metricsMiddleware().after as () => Promise<void>;

    await after();
    expect(written.join('')).toBe('');
    expect(warn).not.toHaveBeenCalled();

    countMeteredRequest();
    await after();
    expect(written.join('')).toContain('"MeteredRequests":1');
  });

  it('counts each credential the authorizer refuses by its kind, and none it accepts', async () => {
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
    vi.resetModules();
    const { DynamoDBClient, GetItemCommand } = await import('@aws-sdk/client-dynamodb');
    const { mockClient } = await import('aws-sdk-client-mock');
    const { newApiKeySecret } = await import('../../../shared/api-keys/key-secret');
    const dynamo = mockClient(DynamoDBClient);
    const lines = captureStdout();
    const { handler } = await import('../../../functions/authorizer/handler');
    const event = (authorization?: string) =>
      ({ headers: authorization ? { authorization } : {}, identitySource: [] }) as never;
    const refused = () =>
      emfEntries(lines)
        .filter((entry) => entry.RefusedCredentials === 1)
        .map((entry) => entry.credential);

    await expect(handler(event())).rejects.toThrow('Unauthorized');
    await expect(handler(event('Bearer not-a-token'))).rejects.toThrow('Unauthorized');
    await expect(handler(event('Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.'))).rejects.toThrow(
      'Unauthorized',
    );
    expect(refused()).toEqual(['missing', 'malformed', 'idToken']);

    // The rightful key is accepted and counts nothing.
    const secret = newApiKeySecret();
    dynamo.on(GetItemCommand).resolves({
      Item: {
        tenantId: { S: 'ten_01J00000000000000000000000' },
        keyId: { S: 'key_01J00000000000000000000000' },
      },
    });
    await expect(handler(event(`Bearer ${secret}`))).resolves.toMatchObject({ isAuthorized: true });
    expect(refused()).toHaveLength(3);
    dynamo.restore();
  });

  it('the billing outbox counts each run and reports its backlog, even an empty one', async () => {
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
    vi.resetModules();
    const { DynamoDBDocumentClient, QueryCommand } = await import('@aws-sdk/lib-dynamodb');
    const { mockClient } = await import('aws-sdk-client-mock');
    const dynamo = mockClient(DynamoDBDocumentClient);
    dynamo.on(QueryCommand).resolves({ Items: [] });
    const lines = captureStdout();
    const { handler } = await import('../../../functions/jobs/billing-outbox');
    await expect(handler()).resolves.toMatchObject({ pending: 0, oldestSeconds: 0 });
    const entries = emfEntries(lines);
    expect(entries).toContainEqual(
      expect.objectContaining({ job: 'billing-outbox', JobRuns: 1, service: 'tenantry' }),
    );
    expect(entries).toContainEqual(expect.objectContaining({ BillingOutboxPending: 0 }));
    expect(entries).toContainEqual(expect.objectContaining({ BillingOutboxOldestSeconds: 0 }));
    dynamo.restore();
  });
});
