import * as z from 'zod/mini';
import { opaqueText, singleLineText } from '../text';
import { ValidationError } from '../errors';

/**
 * What a directory sends (RFC 7643 §4.1, §4.2), at the edge and again after a PATCH is applied:
 * the attributes kept, read leniently as directories send them (extra attributes and extension
 * schemas are ignored; Entra ID sends booleans as "True"/"False").
 */
const scimBoolean = z.pipe(
  z.union([z.boolean(), z.enum(['true', 'false', 'True', 'False', 'TRUE', 'FALSE'])]),
  z.transform((value: boolean | 'true' | 'false' | 'True' | 'False' | 'TRUE' | 'FALSE') =>
    typeof value === 'boolean' ? value : value.toLowerCase() === 'true',
  ),
);

/** Absent, null or empty (directories send "" for a name part they lack) all mean none. */
const optionalText = (max: number) => z.optional(z.nullable(z.union([z.literal(''), singleLineText(max)])));

/** Schema URNs: named, not read (a resource is what its attributes say). */
const schemaUrns = z.array(opaqueText(256)).check(z.maxLength(20));

export const scimUserInput = z.looseObject({
  schemas: z.optional(schemaUrns),
  userName: z.email().check(z.maxLength(254), z.describe('The person’s email address; it cannot change.')),
  externalId: optionalText(256),
  name: z.optional(
    z.nullable(
      z.looseObject({
        givenName: optionalText(128),
        familyName: optionalText(128),
        formatted: optionalText(256),
      }),
    ),
  ),
  displayName: optionalText(256),
  active: z.optional(scimBoolean),
});
export type ScimUserInput = z.output<typeof scimUserInput>;

const memberRef = z.looseObject({ value: opaqueText(64) });

export const scimGroupInput = z.looseObject({
  schemas: z.optional(schemaUrns),
  displayName: singleLineText(256),
  externalId: optionalText(256),
  members: z.optional(z.nullable(z.array(memberRef).check(z.maxLength(10_000)))),
});
export type ScimGroupInput = z.output<typeof scimGroupInput>;

export const scimPatchInput = z.looseObject({
  schemas: schemaUrns.check(
    z.refine((schemas) => schemas.includes('urn:ietf:params:scim:api:messages:2.0:PatchOp'), {
      message: 'must include urn:ietf:params:scim:api:messages:2.0:PatchOp',
    }),
  ),
  Operations: z
    .array(
      z.looseObject({
        op: z.string().check(z.regex(/^(add|remove|replace)$/i, 'must be add, remove or replace')),
        path: z.optional(opaqueText(512)),
        value: z.optional(z.unknown()),
      }),
    )
    .check(z.minLength(1), z.maxLength(100)),
});
export type ScimPatchInput = z.output<typeof scimPatchInput>;

/** A resource after a PATCH, read as if it had been sent whole; what is wrong is a 400 naming it. */
export function parsePatched<S extends z.ZodMiniType>(schema: S, value: unknown): z.output<S> {
  const parsed = z.safeParse(schema, value);
  if (parsed.success) return parsed.data;
  throw new ValidationError(
    'The patch leaves the resource invalid.',
    parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
    'scim_value_invalid',
  );
}
