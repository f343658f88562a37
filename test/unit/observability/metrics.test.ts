import { afterEach, describe, expect, it, vi } from 'vitest';
import { apiEvent, lambdaContext } from '../../helpers/api-event';

describe('metrics', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
    vi.resetModules();
  });

  it('emits an EMF line counting a problem response by its code', async () => {
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
    vi.resetModules();
    const lines: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(...String(chunk).split('\n'));
      return true;
    });
    const { handler } = await import('../../../functions/tenants/handler');
    const result = await handler(
      apiEvent({ routeKey: 'GET /v1/tenants/current', path: '/v1/tenants/current' }),
      lambdaContext,
    );
    expect(result.statusCode).toBe(401);
    const emf = lines
      .map((line) => {
        try {
          return JSON.parse(line) as Record<string, unknown>;
        } catch {
          return {};
        }
      })
      .find((entry) => '_aws' in entry && entry.code === 'unauthorized');
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
});
