import { describe, expect, it } from 'vitest';
import { sdkLogger } from '../../../shared/observability/sdk-logger';

describe('the logger given to AWS SDK clients', () => {
  it('has no info or error, so the SDK builds no masked copy of each request and response', () => {
    expect('info' in sdkLogger).toBe(false);
    expect('error' in sdkLogger).toBe(false);
    // What the SDK calls unconditionally is there.
    expect(typeof sdkLogger.debug).toBe('function');
    expect(typeof sdkLogger.warn).toBe('function');
    expect(() => sdkLogger.warn('a warning')).not.toThrow();
  });
});
