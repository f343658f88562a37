import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { PROBLEM_CODES } from '../../shared/problem-catalogue';
import { call, createTenant, twin, type TestTenant } from '../helpers/twin-api';

const committed = JSON.parse(
  readFileSync(join(import.meta.dirname, '..', '..', 'shared', 'api', 'openapi.json'), 'utf8'),
) as unknown;

/** What a client meets at the edges: the documentation, unknown routes, the gateway, CORS, headers. */
describe('the edges of the API', () => {
  let tenant: TestTenant;

  beforeAll(async () => {
    tenant = await createTenant();
  });

  describe('documentation', () => {
    it('serves the committed OpenAPI document at /v1/openapi.json, without a token', async () => {
      const response = await call('GET', '/v1/openapi.json');
      expect(response.status).toBe(200);
      expect(response.body).toEqual(committed);
    });

    it('serves the reference page with its own scripts and styles (no CDN)', async () => {
      const page = await call('GET', '/docs');
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toContain('text/html');
      const sources = [...page.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1] ?? '');
      expect(sources.length).toBeGreaterThan(0);
      expect(sources.every((source) => source.startsWith('/'))).toBe(true);
      const script = await call('GET', '/docs/assets/swagger-ui-bundle.js');
      expect(script.status).toBe(200);
      expect(script.headers.get('content-type')).toContain('javascript');
      expect(script.text).toContain('SwaggerUIBundle');
      const styles = await call('GET', '/docs/assets/swagger-ui.css');
      expect(styles.headers.get('content-type')).toContain('text/css');
    });

    it('serves only the reference page’s own files', async () => {
      const response = await call('GET', '/docs/assets/..%2F..%2Fpackage.json');
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ code: 'validation_failed' });
    });

    it('has a section for every problem code, and a problem’s type leads to its section', async () => {
      const page = await call('GET', '/docs/problems');
      expect(page.status).toBe(200);
      for (const code of PROBLEM_CODES) expect(page.text).toContain(`<section id="${code}">`);
      const problem = await call<{ type: string; code: string }>(
        'GET',
        `/v1/tenants/${tenant.id}/agents/agt_01AAAAAAAAAAAAAAAAAAAAAAAA`,
        {
          token: tenant.owner.token,
        },
      );
      expect(problem.body.code).toBe('agent_not_found');
      const [pagePath, anchor] = problem.body.type.split('#');
      expect(pagePath).toBe('/docs/problems');
      expect(page.text).toContain(`<section id="${anchor}">`);
    });
  });

  describe('unknown routes', () => {
    it('answers an unknown path with a problem+json 404', async () => {
      const response = await call('GET', '/v1/nothing-here', { token: tenant.owner.token });
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect(response.body).toMatchObject({ code: 'route_not_found', status: 404 });
    });

    it('answers a known path with another method with a 405 naming the allowed ones', async () => {
      const response = await call('DELETE', `/v1/tenants/${tenant.id}/quotas`, { token: tenant.owner.token });
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('GET');
      expect(response.body).toMatchObject({ code: 'method_not_allowed' });
    });
  });

  describe('the gateway’s own answers', () => {
    it('answers a missing token exactly as API Gateway does', async () => {
      const response = await call('GET', '/v1/tenants/current');
      expect(response.status).toBe(401);
      expect(response.headers.get('content-type')).toBe('application/json');
      expect(response.text).toBe('{"message":"Unauthorized"}');
    });

    it('answers a refused token exactly as API Gateway does', async () => {
      const response = await call('GET', '/v1/tenants/current', { token: 'a.b.c' });
      expect(response.status).toBe(401);
      expect(response.text).toBe('{"message":"Unauthorized"}');
    });

    it('answers a body past its 10 MB payload limit with its own 413; a body within it reaches the function', async () => {
      const limit = 10 * 1024 * 1024;
      const over = await call('POST', '/v1/tenants/signup', {
        rawBody: 'x'.repeat(limit + 1),
        headers: { 'content-type': 'application/json' },
      });
      expect(over.status).toBe(413);
      expect(over.text).toBe('{"message":"Request Entity Too Large"}');
      // Positive control: one byte less passes the gateway; the function refuses it with its problem.
      const within = await call('POST', '/v1/tenants/signup', {
        rawBody: 'x'.repeat(limit),
        headers: { 'content-type': 'application/json' },
      });
      expect(within.status).toBe(413);
      expect(within.headers.get('content-type')).toContain('application/problem+json');
      expect(within.body).toMatchObject({ code: 'payload_too_large' });
    });
  });

  describe('headers', () => {
    it('marks authenticated answers not to be stored or sniffed', async () => {
      const response = await call('GET', '/v1/tenants/current', { token: tenant.owner.token });
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    });

    it('lets the public documentation be cached briefly (and still not sniffed)', async () => {
      const response = await call('GET', '/v1/openapi.json');
      expect(response.headers.get('cache-control')).toBe('public, max-age=300');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    });

    it('marks problem answers the same way', async () => {
      const response = await call('GET', `/v1/tenants/${tenant.id}/runs/run_01AAAAAAAAAAAAAAAAAAAAAAAA`, {
        token: tenant.owner.token,
      });
      expect(response.status).toBe(404);
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    });
  });

  describe('CORS', () => {
    const allowed = 'http://localhost:5173';

    async function preflight(origin: string) {
      return fetch(`${twin.apiUrl}/v1/tenants/current`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'GET',
          'access-control-request-headers': 'authorization,x-tenant-id',
        },
      });
    }

    it('answers a preflight from an allowed origin with the policy', async () => {
      const response = await preflight(allowed);
      expect(response.status).toBe(204);
      expect(response.headers.get('access-control-allow-origin')).toBe(allowed);
      expect(response.headers.get('access-control-allow-headers')).toContain('authorization');
      expect(response.headers.get('access-control-allow-headers')).toContain('x-tenant-id');
      expect(response.headers.get('access-control-allow-methods')).toContain('PATCH');
    });

    it('gives a preflight from any other origin no CORS headers', async () => {
      const response = await preflight('https://evil.example');
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
    });

    it('lets an allowed origin read the answer and its rate-limit headers', async () => {
      const response = await call('GET', '/v1/tenants/current', {
        token: tenant.owner.token,
        headers: { origin: allowed },
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('access-control-allow-origin')).toBe(allowed);
      expect(response.headers.get('access-control-expose-headers')).toContain('ratelimit-remaining');
    });

    it('does not let another origin read it', async () => {
      const response = await call('GET', '/v1/tenants/current', {
        token: tenant.owner.token,
        headers: { origin: 'https://evil.example' },
      });
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
    });
  });

  it('refuses a query parameter the route does not name, naming it (a known one is the positive control)', async () => {
    const unknown = await call('GET', `/v1/tenants/${tenant.id}/agents?limt=5`, {
      token: tenant.owner.token,
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({
      code: 'validation_failed',
      errors: [{ path: 'limt', message: 'is not a known field' }],
    });
    const known = await call('GET', `/v1/tenants/${tenant.id}/agents?limit=5`, { token: tenant.owner.token });
    expect(known.status).toBe(200);
  });
});
