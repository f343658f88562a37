import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterEach, describe, expect, it, vi } from 'vitest';

async function tracedModule() {
  vi.resetModules();
  return import('../../../shared/observability/tracer');
}

const instrumented = (client: DynamoDBClient) =>
  client.middlewareStack.identify().some((entry) => entry.startsWith('XRaySDKInstrumentation'));

describe('traced AWS SDK clients (Powertools Tracer)', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('adds X-Ray subsegments to a client’s calls in Lambda', async () => {
    vi.stubEnv('AWS_EXECUTION_ENV', 'AWS_Lambda_nodejs22.x');
    vi.stubEnv('POWERTOOLS_TRACE_ENABLED', 'true');
    const { traced, tracer } = await tracedModule();
    expect(tracer.isTracingEnabled()).toBe(true);
    expect(instrumented(traced(new DynamoDBClient({ region: 'us-east-1' })))).toBe(true);
  });

  it('leaves the client as it was outside Lambda (the twin, the tests)', async () => {
    vi.stubEnv('AWS_EXECUTION_ENV', '');
    const { traced, tracer } = await tracedModule();
    expect(tracer.isTracingEnabled()).toBe(false);
    expect(instrumented(traced(new DynamoDBClient({ region: 'us-east-1' })))).toBe(false);
  });
});
