/**
 * Bad input derived from a schema: for every field a JSON Schema describes, the values that break
 * what it says (wrong type, past each bound, outside the enum, not the format or pattern, an unknown
 * key, a required key missing, a control character in text). Each case is a valid sample with one
 * field changed, so the answer must name that field. Used by the bad-input suite on every route's
 * body and query, so a new field is covered by the schema it is declared with.
 */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  enum?: unknown[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minItems?: number;
  maxItems?: number;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
}

export const REMOVE = Symbol('remove the field');

export interface BadCase {
  /** The field changed (its path; empty for the whole value). */
  path: string[];
  value: unknown;
  /** What is wrong with it, for the test's name. */
  why: string;
}

/** A value that breaks each known format (one that reads like something else). */
const BAD_FORMATS: Record<string, string> = {
  email: 'not-an-email',
  uri: 'not a uri',
  url: 'not a uri',
  'date-time': 'yesterday at noon',
  date: '31/12/2030',
  uuid: 'not-a-uuid',
  ipv4: '999.1.1.1',
  cidr: 'not a range',
};

function typesOf(schema: JsonSchema): string[] {
  if (schema.type) return [schema.type].flat();
  if (schema.enum) return [...new Set(schema.enum.map(jsonType))];
  if (schema.const !== undefined) return [jsonType(schema.const)];
  const branches = schema.anyOf ?? schema.oneOf;
  if (branches) return branches.flatMap(typesOf);
  if (schema.properties) return ['object'];
  return [];
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (Number.isInteger(value)) return 'integer';
  return typeof value;
}

/** A value of a JSON type the schema does not take, if it names its types at all. */
function wrongType(schema: JsonSchema): BadCase | undefined {
  const allowed = new Set(typesOf(schema));
  if (allowed.size === 0) return undefined;
  if (allowed.has('integer')) allowed.add('number');
  if (allowed.has('number')) allowed.add('integer');
  const candidates: Array<[string, unknown]> = [
    ['object', { wrong: 'type' }],
    ['array', ['wrong type']],
    ['boolean', true],
    ['number', 7.5],
    ['string', 'wrong type'],
  ];
  const found = candidates.find(([type]) => !allowed.has(type));
  return found
    ? { path: [], value: found[1], why: `a ${found[0]} where the schema takes ${[...allowed].join('|')}` }
    : undefined;
}

function stringCases(schema: JsonSchema): BadCase[] {
  const cases: BadCase[] = [];
  if (schema.enum) cases.push({ path: [], value: 'zz-not-a-choice', why: 'a value outside the enum' });
  if (schema.const !== undefined)
    cases.push({ path: [], value: `${String(schema.const)}-other`, why: 'not the constant' });
  if ((schema.minLength ?? 0) > 0) cases.push({ path: [], value: '', why: 'an empty string' });
  if (schema.maxLength !== undefined) {
    cases.push({
      path: [],
      value: 'a'.repeat(schema.maxLength + 1),
      why: `${schema.maxLength + 1} characters`,
    });
  }
  const format = schema.format ? BAD_FORMATS[schema.format] : undefined;
  if (format) cases.push({ path: [], value: format, why: `not a ${schema.format}` });
  if (schema.pattern) {
    const pattern = new RegExp(schema.pattern, 'u');
    const miss = ['!!', 'zz', '0', 'A B'].find((candidate) => !pattern.test(candidate));
    if (miss !== undefined) cases.push({ path: [], value: miss, why: `not matching ${schema.pattern}` });
  }
  // Text the API refuses everywhere: a NUL and a bidirectional override.
  cases.push({ path: [], value: 'a\u0000b', why: 'a NUL character' });
  cases.push({ path: [], value: 'a\u202eb', why: 'a right-to-left override' });
  return cases;
}

function numberCases(schema: JsonSchema): BadCase[] {
  const cases: BadCase[] = [];
  if (schema.minimum !== undefined)
    cases.push({ path: [], value: schema.minimum - 1, why: `below ${schema.minimum}` });
  if (schema.exclusiveMinimum !== undefined) {
    cases.push({ path: [], value: schema.exclusiveMinimum, why: `not above ${schema.exclusiveMinimum}` });
  }
  if (schema.maximum !== undefined)
    cases.push({ path: [], value: schema.maximum + 1, why: `above ${schema.maximum}` });
  if (schema.exclusiveMaximum !== undefined) {
    cases.push({ path: [], value: schema.exclusiveMaximum, why: `not below ${schema.exclusiveMaximum}` });
  }
  if (typesOf(schema).includes('integer') && !typesOf(schema).includes('number')) {
    cases.push({ path: [], value: 1.5, why: 'not a whole number' });
  }
  return cases;
}

function under(key: string, cases: BadCase[]): BadCase[] {
  return cases.map((bad) => ({ ...bad, path: [key, ...bad.path] }));
}

/** Every bad case of `schema`, around the valid `sample` (fields absent from it are still tried). */
export function badCases(schema: JsonSchema, sample: unknown): BadCase[] {
  const cases: BadCase[] = [];
  const wrong = wrongType(schema);
  if (wrong) cases.push(wrong);
  const types = typesOf(schema);
  if (types.includes('string')) cases.push(...stringCases(schema));
  if (types.includes('number') || types.includes('integer')) cases.push(...numberCases(schema));
  if (schema.properties) {
    const object = (sample && typeof sample === 'object' ? sample : {}) as Record<string, unknown>;
    if (schema.additionalProperties === false) {
      cases.push({ path: ['zzUnknownField'], value: 1, why: 'an unknown field' });
    }
    for (const key of schema.required ?? []) {
      if (key in object) cases.push({ path: [key], value: REMOVE, why: 'a required field missing' });
    }
    for (const [key, property] of Object.entries(schema.properties)) {
      cases.push(...under(key, badCases(property, object[key])));
    }
  }
  if (schema.items && types.includes('array')) {
    const list = Array.isArray(sample) ? sample : [];
    if ((schema.minItems ?? 0) > 0) cases.push({ path: [], value: [], why: 'an empty list' });
    if (schema.maxItems !== undefined && list.length > 0) {
      const long = Array.from({ length: schema.maxItems + 1 }, (_, i) => list[i % list.length]);
      cases.push({ path: [], value: long, why: `${schema.maxItems + 1} items` });
    }
    cases.push(...under('0', badCases(schema.items, list[0])));
  }
  return cases;
}

/** The sample with one field set to the bad value (or removed), leaving the sample as it was. */
export function withBadField(sample: unknown, bad: BadCase): unknown {
  if (bad.path.length === 0) return bad.value;
  const copy = structuredClone((sample ?? {}) as Record<string, unknown>);
  let node = copy as Record<string, unknown>;
  bad.path.slice(0, -1).forEach((key, index) => {
    // A missing parent is made: a list when the field inside it is an index.
    if (!node[key] || typeof node[key] !== 'object')
      node[key] = /^\d+$/.test(bad.path[index + 1] ?? '') ? [] : {};
    node = node[key] as Record<string, unknown>;
  });
  const last = bad.path.at(-1) as string;
  if (bad.value === REMOVE) delete node[last];
  else node[last] = bad.value;
  return copy;
}
