import { describe, expect, it } from 'vitest';
import { callSignal, outsideDeadline, RESERVE_MS, runWithinDeadline } from '../../../shared/data/call-budget';
import { ServiceUnavailableError } from '../../../shared/errors';

describe('the invocation time budget of dependency calls', () => {
  it('aborts a call when what the invocation has left runs out, less the reserve for answering', async () => {
    await runWithinDeadline(RESERVE_MS + 200, async () => {
      const signal = callSignal();
      expect(signal?.aborted).toBe(false);
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(signal?.aborted).toBe(true);
    });
  });

  it('refuses to start a call with no time left: a 503 with Retry-After', async () => {
    await runWithinDeadline(RESERVE_MS, async () => {
      let refusal: unknown;
      try {
        callSignal(Date.now() + 1);
      } catch (error) {
        refusal = error;
      }
      expect(refusal).toBeInstanceOf(ServiceUnavailableError);
      expect((refusal as ServiceUnavailableError).headers).toMatchObject({ 'Retry-After': '5' });
    });
  });

  it('bounds nothing outside an invocation, or in work the invocation started to run on its own', async () => {
    expect(callSignal()).toBeUndefined();
    await runWithinDeadline(5_000, async () => {
      // Positive control: inside, a signal.
      expect(callSignal()).toBeDefined();
      expect(outsideDeadline(() => callSignal())).toBeUndefined();
    });
  });
});
