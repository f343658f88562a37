import * as z from 'zod/mini';
import type * as core from 'zod/v4/core';

/** An ISO-8601 UTC timestamp as the API writes them. */
export const timestamp = z.iso.datetime();

/** One page of a list and the cursor of the next (null on the last page). */
export function pageOf<T extends core.$ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    nextCursor: z
      .nullable(z.string())
      .check(z.describe('Pass as `cursor` to get the next page; null on the last page.')),
  });
}

/** An email address, lower-cased (Cognito user names are the address). */
export const emailAddress = z.pipe(
  z.email().check(z.maxLength(254)),
  z.transform((value: string) => value.toLowerCase()),
);
