import { encodeTime, monotonicFactory, ulid } from 'ulid';
import * as z from 'zod/mini';

/** Every id this API hands out is a type prefix plus a ULID: sortable by creation, and self-describing. */
export const ID_PREFIXES = {
  tenant: 'ten',
  user: 'usr',
  agent: 'agt',
  run: 'run',
  apiKey: 'key',
  audit: 'aud',
  memory: 'mem',
  export: 'exp',
  event: 'evt',
  webhook: 'whk',
  delivery: 'dlv',
  quotaTake: 'qtk',
  group: 'grp',
  project: 'prj',
  delegation: 'dlg',
  usageEvent: 'use',
} as const;

export type IdKind = keyof typeof ID_PREFIXES;

const nextUlid = monotonicFactory();
const ULID_PATTERN = '[0-9A-HJKMNP-TV-Z]{26}';

export function newId(kind: IdKind, now: number = Date.now()): string {
  return `${ID_PREFIXES[kind]}_${nextUlid(now)}`;
}

/**
 * An id whose time is exactly `ms`, whatever ids were made before it. `newId` is monotonic in a
 * process: after an id made for a later time (a fixed clock, a clock moved on), its ids carry that
 * later time. An id whose age is read from it (a quota take's, by the settling) is made here.
 */
export function timedId(kind: IdKind, ms: number): string {
  return `${ID_PREFIXES[kind]}_${ulid(ms)}`;
}

/**
 * The lowest or highest id of a kind that could be made at `ms`: ids sort by time, so a query between
 * two such bounds reads exactly what was made in that span.
 */
export function idBoundAt(kind: IdKind, ms: number, side: 'low' | 'high'): string {
  return `${ID_PREFIXES[kind]}_${encodeTime(ms, 10)}${(side === 'low' ? '0' : 'Z').repeat(16)}`;
}

function idPattern(kind: IdKind): RegExp {
  return new RegExp(`^${ID_PREFIXES[kind]}_${ULID_PATTERN}$`);
}

/** Whether `value` is an id of this kind (the prefix and a ULID). */
export function isIdOf(kind: IdKind, value: string): boolean {
  return idPattern(kind).test(value);
}

/** A zod schema accepting exactly the ids of one kind; anything else is a 400, never a lookup. */
export function idSchema(kind: IdKind) {
  return z.string().check(z.regex(idPattern(kind), `must be a ${kind} id (${ID_PREFIXES[kind]}_…)`));
}
