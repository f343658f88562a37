import * as z from 'zod/mini';

/**
 * Characters no human-readable field may hold: C0/C1 controls (NUL included) and the bidirectional
 * embeddings, overrides and isolates that make text display other than it is stored (a name shown
 * as "Acme" that sorts and compares as something else).
 */
const UNSAFE_SINGLE_LINE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u;
/** As above, but line breaks and tabs are allowed (descriptions, instructions, reasons). */
const UNSAFE_MULTI_LINE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u;

const SAFE_TEXT = 'must not contain control or bidirectional-override characters';

/** A trimmed one-line name or label of 1 to `max` characters, with no control or bidi characters. */
export function singleLineText(max: number) {
  return z.string().check(
    z.trim(),
    z.minLength(1),
    z.maxLength(max),
    z.refine((value) => !UNSAFE_SINGLE_LINE.test(value), SAFE_TEXT),
  );
}

/** Free text of at most `max` characters (line breaks allowed), with no other control or bidi characters. */
export function multiLineText(max: number) {
  return z.string().check(
    z.maxLength(max),
    z.refine((value) => !UNSAFE_MULTI_LINE.test(value), SAFE_TEXT),
  );
}

/**
 * A secret or token exactly as given (not trimmed: its spaces are its own), 1 to `max` characters,
 * with no control or bidirectional characters (no secret needs them, and a log or a form would
 * show them other than they are).
 */
export function opaqueText(max: number) {
  return z.string().check(
    z.minLength(1),
    z.maxLength(max),
    z.refine((value) => !UNSAFE_SINGLE_LINE.test(value), SAFE_TEXT),
  );
}
