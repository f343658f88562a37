import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { ValidateFunction } from 'ajv';
import document from '../../shared/api/openapi.json';

type Json = Record<string, unknown>;

interface Operation {
  pattern: RegExp;
  method: string;
  responses: Record<string, { content?: Record<string, { schema: Json }> }>;
}

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats.default(ajv);
ajv.addSchema({ ...(document as Json), $id: 'openapi' });

const paths = (
  document as unknown as { paths: Record<string, Record<string, Operation['responses'] | Json>> }
).paths;
const operations: Operation[] = Object.entries(paths).flatMap(([template, methods]) =>
  Object.entries(methods).map(([method, operation]) => ({
    pattern: new RegExp(`^${template.replace(/\{\w+\}/g, '[^/]+')}$`),
    method: method.toUpperCase(),
    responses: (operation as { responses: Operation['responses'] }).responses,
  })),
);
// A literal segment wins over a parameter, as in API Gateway (`/v1/tenants/current`).
const parameters = (op: Operation) => op.pattern.source.split('[^/]+').length;
operations.sort((a, b) => parameters(a) - parameters(b));

const validators = new Map<Json, ValidateFunction>();
function validatorFor(schema: Json): ValidateFunction {
  let validate = validators.get(schema);
  if (!validate) {
    validate = ajv.compile(rewriteRefs(schema));
    validators.set(schema, validate);
  }
  return validate;
}

/** Points the document's internal `$ref`s at the registered document, so a fragment validates alone. */
function rewriteRefs(value: unknown): Json {
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (!node || typeof node !== 'object') return node;
    return Object.fromEntries(
      Object.entries(node as Json).map(([key, item]) =>
        key === '$ref' && typeof item === 'string' && item.startsWith('#/')
          ? [key, `openapi${item}`]
          : [key, walk(item)],
      ),
    );
  };
  return walk(value) as Json;
}

const UNKNOWN_ROUTE_PROBLEM: Json = {
  allOf: [
    { $ref: '#/components/schemas/Problem' },
    { properties: { code: { enum: ['route_not_found', 'method_not_allowed'] } } },
  ],
};

export interface ObservedResponse {
  method: string;
  path: string;
  status: number;
  contentType: string | null;
  text: string;
}

/**
 * Checks one response the API gave against the OpenAPI document: the operation (found by method
 * and path) documents the status, the media type, and the body validates against that status's
 * schema. Anything undocumented throws, failing the test that received it. CORS preflights are
 * API Gateway's and are not operations.
 */
export function assertDocumented(response: ObservedResponse): void {
  const { method, status } = response;
  if (method === 'OPTIONS') return;
  const path = response.path.split('?')[0] ?? '';
  const operation = operations.find((op) => op.method === method && op.pattern.test(path));
  const where = `${method} ${path} → ${status}`;
  const mediaType = (response.contentType ?? '').split(';')[0]?.trim() ?? '';
  let schema: Json | undefined;
  if (!operation) {
    if (mediaType !== 'application/problem+json' || ![404, 405].includes(status)) {
      throw new Error(
        `Contract: ${where} matches no operation and is not a route_not_found/method_not_allowed problem`,
      );
    }
    schema = UNKNOWN_ROUTE_PROBLEM;
  } else {
    const documented = operation.responses[String(status)];
    if (!documented) throw new Error(`Contract: ${where} is not a documented status`);
    if (!documented.content) {
      if (response.text !== '') throw new Error(`Contract: ${where} has a body where none is documented`);
      return;
    }
    const content = Object.entries(documented.content).find(
      ([type]) => type.split(';')[0]?.trim() === mediaType,
    );
    if (!content) {
      throw new Error(
        `Contract: ${where} answered ${mediaType || 'no content type'}, documented ${Object.keys(documented.content).join(', ')}`,
      );
    }
    schema = content[1].schema;
  }
  if (mediaType !== 'application/json' && !mediaType.endsWith('+json')) return;
  let body: unknown;
  try {
    body = JSON.parse(response.text);
  } catch {
    throw new Error(`Contract: ${where} is ${mediaType} but not JSON`);
  }
  const validate = validatorFor(schema);
  if (!validate(body)) {
    throw new Error(
      `Contract: ${where} body does not match the document: ${ajv.errorsText(validate.errors)}\n${response.text.slice(0, 500)}`,
    );
  }
}
