import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { tracer } from '../../../shared/observability/tracer';
import { tracerWillTrace } from '../../../shared/config';

const require = createRequire(import.meta.url);

describe('the X-Ray SDK’s mode', () => {
  it('is manual where Tracer traces nothing: no async hook on every promise', () => {
    const xray = require('aws-xray-sdk-core') as { isAutomaticMode(): boolean };
    expect(tracer.isTracingEnabled()).toBe(false);
    expect(xray.isAutomaticMode()).toBe(false);
  });

  it('is left automatic where Tracer traces: Lambda with tracing on (the positive control)', () => {
    expect(tracerWillTrace({ AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x' })).toBe(true);
    expect(
      tracerWillTrace({ AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x', POWERTOOLS_TRACE_ENABLED: 'false' }),
    ).toBe(false);
    expect(tracerWillTrace({ AWS_EXECUTION_ENV: 'AWS_Lambda_amplify-mock' })).toBe(false);
    expect(tracerWillTrace({ AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x', AWS_SAM_LOCAL: 'true' })).toBe(
      false,
    );
    expect(tracerWillTrace({})).toBe(false);
  });
});
