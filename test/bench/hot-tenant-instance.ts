export {};

/**
 * One "Lambda instance" of the hot-tenant benchmark: meters one tenant's requests one at a time
 * (as an instance serves them) until the time is up, and reports what it admitted and refused.
 */
const tenantId = process.env.BENCH_TENANT ?? '';
const durationMs = Number(process.env.BENCH_DURATION_MS ?? 5000);
const ceiling = Number(process.env.BENCH_CEILING ?? 0);
const { meterRequest } = await import('../../shared/quotas/request-metering');
const { runWithTenantContext } = await import('../../shared/context/tenant-context');
const { ownerContext } = await import('../helpers/tenant-context');
const ctx = ownerContext(tenantId, 'usr_bench', 'enterprise', { requestsPerMinute: null, apiCalls: ceiling });
let admitted = 0;
let refused = 0;
let errors = 0;
const started = Date.now();
await runWithTenantContext(ctx, async () => {
  while (Date.now() - started < durationMs) {
    try {
      await meterRequest(ctx);
      admitted += 1;
    } catch (error) {
      if ((error as { code?: string }).code === 'quota_exceeded') {
        refused += 1;
        if (refused > 50) break;
      } else {
        errors += 1;
      }
    }
  }
});
process.send?.({ admitted, refused, errors, seconds: (Date.now() - started) / 1000 });
