import { encodeTime, monotonicFactory } from 'ulid';
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

const ULID_PATTERN = '[0-9A-HJKMNP-TV-Z]{26}';

let nextUlid = monotonicFactory();
let lastTime = Number.NEGATIVE_INFINITY;

/**
 * A new id of a kind, carrying the time `now`. While the clock moves forward, the ids one process
 * makes sort in the order it made them (ULIDs of one millisecond count up). Each carries its own
 * time: an id made for an earlier time than the last one (a fixed clock in the twin, a clock set
 * back) starts the count again there rather than carrying the later time, since the age of a record
 * (a quota take's, a record past its retention) is read from its id.
 */
export function newId(kind: IdKind, now: number = Date.now()): string {
  if (now < lastTime) nextUlid = monotonicFactory();
  lastTime = now;
  return `${ID_PREFIXES[kind]}_${nextUlid(now)}`;
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
