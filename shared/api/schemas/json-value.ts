import * as z from 'zod/mini';

/**
 * DynamoDB nests lists and maps at most 32 levels deep, the item itself being the first: a value
 * stored in one attribute may nest 31 (found at the boundary: 31 levels store, 32 are refused).
 */
export const MAX_DEPTH = 31;
/** DynamoDB numbers: 38 significant digits, magnitudes from 1e-130 to below 1e126. */
export const MAX_MAGNITUDE = 1e126;
export const MIN_MAGNITUDE = 1e-130;

function problemOf(value: unknown, depth: number, path: string): string | null {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return `${path}: the number is too large to store`;
    if (Number.isInteger(value) && !Number.isSafeInteger(value))
      return `${path}: integers must lie within ±${Number.MAX_SAFE_INTEGER} to be kept exactly`;
    const magnitude = Math.abs(value);
    if (magnitude !== 0 && (magnitude >= MAX_MAGNITUDE || magnitude < MIN_MAGNITUDE))
      return `${path}: the number is outside the range that can be stored`;
    return null;
  }
  if (value === null || typeof value !== 'object') return null;
  if (depth >= MAX_DEPTH) return `${path}: nested deeper than ${MAX_DEPTH} levels`;
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const problem = problemOf(item, depth + 1, `${path}[${index}]`);
      if (problem) return problem;
    }
    return null;
  }
  for (const [key, item] of Object.entries(value)) {
    if (key === '') return `${path}: object keys must not be empty`;
    // Kept as an own key by JSON.parse, it would become the prototype when read back: refuse it.
    if (key === '__proto__') return `${path}: the key __proto__ is not allowed`;
    const problem = problemOf(item, depth + 1, `${path}.${key}`);
    if (problem) return problem;
  }
  return null;
}

/**
 * Any JSON value the table can hold exactly as sent in one attribute: at most 31 levels deep, numbers DynamoDB and
 * JavaScript both keep exactly, no empty or `__proto__` keys. Anything else is a 400 decided here,
 * before anything is consumed, instead of a failure deep in the data layer.
 */
export function storableJson() {
  return z.unknown().check(
    z.superRefine((value, context) => {
      const problem = problemOf(value, 0, '$');
      if (problem) context.addIssue({ code: 'custom', message: problem });
    }),
  );
}

/** A JSON object or array the table can hold (see {@link storableJson}). */
export function storableJsonDocument() {
  return storableJson().check(
    z.refine((value) => value !== null && typeof value === 'object', 'must be a JSON object or array'),
    z.meta({ type: ['object', 'array'] } as Record<string, unknown>),
  );
}
