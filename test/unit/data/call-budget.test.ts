import { describe, expect, it } from 'vitest';
import {
  currentTenantContext,
  runWithTenantContext,
  type TenantContext,
} from '../../../shared/context/tenant-context';
import { callSignal, outsideRequest, RESERVE_MS, runWithinDeadline } from '../../../shared/data/call-budget';
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
      expect(outsideRequest(() => callSignal())).toBeUndefined();
    });
  });
});

describe('work a request starts but that is not its own (outsideRequest)', () => {
  it('runs in no tenant context: it sets its own, as it would in an invocation of its own', async () => {
    const ctx = { tenantId: 'ten_01AAAAAAAAAAAAAAAAAAAAAAAA' } as TenantContext;
    await runWithTenantContext(ctx, async () => {
      // Positive control: inside the request, its tenant.
      expect(currentTenantContext()?.tenantId).toBe(ctx.tenantId);
      expect(outsideRequest(() => currentTenantContext())).toBeUndefined();
    });
  });
});
