import { beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod/v4/core';
import { PLANS } from '../../shared/model/plans';
import { ROUTES } from '../../shared/api/manifest';
import { isMutation, type RouteDefinition } from '../../shared/http/route';
import { isScimPath } from '../../shared/http/problem';
import { badCases, withBadField, type JsonSchema } from '../helpers/bad-values';
import { pathFor, sampleBody } from '../helpers/route-samples';
import {
  adminToken,
  call,
  createResources,
  createTenant,
  unique,
  type ApiResponse,
  type TestTenant,
} from '../helpers/twin-api';

const BAD_IDS = [
  'x',
  'ten_short',
  '..%2F..%2Fetc',
  'a'.repeat(300),
  '%E0%A4%A',
  'usr_01AAAAAAAAAAAAAAAAAAAAAAAA',
];
const BAD_BODIES = [
  '{',
  '[]',
  '"text"',
  'null',
  '{"unknown":true}',
  JSON.stringify({ name: 7, model: [], role: 'god', plan: 'x' }),
];

/** Every route of the manifest, fed bad ids, bad bodies and bad query strings: a 4xx, never a 500. */
describe('bad input across the manifest', () => {
  let tenant: TestTenant;
  let ids: { agentId: string; runId: string; memoryId: string; keyId: string };
  let admin: string;

  beforeAll(async () => {
    tenant = await createTenant();
    ids = await createResources(tenant);
    admin = await adminToken();
  });

  for (const route of ROUTES) {
    it(`${route.id} answers bad ids, bodies and queries with a 4xx`, async () => {
      const token = route.auth === 'platform' ? admin : tenant.owner.token;
      const good = { tenantId: tenant.id, userId: tenant.owner.id, ...ids };
      const statuses: number[] = [];
      const params = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as keyof typeof good);
      for (const param of params.filter((name) => name !== 'tenantId')) {
        // A well-formed user id is bad for every parameter but a user id.
        for (const bad of BAD_IDS.filter((id) => !(param === 'userId' && id.startsWith('usr_')))) {
          const response = await call(route.method, pathFor(route, { ...good, [param]: bad }), {
            token,
            ...(isMutation(route) ? { body: {} } : {}),
          });
          statuses.push(response.status);
        }
      }
      if (isMutation(route)) {
        for (const rawBody of BAD_BODIES) {
          const response = await call(route.method, pathFor(route, good), {
            token,
            rawBody,
            headers: { 'content-type': 'application/json' },
          });
          statuses.push(response.status);
        }
      } else {
        const response = await call(
          route.method,
          `${pathFor(route, good)}?limit=-1&cursor=@@@&from=yesterday&zzz=1`,
          { token },
        );
        statuses.push(response.status);
      }
      expect(statuses.length).toBeGreaterThan(0);
      expect(statuses.filter((status) => status < 400 || status >= 500)).toEqual([]);
    });
  }

  it('refuses a malformed X-Tenant-ID with a 400 before looking it up, even from a platform admin', async () => {
    for (const value of ['x'.repeat(3000), 'TENANT#x', '%00', 'ten_short']) {
      const response = await call('GET', '/v1/tenants/current', {
        token: admin,
        headers: { 'x-tenant-id': value },
      });
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ code: 'validation_failed' });
    }
    // Positive control: a well-formed tenant id is looked up (and found).
    const named = await call('GET', '/v1/tenants/current', {
      token: admin,
      headers: { 'x-tenant-id': tenant.id },
    });
    expect(named.status).toBe(200);
    expect(named.body).toMatchObject({ id: tenant.id });
  });
});

