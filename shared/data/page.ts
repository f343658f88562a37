import type { TenantContext } from '../context/tenant-context';
import { openCursor, sealCursor } from './cursor';
import { tenantPartitionKey } from './table-definition';

/** What a client asks of a list: at most `limit` items, from where its last page ended. */
export interface PageQuery {
  limit: number;
  cursor?: string | undefined;
}

/** A page of a list: its items, and the sealed position of the next page (`null` at the end). */
export interface Page<View> {
  items: View[];
  nextCursor: string | null;
}

/** A list as its cursors know it: the name they are sealed to and the partition it reads. */
export interface ListOf {
  name: string;
  partition: string;
}

/** A list in a tenant's partition (`agents`, `runs`…): its cursors open for that tenant only. */
export function tenantList(ctx: Pick<TenantContext, 'tenantId'>, name: string): ListOf {
  return { name: `${name}:${ctx.tenantId}`, partition: tenantPartitionKey(ctx.tenantId) };
}

/**
 * One page of a list: the client's cursor opened (sealed to this list, and checked to lie in its
 * partition; anything else is a 400 `invalid_cursor`), the query read from there for at most
 * `limit` items, each item shaped for the client, and the next position sealed again.
 */
export async function readPage<Item, View>(
  list: ListOf,
  query: PageQuery,
  read: (from: { count: number; cursor: string | null }) => Promise<{ data: Item[]; cursor: string | null }>,
  view: (item: Item) => View | Promise<View>,
): Promise<Page<View>> {
  const cursor = openCursor(list.name, query.cursor, { pk: list.partition });
  const result = await read({ count: query.limit, cursor });
  const items = result.data.map((item) => view(item));
  // Most views are plain functions: their items are not awaited one by one.
  const settled = items.some((item) => item instanceof Promise)
    ? await Promise.all(items)
    : (items as View[]);
  return { items: settled, nextCursor: sealCursor(list.name, result.cursor) };
}
