import * as z from 'zod/mini';
import type { RouteDefinition } from '../../http/route';
import { DOCS_ASSET_NAMES, DOCS_ASSETS } from '../docs/assets';

const html = z.string().check(z.describe('An HTML page.'));

export const DOCS_ROUTES = [
  {
    id: 'docs.openapi',
    method: 'GET',
    path: '/v1/openapi.json',
    function: 'docs',
    auth: 'public',
    summary: 'The OpenAPI document',
    description: 'This API’s OpenAPI 3.1 document, generated from the route manifest.',
    request: {},
    responses: {
      200: { description: 'The OpenAPI 3.1 document.', schema: z.record(z.string(), z.unknown()) },
    },
    errors: [],
  },
  {
    id: 'docs.reference',
    method: 'GET',
    path: '/docs',
    function: 'docs',
    auth: 'public',
    summary: 'The API reference',
    description: 'The reference page (Swagger UI, served by the API itself: no CDN, works offline).',
    request: {},
    responses: {
      200: { description: 'The reference page.', contentType: 'text/html; charset=utf-8', schema: html },
    },
    errors: [],
  },
  {
    id: 'docs.problems',
    method: 'GET',
    path: '/docs/problems',
    function: 'docs',
    auth: 'public',
    summary: 'The problem codes',
    description:
      'Every problem `code` the API answers with, a section each (`#<code>`): the `type` URI of every problem points here.',
    request: {},
    responses: {
      200: { description: 'The problem reference.', contentType: 'text/html; charset=utf-8', schema: html },
    },
    errors: [],
  },
  {
    id: 'docs.asset',
    method: 'GET',
    path: '/docs/assets/{file}',
    function: 'docs',
    auth: 'public',
    summary: 'A file of the reference page',
    description: 'The scripts and styles of the reference page, from the `swagger-ui-dist` package.',
    request: { path: z.strictObject({ file: z.enum(DOCS_ASSET_NAMES) }) },
    responses: {
      200: { description: 'The file.', contentType: Object.values(DOCS_ASSETS), schema: z.string() },
    },
    errors: [],
  },
] as const satisfies readonly RouteDefinition[];