/** What an answer to one bad field must be: a 400 naming that field (or the whole body). */
function expectNamed(
  response: ApiResponse<{ code?: string; errors?: Array<{ path: string }> }>,
  field: string,
  why: string,
  route?: RouteDefinition,
) {
  expect(response.status, `${field}: ${why}: ${response.text}`).toBe(400);
  // The SCIM routes answer in SCIM's error format, with the problem's members beside it.
  const scim = route !== undefined && isScimPath(route.path);
  expect(response.headers.get('content-type')).toContain(
    scim ? 'application/scim+json' : 'application/problem+json',
  );
  if (scim) expect(response.body).toMatchObject({ status: '400', scimType: expect.any(String) });
  const named = (response.body.errors ?? []).map((issue) => issue.path);
  expect(named, `${field}: ${why}: ${response.text}`).toContain(field);
}

const limited = async <T>(items: T[], lanes: number, each: (item: T) => Promise<void>) => {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await each(item);
    }),
  );
};

/**
 * Every field of every route's body and query, broken in each way its schema forbids (derived from
 * the schema in the manifest, so a new field is covered by its declaration): a 400 that names the
 * field. The route's valid sample is the positive control: not refused as invalid.
 */
describe('bad input derived from every field’s schema', () => {
  const fieldRoutes = (ROUTES as readonly RouteDefinition[]).filter(
    (route) => route.id !== 'billing.webhook' && (route.request.body || route.request.query),
  );
  for (const [index, route] of fieldRoutes.entries()) {
    // Signup's hourly limit per address (shared with creating one's own tenant) is not this
    // suite's to spend: those routes' requests come from an address of their own.
    const from = ['tenants.signup', 'tenants.createOwn'].includes(route.id)
      ? `127.0.3.${index + 1}`
      : undefined;
    it(`${route.id}: each field broken each way its schema forbids is a 400 naming it`, async () => {
      // A feature Professional does not sell is tried on Enterprise, where the route is reached.
      const unsold = route.feature !== undefined && !PLANS.professional.features.includes(route.feature);
      const tenant = await createTenant(unsold ? { plan: 'enterprise' } : {});
      const ids = await createResources(tenant);
      // Platform routes, and tenant routes only platform admins may use, are tried as one.
      const platform = route.auth === 'platform' || route.permission?.startsWith('platform:');
      const token = platform ? await adminToken() : route.auth === 'public' ? undefined : tenant.owner.token;
      const path = pathFor(route, { tenantId: tenant.id, userId: tenant.owner.id, ...ids });
      const sample = sampleBody(route, unique('bad')) ?? (route.request.body ? {} : undefined);
      const tried: string[] = [];

      if (route.request.body) {
        const schema = z.toJSONSchema(route.request.body, {
          io: 'input',
          unrepresentable: 'any',
        }) as JsonSchema;
        await limited(badCases(schema, sample), 4, async (bad) => {
          const response = await call(route.method, path, {
            token,
            ...(from ? { from } : {}),
            body: withBadField(sample, bad),
          });
          tried.push(`${bad.path.join('.')}: ${bad.why}`);
          expectNamed(response as never, bad.path.join('.') || '(root)', bad.why, route);
        });
      }
      if (route.request.query) {
        const schema = z.toJSONSchema(route.request.query, {
          io: 'input',
          unrepresentable: 'any',
        }) as JsonSchema;
        const cases = badCases(schema, {}).filter(
          (bad) => bad.path.length === 1 && (typeof bad.value === 'string' || typeof bad.value === 'number'),
        );
        await limited(cases, 4, async (bad) => {
          const query = new URLSearchParams({ [bad.path[0] as string]: String(bad.value) });
          const response = await call(route.method, `${path}?${query.toString()}`, {
            token,
            ...(from ? { from } : {}),
            ...(sample === undefined ? {} : { body: sample }),
          });
          tried.push(`?${bad.path[0]}: ${bad.why}`);
          expectNamed(response as never, bad.path[0] as string, bad.why, route);
        });
      }
      expect(tried.length).toBeGreaterThan(0);
      // Positive control: the valid sample is not refused as invalid.
      const valid = await call<{ code?: string }>(route.method, path, {
        token,
        ...(from ? { from } : {}),
        ...(sample === undefined ? {} : { body: sample }),
      });
      expect(valid.body.code, valid.text).not.toBe('validation_failed');
    });
  }
});
