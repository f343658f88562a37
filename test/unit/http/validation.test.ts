import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError } from '../../../shared/errors';
import { problemResponse } from '../../../shared/http/problem';
import { checkedCursor } from '../../../shared/data/cursor';
import { parseJsonBody } from '../../../shared/http/validation';
import { apiEvent } from '../../helpers/api-event';

const schema = z.strictObject({ name: z.string().min(1) });
const eventWith = (body: string | undefined, headers: Record<string, string> = {}) => {
  const event = apiEvent({ routeKey: 'POST /x', path: '/x', headers });
  return body === undefined ? event : { ...event, body };
};

describe('parseJsonBody', () => {
  it('returns the parsed body', () => {
    expect(parseJsonBody(eventWith('{"name":"Ada"}'), schema, 1024)).toEqual({ name: 'Ada' });
  });

  it('decodes a base64 body', () => {
    const event = { ...eventWith(Buffer.from('{"name":"Ada"}').toString('base64')), isBase64Encoded: true };
    expect(parseJsonBody(event, schema, 1024)).toEqual({ name: 'Ada' });
  });

  it.each([
    ['malformed JSON', '{"name"', ValidationError, 'malformed_json'],
    ['no body', undefined, ValidationError, 'body_required'],
    ['an unknown field', '{"name":"a","admin":true}', ValidationError, 'validation_failed'],
    ['a wrong type', '{"name":5}', ValidationError, 'validation_failed'],
  ])('refuses %s', (_what, body, type, code) => {
    expect(() => parseJsonBody(eventWith(body), schema, 1024)).toThrow(type);
    try {
      parseJsonBody(eventWith(body), schema, 1024);
    } catch (error) {
      expect((error as ValidationError).code).toBe(code);
    }
  });

  it('names an unknown key by its own path, a wrong shape by what was expected, and a union by its closest branch', () => {
    const nested = z.strictObject({
      name: z.string().max(3),
      settings: z.optional(z.strictObject({ mode: z.enum(['a', 'b']) })),
      target: z.optional(z.union([z.string(), z.strictObject({ id: z.number() })])),
    });
    const errorsOf = (body: string) => {
      try {
        parseJsonBody(eventWith(body), nested, 4096);
      } catch (error) {
        return (error as ValidationError).extensions.errors as Array<{ path: string; message: string }>;
      }
      return expect.unreachable();
    };
    expect(errorsOf('[]')).toEqual([
      { path: '(root)', message: 'Invalid input: expected object, received array' },
    ]);
    expect(
      errorsOf('{"name":"abcd","admin":true,"settings":{"mode":"c","extra":1},"target":{"id":"x"}}'),
    ).toEqual(
      expect.arrayContaining([
        { path: 'name', message: 'Too big: expected string to have <=3 characters' },
        { path: 'admin', message: 'is not a known field' },
        { path: 'settings.extra', message: 'is not a known field' },
        { path: 'settings.mode', message: expect.stringContaining('expected one of "a"|"b"') },
        { path: 'target.id', message: 'Invalid input: expected number, received string' },
      ]),
    );
    // Positive control: a body of the right shape passes whole.
    expect(parseJsonBody(eventWith('{"name":"abc","target":{"id":1}}'), nested, 4096)).toEqual({
      name: 'abc',
      target: { id: 1 },
    });
  });

  it('refuses a body over the limit in bytes, not characters', () => {
    expect(() => parseJsonBody(eventWith(JSON.stringify({ name: 'é'.repeat(300) })), schema, 500)).toThrow(
      PayloadTooLargeError,
    );
  });

  it('refuses a non-JSON content type', () => {
    expect(() =>
      parseJsonBody(eventWith('{"name":"a"}', { 'content-type': 'text/plain' }), schema, 1024),
    ).toThrow(UnsupportedMediaTypeError);
  });

  it('names each bad field in the problem document', () => {
    try {
      parseJsonBody(eventWith('{"name":""}'), schema, 1024);
      expect.unreachable();
    } catch (error) {
      const response = problemResponse(error as ValidationError, 'req-1', '/x');
      expect(response.statusCode).toBe(400);
      expect(response.headers).toMatchObject({ 'content-type': 'application/problem+json' });
      expect(JSON.parse(response.body ?? '{}')).toMatchObject({
        status: 400,
        code: 'validation_failed',
        errors: [{ path: 'name' }],
        requestId: 'req-1',
      });
    }
  });
});

describe('checkedCursor', () => {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const pk = 'TENANT#ten_1';

  it('accepts a cursor with exactly the key attributes in the queried partition', () => {
    const cursor = encode({ pk, sk: 'AGENT#agt_1' });
    expect(checkedCursor(cursor, { pk })).toBe(cursor);
  });

  it.each([
    ['another partition', { pk: 'TENANT#ten_2', sk: 'AGENT#agt_1' }],
    ['a missing sort key', { pk }],
    ['an extra attribute', { pk, sk: 'A', gsi1pk: 'X' }],
    ['a non-string value', { pk, sk: 5 }],
    ['an array', [pk]],
  ])('refuses %s with 400 invalid_cursor', (_what, value) => {
    expect(() => checkedCursor(encode(value), { pk })).toThrow(ValidationError);
  });

  it('refuses a cursor that is not base64 JSON', () => {
    expect(() => checkedCursor('%%%', { pk })).toThrow(ValidationError);
  });
});
