import * as z from 'zod';

/** An ISO-8601 UTC timestamp as the API writes them. */
export const timestamp = z.iso.datetime();

/** One page of a list and the cursor of the next (null on the last page). */
export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    nextCursor: z
      .string()
      .nullable()
      .describe('Pass as `cursor` to get the next page; null on the last page.'),
  });
}

/** An email address, lower-cased (Cognito user names are the address). */
export const emailAddress = z
  .email()
  .max(254)
  .transform((value) => value.toLowerCase());
