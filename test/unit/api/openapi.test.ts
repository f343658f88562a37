import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROUTES } from '../../../shared/api/manifest';
import { buildOpenApiDocument, operationCodes } from '../../../shared/api/openapi';
import { MAX_DEPTH } from '../../../shared/api/schemas/json-value';
import { DEFAULT_MAX_BODY_BYTES } from '../../../shared/config';
import type { RouteDefinition } from '../../../shared/http/route';
import { RATE_POLICIES } from '../../../shared/model/rate-policies';
import { PROBLEM_CODES, PROBLEMS } from '../../../shared/problem-catalogue';
import { assertDocumented } from '../../helpers/contract';

const committed = readFileSync(
  join(import.meta.dirname, '..', '..', '..', 'shared', 'api', 'openapi.json'),
  'utf8',
);
const generated = buildOpenApiDocument() as {
  paths: Record<
    string,
    Record<string, { operationId: string; responses: Record<string, unknown>; tags: string[] }>
  >;
  components: { schemas: { Problem: { properties: { code: { enum: string[] } } } } };
};

describe('the OpenAPI document', () => {
  it('states the input rules the schemas cannot show, from the values the API enforces', () => {
    const introduction = (generated as unknown as { info: { description: string } }).info.description;
    expect(introduction).toContain(`${DEFAULT_MAX_BODY_BYTES / 1024} KB`);
    expect(introduction).toContain(`nested at most ${MAX_DEPTH} levels`);
    expect(introduction).toContain('U+202A–U+202E');
    expect(introduction).toContain('does not name is a `400 validation_failed` that names it');
  });

  it('is exactly what the manifest generates (run `npm run openapi` after changing a route)', () => {
    expect(JSON.parse(committed)).toEqual(JSON.parse(JSON.stringify(generated)));
  });

  it('has one operation per route of the manifest, tagged by its domain', () => {
    const operations = Object.values(generated.paths).flatMap((methods) => Object.values(methods));
    expect(operations.map((op) => op.operationId).sort()).toEqual(ROUTES.map((route) => route.id).sort());
    for (const route of ROUTES) {
      const op = generated.paths[route.path]?.[route.method.toLowerCase()];
      expect(op?.tags).toEqual([route.function]);
    }
  });

  it('documents each route’s own rate policy on its operation, per plan, and no policy where none is named', () => {
    const routes: readonly RouteDefinition[] = ROUTES;
    const limited = routes.filter((route) => route.rateLimit);
    expect(limited.map((route) => route.id).sort()).toEqual([
      'runs.start',
      'users.invite',
      'users.resendInvitation',
    ]);
    for (const route of routes) {
      const op = generated.paths[route.path]?.[route.method.toLowerCase()] as unknown as {
        description: string;
        'x-rate-limit-policy'?: { name: string; perMinute: Record<string, number | null> };
      };
      if (!route.rateLimit) {
        expect(op['x-rate-limit-policy'], route.id).toBeUndefined();
        expect(op.description, route.id).not.toContain('**Rate limit:**');
        continue;
      }
      const policy = RATE_POLICIES[route.rateLimit];
      expect(op['x-rate-limit-policy']).toMatchObject({ name: route.rateLimit, perMinute: policy.perMinute });
      expect(op.description).toContain(`**Rate limit:** policy \`${route.rateLimit}\``);
      expect(op.description).toContain(`Free ${policy.perMinute.free}`);
    }
  });

  it('documents every problem code of every operation under each of its statuses', () => {
    for (const route of ROUTES) {
      const responses = generated.paths[route.path]?.[route.method.toLowerCase()]?.responses ?? {};
      for (const code of operationCodes(route)) {
        const statuses = PROBLEMS[code].statuses.filter(
          (s) => !(code === 'tenant_not_found' && s === 404 && route.auth !== 'tenant'),
        );
        for (const status of statuses)
          expect(JSON.stringify(responses[String(status)]), `${route.id} ${code}`).toContain(`"${code}"`);
      }
    }
  });

  it('lists every problem code of the error catalogue in its Problem schema', () => {
    expect(generated.components.schemas.Problem.properties.code.enum).toEqual(PROBLEM_CODES);
  });
});

describe('the contract check of the test helper', () => {
  const agent = {
    id: 'agt_01AAAAAAAAAAAAAAAAAAAAAAAA',
    name: 'A',
    description: null,
    model: 'm',
    instructions: null,
    projectId: null,
    createdBy: 'usr_01AAAAAAAAAAAAAAAAAAAAAAAA',
    createdAt: '2026-11-23T07:00:00.000Z',
    updatedAt: '2026-11-23T07:00:00.000Z',
  };
  const path = '/v1/tenants/ten_01AAAAAAAAAAAAAAAAAAAAAAAA/agents/agt_01AAAAAAAAAAAAAAAAAAAAAAAA';

  it('accepts a documented answer (positive control)', () => {
    expect(() =>
      assertDocumented({
        method: 'GET',
        path,
        status: 200,
        contentType: 'application/json',
        text: JSON.stringify(agent),
      }),
    ).not.toThrow();
  });

  it('refuses an undocumented status', () => {
    expect(() =>
      assertDocumented({ method: 'GET', path, status: 418, contentType: 'application/json', text: '{}' }),
    ).toThrow(/not a documented status/);
  });

  it('refuses a body that does not match the schema', () => {
    const { model: _model, ...withoutModel } = agent;
    expect(() =>
      assertDocumented({
        method: 'GET',
        path,
        status: 200,
        contentType: 'application/json',
        text: JSON.stringify(withoutModel),
      }),
    ).toThrow(/does not match/);
  });

  it('refuses a problem code the operation does not document', () => {
    const problem = {
      type: '/docs/problems#slug_taken',
      title: 'x',
      status: 409,
      code: 'slug_taken',
      detail: 'x',
    };
    expect(() =>
      assertDocumented({
        method: 'PATCH',
        path,
        status: 409,
        contentType: 'application/problem+json',
        text: JSON.stringify(problem),
      }),
    ).toThrow(/does not match/);
  });

  it('refuses an undocumented media type', () => {
    expect(() =>
      assertDocumented({ method: 'GET', path, status: 200, contentType: 'text/plain', text: 'hi' }),
    ).toThrow(/documented application\/json/);
  });
});
